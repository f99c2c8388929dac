/**
 * Target 2: 10,000 live-stream subscribers (the page stream `GET /events`, 100 per user over 100
 * users) on one app process; how long one change takes to reach its subscribers, and the memory.
 * Subscribers are raw sockets in a separate process (bench/sse_clients.ts).
 *
 * With BENCH_DATABASE_URL, the same across instances on PostgreSQL: the subscribers on instance B,
 * the changes made by instance A (its NOTIFY reaches B, which re-reads the row and delivers).
 */
import { type BenchContext, fmt, type Row, type TargetResult } from "./common.ts";
import {
  BENCH_DIR,
  CpuMeter,
  log,
  median,
  memoryOf,
  percentile,
  sleep,
  startServer,
} from "./lib.ts";
import { BENCH_DATABASE_URL, notRunRows, serverVersion, throwawayDatabase } from "./pg.ts";
import { seed, SESSION_SECRET } from "./seed.ts";

const USERS = 100;
const PER_USER = 100;
const BUDGET_MS = 250;
/**
 * Streams per user on PostgreSQL: each stream claims a slot in the shared registry (a transaction
 * under a per-user advisory lock), about 8 a second on this machine, so 10,000 would take minutes.
 */
const PG_PER_USER = 10;

export async function fanoutBench(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const result = await sqliteFanout(ctx);
  const sqlite = result.raw as { changeP99: number; burstP99: number };
  if (!BENCH_DATABASE_URL) {
    result.rows.push(...notRunRows([
      {
        metric:
          `PostgreSQL, across instances: one change on A → its ${PG_PER_USER} subscribers on B`,
        target: `99% within ${BUDGET_MS} ms`,
      },
      {
        metric: `PostgreSQL, across instances: a change for each of the ${USERS} users on A → ` +
          `all subscribers on B`,
        target: `99% within ${BUDGET_MS} ms`,
      },
    ]));
    result.details.push("PostgreSQL (across instances): not run (set BENCH_DATABASE_URL).");
  } else {
    await using database = await throwawayDatabase("t2");
    const pg = await postgresFanout(ctx, database.url);
    const trials = pg.perChange.length;
    const changesMet = pg.perChange.filter((c) => c.within >= 0.99).length;
    const changeP99s = pg.perChange.map((c) => c.p99);
    const changeP99 = median(changeP99s);
    const burstP99 = percentile(pg.burst, 99);
    const burstWithin = pg.burst.filter((l) => l <= BUDGET_MS).length /
      (pg.burst.length + pg.burstMissing);
    result.rows.push(
      {
        metric:
          `PostgreSQL, across instances: one change on A → its ${PG_PER_USER} subscribers on B, ` +
          `with ${
            fmt(pg.connected)
          } streams open on B: p99 of each change (median of ${trials}; worst)`,
        value: `${fmt(changeP99, 1)} ms; worst ${fmt(Math.max(...changeP99s), 1)} ms ` +
          `(${changesMet} of ${trials} changes reached 99% within ${BUDGET_MS} ms)`,
        ceiling: `${fmt(sqlite.changeP99, 1)} ms (SQLite, one instance)`,
        ratio: `${fmt(changeP99 / sqlite.changeP99, 1)}×`,
        target: `99% within ${BUDGET_MS} ms`,
        ok: changesMet === trials,
        gap: changesMet === trials
          ? undefined
          : `${trials - changesMet} of ${trials} changes late; ` +
            `worst p99 over by ${fmt(Math.max(...changeP99s) - BUDGET_MS)} ms`,
      },
      {
        metric: `PostgreSQL, across instances: a change for each of the ${USERS} users on A → all ${
          fmt(pg.connected)
        } subscribers on B: p99 delivery`,
        value: `${fmt(burstP99, 1)} ms (${(burstWithin * 100).toFixed(1)}% within ${BUDGET_MS} ms)`,
        ceiling: `${fmt(sqlite.burstP99, 1)} ms (SQLite, one instance)`,
        ratio: `${fmt(burstP99 / sqlite.burstP99, 1)}×`,
        target: `99% within ${BUDGET_MS} ms`,
        ok: burstWithin >= 0.99,
        gap: burstWithin >= 0.99 ? undefined : `p99 over by ${fmt(burstP99 - BUDGET_MS)} ms`,
      },
    );
    result.details.push(
      `PostgreSQL, across instances: a throwaway database on BENCH_DATABASE_URL's server (${pg.version}), ` +
        `two app processes on it; ${USERS} users × ${PG_PER_USER} page streams (not ${PER_USER}: each stream ` +
        `claims a slot in the shared stream registry, a transaction under a per-user advisory lock, ` +
        `too slow here for 10,000 in a few minutes; connected one user after another in turn) ` +
        `connect to instance B ` +
        `(${fmt(pg.connected)} in ${
          fmt(pg.connectMs / 1000, 1)
        } s, ${pg.failed} failed; B counted ` +
        `${pg.subscribers} subscribers), and each change is made on instance A (\`db.updateVideo\` + ` +
        `\`events.publish\`, i.e. NOTIFY with the ids; B re-reads the row and delivers). ` +
        `Single changes: ${pg.single.length} deliveries over ${trials} trials (${pg.singleMissing} missing), ` +
        `p50 ${fmt(percentile(pg.single, 50), 1)} ms, p99 ${
          fmt(percentile(pg.single, 99), 1)
        } ms; ` +
        `per-change p99s: ${
          changeP99s.map((v) => fmt(v)).join(", ")
        } ms. Burst: ${pg.burst.length} ` +
        `deliveries (${pg.burstMissing} missing), p50 ${fmt(percentile(pg.burst, 50), 1)} ms, p90 ${
          fmt(percentile(pg.burst, 90), 1)
        } ms, p99 ${fmt(burstP99, 1)} ms, max ${fmt(Math.max(...pg.burst), 1)} ms. ` +
        `RSS of B with all connected: ${fmt(pg.rssMb, 1)} MB.`,
    );
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Subscribers on instance B, changes on instance A, both on the database at `databaseUrl`. */
async function postgresFanout(ctx: BenchContext, databaseUrl: string) {
  const users = await seed(`${ctx.work}/t2-pg-data`, {
    users: USERS,
    videosPerUser: 1,
    status: "in_progress",
    databaseUrl,
  });
  const version = await serverVersion(databaseUrl);
  const env = (instance: string) => ({
    DATA_DIR: `${ctx.work}/t2-pg-data-${instance}`,
    SESSION_SECRET,
    DATABASE_URL: databaseUrl,
    MAX_STREAMS_PER_USER: String(PER_USER),
  });
  const a = await startServer("app", { env: env("a") }, ctx.work, "t2-pg-a");
  let b: Awaited<ReturnType<typeof startServer>> | undefined;
  let clients: Clients | undefined;
  try {
    b = await startServer("app", { env: env("b") }, ctx.work, "t2-pg-b");
    clients = spawnClients(ctx, b.info.port, users, PG_PER_USER, true);
    await (await fetch(b.url("/"), { headers: { cookie: `sora_session=${users[0].cookie}` } }))
      .text();
    await sleep(500);
    const connect = await connectAll(clients, USERS * PG_PER_USER);
    const stats = await b.control<{ subscribers: number }>("/stats");
    await sleep(1500);
    const rssMb = memoryOf(b.pid).rssMb;
    const trials = ctx.quick ? 5 : 15;
    const single: number[] = [];
    let singleMissing = 0;
    const perChange: { within: number; p99: number }[] = [];
    for (let i = 0; i < trials; i++) {
      const user = users[(i * 37) % USERS];
      const { latencies, missing } = await change(a, clients, [user]);
      single.push(...latencies);
      singleMissing += missing;
      perChange.push({
        within: latencies.filter((l) => l <= BUDGET_MS).length / (latencies.length + missing),
        p99: missing / (latencies.length + missing) > 0.01 ? Infinity : percentile(latencies, 99),
      });
    }
    const burst: number[] = [];
    let burstMissing = 0;
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
      const r = await change(a, clients, users);
      burst.push(...r.latencies);
      burstMissing += r.missing;
    }
    log(
      `t2 PostgreSQL: single p99 ${fmt(percentile(single, 99), 1)} ms, burst p99 ${
        fmt(percentile(burst, 99), 1)
      } ms`,
    );
    return {
      version,
      connected: connect.connected,
      failed: connect.failed,
      connectMs: connect.ms,
      subscribers: stats.subscribers,
      rssMb,
      single,
      singleMissing,
      perChange,
      burst,
      burstMissing,
    };
  } finally {
    await clients?.quit();
    await b?.stop();
    await a.stop();
  }
}

async function sqliteFanout(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const dataDir = `${ctx.work}/t2-data`;
  const users = await seed(dataDir, { users: USERS, videosPerUser: 1, status: "in_progress" });
  const ceiling = await bareCeiling(ctx, users);
  log(
    `t2 ceiling (bare Deno.serve streams): ${fmt(ceiling.perConnKb, 1)} KB each, burst p99 ${
      fmt(ceiling.burstP99, 1)
    } ms`,
  );
  const app = await startServer(
    "app",
    // PER_USER streams for each user: above the app's default per-user cap on live streams.
    { env: { DATA_DIR: dataDir, SESSION_SECRET, MAX_STREAMS_PER_USER: String(PER_USER) } },
    ctx.work,
    "t2-app",
  );
  const clients = spawnClients(ctx, app.info.port, users);
  try {
    // One page request first, so the baseline includes a warmed-up app.
    await (await fetch(app.url("/"), { headers: { cookie: `sora_session=${users[0].cookie}` } }))
      .text();
    await sleep(500);
    const before = memoryOf(app.pid);
    const connect = await connectAll(clients);
    const stats = await app.control<{ subscribers: number }>("/stats");
    await sleep(1500);
    const connectedMem = memoryOf(app.pid);
    const cpu = new CpuMeter(app.pid);
    const idleFrom = cpu.read();
    const idleT = performance.now();
    await sleep(ctx.quick ? 1000 : 3000);
    const idleCpuPct = 100 * (cpu.read() - idleFrom) / (performance.now() - idleT);

    // (a) one change, one user: its 100 subscribers; several trials, users chosen in turn.
    const trials = ctx.quick ? 5 : 15;
    const single: number[] = [];
    let singleMissing = 0;
    /** Per change: the share of its subscribers reached within the budget, and its p99. */
    const perChange: { within: number; p99: number }[] = [];
    for (let i = 0; i < trials; i++) {
      const user = users[(i * 37) % USERS];
      const { latencies, missing } = await change(app, clients, [user]);
      single.push(...latencies);
      singleMissing += missing;
      perChange.push({
        within: latencies.filter((l) => l <= BUDGET_MS).length / (latencies.length + missing),
        p99: missing / (latencies.length + missing) > 0.01 ? Infinity : percentile(latencies, 99),
      });
    }
    const changesMet = perChange.filter((c) => c.within >= 0.99).length;
    const changeP99s = perChange.map((c) => c.p99);
    // (b) one change for every user at the same moment: all 10,000 subscribers get one.
    const burst: number[] = [];
    let burstMissing = 0;
    let publishMs = 0;
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
      const r = await change(app, clients, users);
      burst.push(...r.latencies);
      burstMissing += r.missing;
      publishMs = Math.max(publishMs, r.publishMs);
    }
    const peak = memoryOf(app.pid);
    const perConnKb = (connectedMem.rssMb - before.rssMb) * 1024 / connect.connected;
    const singleP99 = percentile(single, 99);
    const singleWithin = single.filter((l) => l <= BUDGET_MS).length /
      (single.length + singleMissing);
    const burstP99 = percentile(burst, 99);
    const burstWithin = burst.filter((l) => l <= BUDGET_MS).length / (burst.length + burstMissing);
    const rows: Row[] = [
      {
        metric:
          `One change → its ${PER_USER} subscribers, with ${
            fmt(connect.connected)
          } streams open: ` +
          `p99 of each change (median of ${trials} changes; worst)`,
        value: `${fmt(median(changeP99s), 1)} ms; worst ${fmt(Math.max(...changeP99s), 1)} ms ` +
          `(${changesMet} of ${trials} changes reached 99% within ${BUDGET_MS} ms)`,
        target: `99% within ${BUDGET_MS} ms`,
        ok: changesMet === trials,
        gap: changesMet === trials
          ? undefined
          : `${trials - changesMet} of ${trials} changes late; ` +
            `worst p99 over by ${fmt(Math.max(...changeP99s) - BUDGET_MS)} ms`,
      },
      {
        metric: `A change for each of the ${USERS} users at once → all ${
          fmt(connect.connected)
        } subscribers: p99 delivery`,
        value: `${fmt(burstP99, 1)} ms (${(burstWithin * 100).toFixed(1)}% within ${BUDGET_MS} ms)`,
        ceiling: `${fmt(ceiling.burstP99, 1)} ms (bare streams, one message to all)`,
        ratio: `${fmt(burstP99 / ceiling.burstP99, 1)}×`,
        target: `99% within ${BUDGET_MS} ms`,
        ok: burstWithin >= 0.99,
        gap: burstWithin >= 0.99 ? undefined : `p99 over by ${fmt(burstP99 - BUDGET_MS)} ms`,
      },
      {
        metric: `RSS with ${fmt(connect.connected)} subscribers (memory per subscriber)`,
        value: `${fmt(connectedMem.rssMb, 1)} MB (${fmt(perConnKb, 1)} KB each; peak ${
          fmt(peak.hwmMb, 1)
        } MB)`,
        ceiling: `${fmt(ceiling.rssMb, 1)} MB (${
          fmt(ceiling.perConnKb, 1)
        } KB each, bare Deno.serve streams)`,
        ratio: `${fmt(perConnKb / ceiling.perConnKb, 2)}× per subscriber`,
        target: "< 300 MB",
        ok: peak.hwmMb < 300,
        gap: peak.hwmMb < 300 ? undefined : `over by ${fmt(peak.hwmMb - 300)} MB`,
      },
      {
        metric: `CPU with ${fmt(connect.connected)} idle subscribers (heartbeats only)`,
        value: `${fmt(idleCpuPct, 1)}% of a core`,
        target: "(reported)",
        ok: null,
      },
    ];
    return {
      id: 2,
      title: "Live fan-out (10,000 SSE subscribers)",
      rows,
      details: [
        `${USERS} users × ${PER_USER} page streams (\`GET /events\`, cookie), raw TCP clients in a separate process; ` +
        `${fmt(connect.connected)} connected in ${
          fmt(connect.ms / 1000, 1)
        } s (${connect.failed} failed), app counted ${stats.subscribers} subscribers.`,
        `A change = what the job runner does on progress: \`db.updateVideo\` then \`events.publish(user, toVideo(row))\` ` +
        `(triggered through the bench server's control port); delivery time = first \`data:\` byte at a client − ` +
        `start of publishing (same machine clock). ${single.length} single-user deliveries over ${trials} trials ` +
        `(${singleMissing} missing); ${burst.length} burst deliveries (${burstMissing} missing); ` +
        `the server's synchronous publish of a 100-user burst took ${fmt(publishMs, 1)} ms.`,
        `Single changes, all deliveries together: p50 ${fmt(percentile(single, 50), 1)} ms, p99 ${
          fmt(singleP99, 1)
        } ms ` +
        `(${(singleWithin * 100).toFixed(1)}% within ${BUDGET_MS} ms), max ${
          fmt(Math.max(...single), 1)
        } ms; ` +
        `per-change p99s: ${changeP99s.map((v) => fmt(v)).join(", ")} ms. ` +
        `Burst: p50 ${fmt(percentile(burst, 50), 1)} ms, p90 ${
          fmt(percentile(burst, 90), 1)
        } ms, p99 ${fmt(burstP99, 1)} ms, max ${fmt(Math.max(...burst), 1)} ms.`,
        `RSS ${fmt(before.rssMb, 1)} MB before connecting, ${
          fmt(connectedMem.rssMb, 1)
        } MB with all connected ` +
        `(${fmt(perConnKb, 1)} KB each), high-water mark ${
          fmt(peak.hwmMb, 1)
        } MB after the bursts.`,
        `Ceiling, same run, same clients: \`bench/server.ts sse\` (Deno.serve answering a ReadableStream per connection, ` +
        `one shared message enqueued to all on a change): ${fmt(ceiling.before, 1)} → ${
          fmt(ceiling.rssMb, 1)
        } MB ` +
        `(${fmt(ceiling.perConnKb, 1)} KB each); burst p50 ${fmt(ceiling.burstP50, 1)} ms, p99 ${
          fmt(ceiling.burstP99, 1)
        } ms.`,
      ],
      seconds: (performance.now() - started) / 1000,
      raw: { changeP99: median(changeP99s), burstP99 },
    };
  } finally {
    await clients.quit();
    await app.stop();
  }
}

