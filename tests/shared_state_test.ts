import { assert, assertEquals, assertRejects } from "./assert.ts";
import { freshPostgres, POSTGRES_URL } from "./storage_helpers.ts";
import { type OpenDatabase, openDatabase } from "../services/stores/open_database.ts";
import { DEFAULT_LIMITS } from "../services/auth/login_throttle.ts";
import { SqlLoginThrottle } from "../services/stores/shared/login_attempts.ts";
import { SqlCreateRate } from "../services/stores/shared/create_rate.ts";
import { SqlStreamRegistry } from "../services/stores/shared/stream_registry.ts";
import { SqlHealth, SqlSends } from "../services/stores/shared/upstream.ts";
import { RECORD_MS, RequestBudget } from "../services/providers/request_budget.ts";
import { UpstreamHealth } from "../services/providers/upstream_health.ts";
import { UpstreamError } from "../services/providers/upstream.ts";
import { AppError } from "../services/errors.ts";

/**
 * What one process kept in memory, shared through PostgreSQL: every test opens two "instances"
 * (two separate connection pools to one fresh database, each with its own objects) and shows that
 * a limit reached through both together holds on either.
 */
const ignore = !POSTGRES_URL;

async function twoInstances(
  work: (a: OpenDatabase, b: OpenDatabase) => Promise<void>,
): Promise<void> {
  await using fresh = await freshPostgres();
  const a = await openDatabase("", fresh.url);
  const b = await openDatabase("", fresh.url);
  try {
    await work(a, b);
  } finally {
    await a.client.close();
    await b.client.close();
  }
}

Deno.test({
  name: "[shared] login: 20 attempts from one address split across two instances, the 21st refused",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      let now = 1_000_000;
      const clock = () => now;
      const ta = new SqlLoginThrottle(a.db, DEFAULT_LIMITS, clock);
      const tb = new SqlLoginThrottle(b.db, DEFAULT_LIMITS, clock);
      for (let i = 0; i < DEFAULT_LIMITS.perAddress; i++) {
        assertEquals(await (i % 2 ? tb : ta).reserve(`user${i}`, "198.51.100.7"), 0);
        now += 10;
      }
      const wait = await tb.reserve("another", "198.51.100.7");
      assert(wait > 0 && wait <= DEFAULT_LIMITS.windowMs / 1000, `wait ${wait}`);
      assert(await ta.reserve("another", "198.51.100.7") > 0);
      // Another address is not held back; a cancelled attempt gives its slot back on both.
      assertEquals(await ta.reserve("another", "198.51.100.8"), 0);
      await ta.cancelled("user19", "198.51.100.7");
      assertEquals(await tb.reserve("another", "198.51.100.7"), 0);
      // Once the window has passed, the address may try again.
      now += DEFAULT_LIMITS.windowMs;
      assertEquals(await tb.reserve("another", "198.51.100.7"), 0);
    }),
});

Deno.test({
  name: "[shared] login: a burst sent to two instances at once lets exactly the limit through",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      const ta = new SqlLoginThrottle(a.db);
      const tb = new SqlLoginThrottle(b.db);
      const waits = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? tb : ta).reserve(`u${i}`, "192.0.2.1")),
      );
      assertEquals(waits.filter((w) => w === 0).length, DEFAULT_LIMITS.perAddress);
    }),
});

Deno.test({
  name: "[shared] login: an account's delay holds across instances for the guessing address only",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      let now = 5_000_000;
      const clock = () => now;
      const ta = new SqlLoginThrottle(a.db, DEFAULT_LIMITS, clock);
      const tb = new SqlLoginThrottle(b.db, DEFAULT_LIMITS, clock);
      const guesser = "203.0.113.50";
      for (let i = 0; i < DEFAULT_LIMITS.freePerAccount; i++) {
        assertEquals(await (i % 2 ? tb : ta).reserve("Ada", guesser), 0);
        now += 1;
      }
      // Five failures on the account, whichever instance saw them: the guesser waits on both.
      assertEquals(await tb.reserve("ada", guesser), 1);
      assertEquals(await ta.reserve("ADA", guesser), 1);
      // The owner, from an address that never failed for the account, goes at once.
      assertEquals(await tb.reserve("ada", "198.51.100.1"), 0);
      await tb.succeeded("ada", "198.51.100.1");
      // A success on one instance clears the account for the other.
      assertEquals(await ta.reserve("ada", guesser), 0);
    }),
});

Deno.test({
  name: "[shared] creates per minute are counted across instances, concurrent ones included",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      const ra = new SqlCreateRate(a.db);
      const rb = new SqlCreateRate(b.db);
      const t = 10_000_000;
      assertEquals(await ra.take(1, t, 60_000, 3), { ok: true });
      assertEquals(await rb.take(1, t + 1_000, 60_000, 3), { ok: true });
      assertEquals(await ra.take(1, t + 2_000, 60_000, 3), { ok: true });
      assertEquals(await rb.take(1, t + 3_000, 60_000, 3), { ok: false, retryAfterMs: 57_000 });
      assertEquals(await rb.take(2, t + 3_000, 60_000, 3), { ok: true }); // another user
      assertEquals(await ra.take(1, t + 60_000, 60_000, 3), { ok: true }); // the first has left

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? rb : ra).take(3, t, 60_000, 5)),
      );
      assertEquals(results.filter((r) => r.ok).length, 5);
    }),
});

