import { changePassword, createUser, logout, logoutEverywhere } from "../services/auth/auth.ts";
import { DEFAULT_STREAMS_PER_USER } from "../services/live/stream_registry.ts";
import type { Video } from "../services/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestApp, type TestApp, waitFor } from "./helpers.ts";

/** A live stream read as raw text, so its end (not just its messages) can be seen. */
class OpenStream {
  text = "";
  ended = false;
  #reader: ReadableStreamDefaultReader<string>;
  #reading: Promise<void>;
  #arrived: (() => void) | undefined;

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    this.#reading = this.#pump();
  }

  async #pump() {
    try {
      while (true) {
        const chunk = await this.#reader.read();
        if (chunk.done) break;
        this.text += chunk.value;
        this.#arrived?.();
      }
    } catch {
      // A cancelled read also means the stream is over for this test.
    }
    this.ended = true;
    this.#arrived?.();
  }

  /** Waits until `done` holds, or fails saying `what` after `timeoutMs`. */
  async until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = AbortSignal.timeout(timeoutMs);
    while (!done()) {
      if (deadline.aborted) throw new Error(`Timed out waiting for ${what}; got: ${this.text}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        this.#arrived = stop;
        deadline.addEventListener("abort", stop, { once: true });
      });
    }
  }

  /** The `data:` lines received: the frames, as opposed to comments. */
  get frames(): string[] {
    return this.text.split("\n").filter((line) => line.startsWith("data:"));
  }

  connected() {
    return this.until(() => this.text.includes(": connected"), "the stream to start");
  }

  closed() {
    return this.until(() => this.ended, "the stream to close");
  }

  async cancel() {
    await this.#reader.cancel().catch(() => {});
    await this.#reading;
  }
}

async function apiStream(t: TestApp, token: string): Promise<Response> {
  return await t.app.request("/api/events", { headers: { authorization: `Bearer ${token}` } });
}

async function pageStream(t: TestApp, cookie: string): Promise<Response> {
  return await t.app.request("/events", { headers: { cookie, accept: "text/event-stream" } });
}

async function login(t: TestApp, username: string): Promise<string> {
  const res = await t.api("POST", "/api/auth/login", undefined, {
    username,
    password: "correct horse battery",
  });
  return (await res.json()).token;
}

Deno.test("[live] logging out of all sessions closes an open /api/events stream", async () => {
  await using t = await startTestApp({ startJobs: false });
  const streamToken = await t.userToken("ada");
  const other = await login(t, "ada");
  const stream = new OpenStream(await apiStream(t, streamToken));
  await stream.connected();
  const res = await t.api("POST", "/api/auth/logout?all=1", other);
  assertEquals(res.status, 204);
  await stream.closed();
  await stream.cancel();
});

Deno.test("[live] an admin disabling the user closes their open stream", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  await createUser(t.runtime.db, "root", "correct horse battery", "admin");
  const admin = await t.sessionCookie("root");
  const stream = new OpenStream(await apiStream(t, token));
  await stream.connected();
  const ada = (await t.runtime.db.userByName("ada"))!;
  const res = await t.postForm(`/admin/users/${ada.id}/disable`, admin, {});
  assertEquals(res.status, 303);
  await stream.closed();
  await stream.cancel();
});

Deno.test("[live] a page /events stream closes when that page session logs out", async () => {
  await using t = await startTestApp({ startJobs: false });
  await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const stream = new OpenStream(await pageStream(t, cookie));
  await stream.connected();
  assertEquals((await t.postForm("/logout", cookie, {})).status, 303);
  await stream.closed();
  await stream.cancel();
});

Deno.test("[live] a change published the instant the session ends never reaches the stream", async () => {
  // Without the periodic check, only the check before each frame can close the stream here.
  await using t = await startTestApp({ startJobs: false, sessionCheckMs: 600_000 });
  const token = await t.userToken("ada");
  const stream = new OpenStream(await apiStream(t, token));
  await stream.connected();
  const ada = (await t.runtime.db.userByName("ada"))!;
  const video = { id: "video_late", updated_at: new Date().toISOString() } as Video;
  // Logging out is async now: it has ended (without waking the stream) when the change comes.
  await logout({ ...t.runtime.auth, streams: undefined }, token);
  t.runtime.videos.events.publish(ada.id, video);
  await stream.closed();
  assertEquals(stream.frames, []);
});

Deno.test("[live] a password changed from another process (the CLI) closes the stream", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const stream = new OpenStream(await apiStream(t, token));
  await stream.connected();
  // The CLI writes the database directly: only the stream's periodic re-check can see it.
  await changePassword({ db: t.runtime.db }, "ada", "another long passphrase");
  await stream.closed();
});

Deno.test("[live] sessionsEnded wakes the user's streams to re-check at once", async () => {
  await using t = await startTestApp({ startJobs: false, sessionCheckMs: 600_000 });
  const token = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const mine = new OpenStream(await apiStream(t, token));
  const bobs = new OpenStream(await apiStream(t, bob));
  await Promise.all([mine.connected(), bobs.connected()]);
  const ada = (await t.runtime.db.userByName("ada"))!;
  // Only the database: the stream must be woken by sessionsEnded below, not by this.
  await logoutEverywhere({ db: t.runtime.db }, ada.id);
  await t.runtime.streams.sessionsEnded(ada.id);
  await mine.closed();
  assert(!bobs.ended, "another user's stream stays open");
  await bobs.cancel();
});

Deno.test("[live] a user's streams beyond the cap get 429 until one closes", async () => {
  await using t = await startTestApp({ startJobs: false });
  const token = await t.userToken("ada");
  const cookie = await t.sessionCookie("ada");
  const bob = await t.userToken("bob");
  // The cap counts the API's streams and the pages' together.
  const open: OpenStream[] = [];
  for (let i = 0; i < DEFAULT_STREAMS_PER_USER - 1; i++) {
    const res = await apiStream(t, token);
    assertEquals(res.status, 200);
    open.push(new OpenStream(res));
  }
  const page = await pageStream(t, cookie);
  assertEquals(page.status, 200);
  open.push(new OpenStream(page));

  const refused = await apiStream(t, token);
  assertEquals(refused.status, 429);
  assert(Number(refused.headers.get("retry-after")) > 0, "a Retry-After in seconds");
  const body = await refused.json();
  assertEquals(body.error.code, "too_many_streams");
  assert(body.error.message.includes(String(DEFAULT_STREAMS_PER_USER)), body.error.message);
  const refusedPage = await pageStream(t, cookie);
  assertEquals(refusedPage.status, 429);
  assert(refusedPage.headers.get("retry-after"), "a Retry-After on the page's refusal too");
  await refusedPage.body?.cancel();

  // Another user is not held back by ada's streams.
  const bobs = await apiStream(t, bob);
  assertEquals(bobs.status, 200);
  await new OpenStream(bobs).cancel();

  // Closing one frees its slot (released once the stream notices the client left).
  await open.pop()!.cancel();
  let again: Response | undefined;
  await waitFor(async () => {
    const res = await apiStream(t, token);
    if (res.status === 200) return !!(again = res);
    await res.body?.cancel();
    return false;
  }, "a slot to come free after a stream closed");
  open.push(new OpenStream(again!));
  await Promise.all(open.map((stream) => stream.cancel()));
});
