import { createApp } from "../main.ts";
import { loadConfig } from "../services/app/config.ts";
import { createLogger } from "../services/app/log.ts";
import { openRuntime } from "../services/app/runtime.ts";
import { createSoraSimulator } from "../services/providers/simulators/simulator.ts";
import { createUser, startSession } from "../services/auth/auth.ts";
import { assert, assertEquals } from "./assert.ts";
import { waitFor } from "./helpers.ts";

Deno.test("[log] one JSON line per request and per job transition, without secrets", async () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ format: "json", write: (line) => lines.push(JSON.parse(line)) });
  const dataDir = await Deno.makeTempDir({ prefix: "sora-log-" });
  const runtime = await openRuntime(
    loadConfig({ DATA_DIR: dataDir, POLL_INTERVAL_MS: "10", UPSTREAM_MAX_RPM: "60000" }),
    { simulator: createSoraSimulator({ timeScale: 0.01 }), log },
  );
  try {
    runtime.jobs.start();
    const app = createApp(runtime);
    const user = await createUser(runtime.db, "ada", "correct horse battery", "user");
    const token = await startSession(runtime.auth, user.id, "api");
    const res = await app.request("/api/videos?q=secret+search", {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "req-42" },
    });
    assertEquals(res.headers.get("x-request-id"), "req-42");
    const request = lines.find((l) => l.msg === "request");
    assertEquals(
      { ...request, time: undefined, ms: undefined },
      {
        time: undefined,
        ms: undefined,
        level: "info",
        msg: "request",
        id: "req-42",
        method: "GET",
        path: "/api/videos",
        status: 200,
      },
    );
    const created = await app.request("/api/videos", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "logged" }),
    });
    const { id } = await created.json();
    await waitFor(
      () => lines.some((l) => l.msg === "job" && l.video === id && l.to === "completed"),
      "the completion to be logged",
    );
    const transitions = lines.filter((l) => l.msg === "job" && l.video === id).map((l) => l.to);
    assertEquals(transitions.at(-1), "completed");
    const all = JSON.stringify(lines);
    assert(!all.includes(token) && !all.includes("secret search"), "no tokens, no query text");
  } finally {
    await runtime.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[log] the level filters and text lines keep fields parseable", () => {
  const lines: string[] = [];
  const log = createLogger({
    level: "warn",
    write: (line) => lines.push(line),
    now: () => new Date(0),
  });
  log.info("hidden");
  log.warn("job retry", { video: "vid_1", reason: "upstream said no" });
  assertEquals(lines, [
    '1970-01-01T00:00:00.000Z WARN  job retry video=vid_1 reason="upstream said no"',
  ]);
});