Deno.test({
  name: "[shared] streams: the per-user cap counts both instances; a dead instance's slots lapse",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      let now = 20_000_000;
      const clock = () => now;
      const sa = new SqlStreamRegistry(a.db, "instance-a", 3, clock);
      const sb = new SqlStreamRegistry(b.db, "instance-b", 3, clock);
      const first = await sa.open(7);
      const second = await sb.open(7);
      await sa.open(7);
      const refused = await assertRejects(() => sb.open(7), AppError);
      assertEquals((refused as AppError).status, 429);
      assertEquals((await sb.open(8)).userId, 8); // another user has their own cap
      await sa.close(first);
      await sa.close(first); // twice is harmless
      const third = await sb.open(7);
      assertEquals(await sa.openCount(7), 3);

      // Instance A dies: its slot is not renewed, B's are; after three renewals missed it is gone.
      now += sb.staleMs / 2;
      await sb.renew(second);
      await sb.renew(third);
      now += sb.staleMs / 2 + 1;
      assertEquals(await sb.openCount(7), 2);
      await sb.open(7);
      await assertRejects(() => sa.open(7), AppError);

      // A closing instance gives its slots back at once.
      await sb.closeAll();
      assertEquals(await sa.openCount(7), 0);
    }),
});

Deno.test({
  name: "[shared] streams: sessions ending wake this instance's streams at once",
  ignore,
  fn: () =>
    twoInstances(async (a) => {
      const sa = new SqlStreamRegistry(a.db, "instance-a", 3);
      let woken = 0;
      const unwatch = sa.watch(7, () => woken++);
      await sa.sessionsEnded(8);
      assertEquals(woken, 0);
      await sa.sessionsEnded(7);
      assertEquals(woken, 1);
      unwatch();
      await sa.sessionsEnded(7);
      assertEquals(woken, 1);
    }),
});

Deno.test({
  name: "[shared] upstream sends: one minute's budget is shared by instances, and so is a pause",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      const sa = new SqlSends(a.db, "openai");
      const sb = new SqlSends(b.db, "openai");
      const t = 30_000_000;
      assertEquals(await sa.take(t, 3), 0);
      assertEquals(await sb.take(t + 100, 3), 0);
      assertEquals(await sa.take(t + 200, 3), 0);
      assertEquals(await sb.take(t + 300, 3), RECORD_MS - 300);
      assertEquals(await new SqlSends(b.db, "fal").take(t + 300, 3), 0); // another provider
      assertEquals(await sb.take(t + RECORD_MS, 3), 0); // the first has left the record

      await sa.pause(t + RECORD_MS + 5_000);
      await sa.pause(t + RECORD_MS + 1_000); // a later pause wins
      assertEquals(await sb.take(t + RECORD_MS + 1, 3), 4_999);
    }),
});

Deno.test({
  name: "[shared] request budget: a turn waits while the shared minute is full",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      let now = 40_000_000;
      const clock = () => now;
      const ba = new RequestBudget(2, clock);
      const bb = new RequestBudget(2, clock);
      ba.share(new SqlSends(a.db, "openai"));
      bb.share(new SqlSends(b.db, "openai"));
      await ba.take(undefined, "1");
      await bb.take(undefined, "2");
      // Each bucket has a token again, but the two sends fill the shared minute.
      now += 31_000;
      const abort = new AbortController();
      const waiting = ba.take(abort.signal, "1");
      await new Promise((resolve) => setTimeout(resolve, 300));
      assertEquals(ba.waiting, 1);
      assert(ba.waitMs() > 25_000, `waitMs ${ba.waitMs()}`);
      abort.abort(new Error("test over"));
      await assertRejects(() => waiting);
    }),
});

Deno.test({
  name: "[shared] health: an outage one instance meets shows on the other, and so does recovery",
  ignore,
  fn: () =>
    twoInstances(async (a, b) => {
      const ha = new UpstreamHealth();
      const hb = new UpstreamHealth();
      ha.share(new SqlHealth(a.db, "openai"));
      hb.share(new SqlHealth(b.db, "openai"));
      let recovered = 0;
      ha.onRecovery(() => recovered++);
      ha.recordFailure(
        new UpstreamError(
          "connection refused",
          true,
          undefined,
          undefined,
          undefined,
          "unreachable",
        ),
      );
      await ha.sync();
      const seen = await hb.sync();
      assertEquals(seen.ok, false);
      assertEquals(seen.outage, "unreachable");
      assertEquals(seen.detail, "connection refused");

      await new Promise((resolve) => setTimeout(resolve, 5)); // a later write
      hb.recordSuccess();
      await hb.sync();
      assertEquals((await ha.sync()).ok, true);
      assertEquals(recovered, 1);
      // Another provider's health is its own.
      const other = new UpstreamHealth();
      other.share(new SqlHealth(a.db, "fal"));
      assertEquals((await other.sync()).ok, true);
    }),
});