async function connectAll(clients: Clients, expected = USERS * PER_USER) {
  const connect = await clients.send({ cmd: "connect" }) as {
    connected: number;
    failed: number;
    ms: number;
    firstError?: string;
  };
  log(
    `t2: ${connect.connected} subscribers connected in ${
      fmt(connect.ms)
    } ms (${connect.failed} failed)`,
  );
  if (connect.connected < expected * 0.99) {
    throw new Error(
      `only ${connect.connected} of ${expected} connected: ${connect.firstError}`,
    );
  }
  return connect;
}

/** The same 10,000 clients against bare Deno.serve streams: memory per stream and burst delivery. */
async function bareCeiling(
  ctx: BenchContext,
  users: { id: number; cookie: string; videos: string[] }[],
) {
  const server = await startServer("sse", {}, ctx.work, "t2-sse");
  const clients = spawnClients(ctx, server.info.port, users);
  try {
    await sleep(300);
    const before = memoryOf(server.pid).rssMb;
    const connect = await connectAll(clients);
    await sleep(1500);
    const rssMb = memoryOf(server.pid).rssMb;
    const burst: number[] = [];
    for (let i = 0; i < (ctx.quick ? 1 : 2); i++) {
      burst.push(...(await change(server, clients, users)).latencies);
    }
    return {
      before,
      rssMb,
      perConnKb: (rssMb - before) * 1024 / connect.connected,
      burstP50: percentile(burst, 50),
      burstP99: percentile(burst, 99),
    };
  } finally {
    await clients.quit();
    await server.stop();
  }
}

interface Clients {
  send(command: unknown): Promise<unknown>;
  quit(): Promise<void>;
}

function spawnClients(
  ctx: BenchContext,
  port: number,
  users: { id: number; cookie: string }[],
  perUser = PER_USER,
  interleave = false,
): Clients {
  const config = {
    port,
    path: "/events",
    perUser,
    interleave,
    users: users.map((u) => ({ id: u.id, cookie: u.cookie })),
  };
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$@" 2>>"${ctx.work}/t2-clients.log"`,
      "sh",
      Deno.execPath(),
      "run",
      "-A",
      `${BENCH_DIR}sse_clients.ts`,
      JSON.stringify(config),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const readLine = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!buffer.includes("\n")) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("the SSE clients did not answer in time");
      const chunk = await Promise.race([reader.read(), sleep(left).then(() => null)]);
      if (chunk === null) continue;
      if (chunk.done) throw new Error("the SSE clients exited");
      buffer += chunk.value;
    }
    const nl = buffer.indexOf("\n");
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    return line;
  };
  return {
    async send(command) {
      await writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
      return JSON.parse(await readLine(150_000));
    },
    async quit() {
      try {
        await writer.write(new TextEncoder().encode('{"cmd":"quit"}\n'));
      } catch { /* gone */ }
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

/** Arms the subscribers of `users`, changes one video of each, and collects the delivery times. */
async function change(
  app: Awaited<ReturnType<typeof startServer>>,
  clients: Clients,
  users: { id: number; videos: string[] }[],
) {
  await clients.send({ cmd: "arm", users: users.map((u) => u.id) });
  const { at, publishMs } = await app.control<{ at: number; publishMs: number }>("/publish", {
    videos: users.map((u) => u.videos[0]),
  });
  // Wait well past the budget so slow deliveries are measured rather than cut off.
  await sleep(Math.max(1000, users.length * 15));
  const { arrivals } = await clients.send({ cmd: "report" }) as { arrivals: (number | null)[] };
  const latencies = arrivals.filter((a): a is number => a !== null).map((a) => a - at);
  return { latencies, missing: arrivals.length - latencies.length, publishMs };
}
