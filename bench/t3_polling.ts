/**
 * Target 3: 500 jobs in flight on the simulator.
 *
 * (a) The request budget under pressure: 500 jobs waiting (seeded as queued, as after a restart)
 *     against a small UPSTREAM_MAX_RPM for a little over a minute; every sliding 60 s window of the
 *     simulator's request log is counted.
 * (b) A budget sized for the load: 500 jobs created through the JSON API, default poll interval
 *     (5 s); the app's CPU is sampled every 100 ms and split into windows with and without
 *     upstream requests ("between ticks"); each job's completion is timed from the moment the
 *     simulator finishes it to the `completed` event on the owner's live stream.
 *
 * With BENCH_DATABASE_URL, (a) and (b) run again on PostgreSQL across two app instances (two
 * processes, one throwaway database, one simulator upstream in a process of its own): the budget
 * is the instances' shared one, jobs are created on both, and each user's live stream is read
 * from the instance that did not create that user's jobs.
 */
import { type BenchContext, fmt, type Row, type TargetResult } from "./common.ts";
import {
  type BenchServer,
  CpuMeter,
  log,
  median,
  percentile,
  sleep,
  startServer,
  wallMs,
} from "./lib.ts";
import { BENCH_DATABASE_URL, notRunRows, throwawayDatabase } from "./pg.ts";
import { seed, SESSION_SECRET } from "./seed.ts";
import { openDatabase } from "../services/stores/open_database.ts";

const JOBS = 500;
const USERS = 10;

interface UpstreamLog {
  requests: { m: string; p: string; at: number; f?: string }[];
  upstreamDoneAt: Record<string, number>;
}

/**
 * The app under test: one process on SQLite with the simulator inside it, or (with `databaseUrl`)
 * two processes on that PostgreSQL database sharing one simulator process.
 */
async function startApps(
  ctx: BenchContext,
  name: string,
  env: Record<string, string>,
  timeScale: number,
  databaseUrl?: string,
): Promise<{ apps: BenchServer[]; upstream(): Promise<UpstreamLog>; stop(): Promise<void> }> {
  if (!databaseUrl) {
    const app = await startServer(
      "app",
      { env: { ...env, SIMULATOR_TIME_SCALE: String(timeScale) } },
      ctx.work,
      name,
    );
    return { apps: [app], upstream: () => app.control("/upstream"), stop: () => app.stop() };
  }
  const servers: BenchServer[] = [];
  const stop = async () => {
    for (const server of servers.reverse()) await server.stop();
  };
  try {
    const upstream = await startServer("upstream", { timeScale }, ctx.work, `${name}-upstream`);
    servers.push(upstream);
    const upstreamUrl = `http://127.0.0.1:${upstream.info.port}/v1`;
    const apps = await Promise.all(["a", "b"].map((instance) =>
      startServer(
        "app",
        {
          upstreamUrl,
          env: { ...env, DATA_DIR: `${env.DATA_DIR}-${instance}`, DATABASE_URL: databaseUrl },
        },
        ctx.work,
        `${name}-${instance}`,
      )
    ));
    servers.push(...apps);
    return { apps, upstream: () => upstream.control("/upstream"), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Most requests in any window of `windowMs`, sliding over the request times. */
function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j] < t[i] - windowMs + 1) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function budgetUnderPressure(ctx: BenchContext, databaseUrl?: string) {
  const rpm = 1200;
  const runMs = ctx.quick ? 20_000 : 66_000;
  const name = databaseUrl ? "t3a-pg" : "t3a";
  const dataDir = `${ctx.work}/${name}-data`;
  const users = await seed(dataDir, { users: USERS, videosPerUser: 0, databaseUrl });
  const { db, client } = await openDatabase(`${dataDir}/sora-studio.db`, databaseUrl);
  const now = Date.now();
  await db.transaction(async (tx) => {
    for (let i = 0; i < JOBS; i++) {
      await tx.insertVideo({
        id: "vid_" + (0xa00000 + i).toString(16).padStart(24, "0"),
        user_id: users[i % USERS].id,
        prompt: `bench job ${i}: a paper boat drifting down a rain gutter`,
        model: "sora-2",
        size: "720x1280",
        seconds: "4",
        remixed_from: null,
        source_upstream_id: null,
        reference_key: null,
        reference_type: null,
        idempotency_key: crypto.randomUUID(),
        created_at: now + i,
      });
    }
  });
  await client.close();
  const cluster = await startApps(
    ctx,
    name,
    {
      DATA_DIR: dataDir,
      SESSION_SECRET,
      UPSTREAM_MAX_RPM: String(rpm),
      POLL_INTERVAL_MS: "2000",
    },
    2,
    databaseUrl,
  );
  try {
    await sleep(runMs);
    const up = await cluster.upstream();
    const times = up.requests.map((r) => r.at);
    const first = Math.min(...times);
    const windowMs = Math.min(60_000, runMs - 2000);
    const maxWindow = maxInWindow(times, windowMs);
    const max1s = maxInWindow(times, 1000);
    const allowed = rpm * windowMs / 60_000;
    const spanS = (Math.max(...times) - first) / 1000;
    return {
      rpm,
      windowMs,
      maxWindow,
      allowed,
      max1s,
      total: times.length,
      spanS,
      instances: cluster.apps.length,
    };
  } finally {
    await cluster.stop();
  }
}

/** Reads a user's JSON live stream and notes when each video is first seen `completed`. */
function watchCompletions(
  url: string,
  token: string,
  seen: Map<string, { at: number; upstream: string }>,
) {
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      const at = wallMs();
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith("data:")) continue;
        const video = JSON.parse(line.slice(5));
        if (video.status === "completed" && !seen.has(video.id)) {
          seen.set(video.id, { at, upstream: video.upstream_id });
        }
      }
    }
  })().catch(() => {});
  return { stop: () => abort.abort(), done };
}

async function loadSizedBudget(ctx: BenchContext, databaseUrl?: string) {
  const jobs = ctx.quick ? 150 : JOBS;
  const pollMs = 5000;
  const rpm = 12_000;
  const timeScale = ctx.quick ? 2 : 4;
  const name = databaseUrl ? "t3b-pg" : "t3b";
  const dataDir = `${ctx.work}/${name}-data`;
  const users = await seed(dataDir, { users: USERS, videosPerUser: 0, databaseUrl });
  const cluster = await startApps(
    ctx,
    name,
    {
      DATA_DIR: dataDir,
      SESSION_SECRET,
      UPSTREAM_MAX_RPM: String(rpm),
      POLL_INTERVAL_MS: String(pollMs),
      // Each user starts jobs / USERS videos at once: the per-user limits on starting are off.
      USER_MAX_IN_FLIGHT: "0",
      USER_MAX_CREATES_PER_MINUTE: "0",
    },
    timeScale,
    databaseUrl,
  );
  const apps = cluster.apps;
  // User u's jobs are created on apps[u % n] (job i belongs to user i % USERS, USERS is even);
  // its live stream is read from the next instance, so on PostgreSQL every completion crosses.
  const createOn = (u: number) => apps[u % apps.length];
  const watchOn = (u: number) => apps[(u + 1) % apps.length];
  const completions = new Map<string, { at: number; upstream: string }>();
  const watchers = users.map((u, k) =>
    watchCompletions(watchOn(k).url("/api/events"), u.bearer, completions)
  );
  const cpus = apps.map((app) => new CpuMeter(app.pid));
  const cpuRead = () => cpus.reduce((sum, cpu) => sum + cpu.read(), 0);
  const samples: { t: number; cpuMs: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push({ t: wallMs(), cpuMs: cpuRead() });
      await sleep(100);
    }
  })();
  try {
    await sleep(500);
    // Create the jobs through the API, 20 at a time.
    const createStart = wallMs();
    let next = 0;
    let failedCreates = 0;
    const createOne = async () => {
      while (next < jobs) {
        const i = next++;
        const user = users[i % USERS];
        const res = await fetch(createOn(i % USERS).url("/api/videos"), {
          method: "POST",
          headers: { authorization: `Bearer ${user.bearer}`, "content-type": "application/json" },
          body: JSON.stringify({
            prompt: `bench job ${i}: a red fox in fresh snow, slow dolly shot`,
            seconds: "4",
          }),
        });
        if (res.status !== 201) failedCreates++;
        await res.body?.cancel();
      }
    };
    await Promise.all(Array.from({ length: 20 }, createOne));
    const createdAt = wallMs();
    log(
      `t3b: ${jobs} jobs created in ${
        fmt((createdAt - createStart) / 1000, 1)
      } s (${failedCreates} failed)`,
    );
    // Wait for every completion (bounded: job length + a generous margin).
    const deadline = Date.now() + (3 + 4) * 1000 * timeScale + 60_000;
    while (completions.size < jobs && Date.now() < deadline) await sleep(250);
    const finishedAt = wallMs();
    await sleep(500);
    sampling = false;
    await sampler;
    const up = await cluster.upstream();
    const rows = await (async () => {
      const { db, client } = await openDatabase(`${dataDir}/sora-studio.db`, databaseUrl);
      try {
        const rows = [];
        for (const u of users) {
          for (const id of await db.videoIdsOfUser(u.id)) {
            rows.push((await db.videoOfUser(id, u.id))!);
          }
        }
        return rows;
      } finally {
        await client.close();
      }
    })();

    // Completion → browser.
    const latencies: number[] = [];
    for (const { at, upstream } of completions.values()) {
      const doneAt = up.upstreamDoneAt[upstream];
      if (doneAt) latencies.push(at - doneAt);
    }
    // CPU: the in-flight phase (all created → first upstream completion), in 100 ms windows.
    const firstDone = Math.min(...Object.values(up.upstreamDoneAt));
    const times = up.requests.map((r) => r.at).sort((a, b) => a - b);
    const busy = (from: number, to: number) => {
      // any upstream request within 50 ms of the window
      let lo = 0, hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid] < from - 50) lo = mid + 1;
        else hi = mid;
      }
      return lo < times.length && times[lo] <= to + 50;
    };
    let idleCpu = 0, idleMs = 0, tickCpu = 0, tickMs = 0, idleWindows = 0, tickWindows = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1], b = samples[i];
      if (a.t < createdAt + 1000 || b.t > firstDone) continue;
      const dCpu = b.cpuMs - a.cpuMs, dT = b.t - a.t;
      if (busy(a.t, b.t)) {
        tickCpu += dCpu;
        tickMs += dT;
        tickWindows++;
      } else {
        idleCpu += dCpu;
        idleMs += dT;
        idleWindows++;
      }
    }
    const inflightRequests = times.filter((t) => t >= createdAt + 1000 && t <= firstDone).length;
    const completed = rows.filter((r) => r.status === "completed");
    const callsDb = completed.reduce((s, r) => s + r.upstream_calls, 0) / completed.length;
    const byKind = { create: 0, retrieve: 0, download: 0, other: 0 };
    for (const r of up.requests) {
      if (r.m === "POST" && r.p === "/v1/videos") byKind.create++;
      else if (r.m === "GET" && r.p.endsWith("/content")) byKind.download++;
      else if (r.m === "GET") byKind.retrieve++;
      else byKind.other++;
    }
    const phaseS = (firstDone - createdAt) / 1000;
    return {
      jobs,
      pollMs,
      rpm,
      timeScale,
      failedCreates,
      createS: (createdAt - createStart) / 1000,
      completed: completed.length,
      seenCompleted: completions.size,
      totalS: (finishedAt - createStart) / 1000,
      latencies,
      idleCpuPct: idleMs ? (100 * idleCpu) / idleMs : NaN,
      idleMs,
      idleWindows,
      tickCpuPct: tickMs ? (100 * tickCpu) / tickMs : NaN,
      tickWindows,
      inflightCpuPct: (100 * (idleCpu + tickCpu)) / (idleMs + tickMs),
      cpuPerPollMs: (idleCpu + tickCpu) / Math.max(1, inflightRequests),
      phaseS,
      inflightRequests,
      callsPerVideo: up.requests.length / Math.max(1, completed.length),
      callsDb,
      byKind,
      max60: maxInWindow(times, 60_000),
      max1s: maxInWindow(times, 1000),
      instances: apps.length,
    };
  } finally {
    sampling = false;
    for (const w of watchers) w.stop();
    await cluster.stop();
  }
}

export async function pollingBench(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const b = await loadSizedBudget(ctx);
  log(
    `t3b: ${b.completed}/${b.jobs} completed; CPU between ticks ${fmt(b.idleCpuPct, 2)}%; ` +
      `completion→browser p99 ${fmt(percentile(b.latencies, 99))} ms`,
  );
  const a = await budgetUnderPressure(ctx);
  log(`t3a: max ${a.maxWindow} requests in a ${a.windowMs / 1000} s window (allowed ${a.allowed})`);
  const limitMs = b.pollMs + 1000;
  const latP99 = percentile(b.latencies, 99);
  const latMax = Math.max(...b.latencies);
  const within = b.latencies.filter((l) => l <= limitMs).length / b.jobs;
  const rows: Row[] = [
    {
      metric: `Upstream requests in any ${
        a.windowMs / 1000
      } s window, ${JOBS} jobs queued, UPSTREAM_MAX_RPM=${a.rpm}`,
      value: `${fmt(a.maxWindow)} requests`,
      ceiling: `${fmt(a.allowed)} allowed`,
      ratio: `${fmt((100 * a.maxWindow) / a.allowed, 1)}% of the limit`,
      target: "never above UPSTREAM_MAX_RPM",
      ok: a.maxWindow <= a.allowed,
      gap: a.maxWindow <= a.allowed
        ? undefined
        : `${fmt(a.maxWindow - a.allowed)} requests (${
          fmt((100 * (a.maxWindow - a.allowed)) / a.allowed, 1)
        }%) too many`,
    },
    {
      metric: `Same, ${b.jobs} jobs with UPSTREAM_MAX_RPM=${fmt(b.rpm)} (run (b))`,
      value: `${fmt(b.max60)} requests in the busiest 60 s; ${fmt(b.max1s)} in the busiest second`,
      ceiling: `${fmt(b.rpm)} / min`,
      target: "never above UPSTREAM_MAX_RPM",
      ok: b.max60 <= b.rpm,
    },
    {
      metric:
        `App CPU between poller ticks, ${b.jobs} jobs in flight (no upstream request within 50 ms)`,
      value: `${fmt(b.idleCpuPct, 2)}% of a core`,
      ceiling: `${fmt(b.tickCpuPct, 1)}% during ticks; ${fmt(b.inflightCpuPct, 1)}% overall`,
      target: "< 5% of a core",
      ok: b.idleCpuPct < 5,
      gap: b.idleCpuPct < 5 ? undefined : `over by ${fmt(b.idleCpuPct - 5, 1)} points`,
    },
    {
      metric: `Upstream completion → \`completed\` on the owner's live stream (poll interval ${
        b.pollMs / 1000
      } s)`,
      value: `p99 ${fmt(latP99 / 1000, 2)} s, max ${fmt(latMax / 1000, 2)} s (${
        (100 * within).toFixed(1)
      }% within ${limitMs / 1000} s)`,
      ceiling: `p50 ${fmt(median(b.latencies) / 1000, 2)} s`,
      target: `≤ ${limitMs / 1000} s (poll interval + 1 s)`,
      ok: within >= 0.99 && b.latencies.length === b.jobs,
      gap: within >= 0.99 ? undefined : `p99 over by ${fmt((latP99 - limitMs) / 1000, 2)} s`,
    },
    {
      metric: "Upstream calls per completed video",
      value: fmt(b.callsPerVideo, 2),
      ceiling: `${fmt(b.byKind.create / b.completed, 2)} create + ${
        fmt(b.byKind.retrieve / b.completed, 2)
      } status + ${fmt(b.byKind.download / b.completed, 2)} download`,
      target: "(reported)",
      ok: null,
    },
  ];
  const details: string[] = [];
  let pg: { a: typeof a; b: typeof b } | undefined;
  if (BENCH_DATABASE_URL) {
    {
      await using database = await throwawayDatabase("t3b");
      const pb = await loadSizedBudget(ctx, database.url);
      log(
        `t3b PostgreSQL: ${pb.completed}/${pb.jobs} completed; CPU between ticks ${
          fmt(pb.idleCpuPct, 2)
        }%; completion→browser p99 ${fmt(percentile(pb.latencies, 99))} ms`,
      );
      await using database2 = await throwawayDatabase("t3a");
      const pa = await budgetUnderPressure(ctx, database2.url);
      log(`t3a PostgreSQL: max ${pa.maxWindow} requests in a ${pa.windowMs / 1000} s window`);
      pg = { a: pa, b: pb };
    }
    const { a: pa, b: pb } = pg;
    const pLatP99 = percentile(pb.latencies, 99);
    const pWithin = pb.latencies.filter((l) => l <= limitMs).length / pb.jobs;
    const pn = `PostgreSQL, ${pb.instances} instances:`;
    rows.push(
      {
        metric: `${pn} upstream requests in any ${
          pa.windowMs / 1000
        } s window, ${JOBS} jobs queued, UPSTREAM_MAX_RPM=${pa.rpm} (one budget for both)`,
        value: `${fmt(pa.maxWindow)} requests`,
        ceiling: `${fmt(pa.allowed)} allowed (SQLite, one instance: ${fmt(a.maxWindow)})`,
        ratio: `${fmt((100 * pa.maxWindow) / pa.allowed, 1)}% of the limit`,
        target: "never above UPSTREAM_MAX_RPM",
        ok: pa.maxWindow <= pa.allowed,
        gap: pa.maxWindow <= pa.allowed ? undefined : `${fmt(pa.maxWindow - pa.allowed)} too many`,
      },
      {
        metric: `${pn} same, ${pb.jobs} jobs with UPSTREAM_MAX_RPM=${fmt(pb.rpm)} (run (b))`,
        value: `${fmt(pb.max60)} requests in the busiest 60 s; ${
          fmt(pb.max1s)
        } in the busiest second`,
        ceiling: `${fmt(pb.rpm)} / min`,
        target: "never above UPSTREAM_MAX_RPM",
        ok: pb.max60 <= pb.rpm,
      },
      {
        metric:
          `${pn} app CPU between poller ticks, ${pb.jobs} jobs in flight (both processes together)`,
        value: Number.isFinite(pb.idleCpuPct)
          ? `${fmt(pb.idleCpuPct, 2)}% of a core`
          : "n/a: the first upstream job finished before the last create (no in-flight phase)",
        ceiling: `SQLite, one process: ${fmt(b.idleCpuPct, 2)}%`,
        target: "< 5% of a core",
        ok: Number.isFinite(pb.idleCpuPct) ? pb.idleCpuPct < 5 : null,
        gap: !(pb.idleCpuPct >= 5) ? undefined : `over by ${fmt(pb.idleCpuPct - 5, 1)} points`,
      },
      {
        metric:
          `${pn} upstream completion → \`completed\` on the owner's live stream, read from the other instance`,
        value: `p99 ${fmt(pLatP99 / 1000, 2)} s, max ${
          fmt(Math.max(...pb.latencies) / 1000, 2)
        } s (${(100 * pWithin).toFixed(1)}% within ${
          limitMs / 1000
        } s; ${pb.completed}/${pb.jobs} completed)`,
        ceiling: `SQLite: p99 ${fmt(latP99 / 1000, 2)} s`,
        ratio: `${fmt(pLatP99 / latP99, 2)}× SQLite's p99`,
        target: `≤ ${limitMs / 1000} s (poll interval + 1 s)`,
        ok: pWithin >= 0.99 && pb.latencies.length === pb.jobs,
        gap: pWithin >= 0.99 && pb.latencies.length === pb.jobs
          ? undefined
          : `p99 over by ${fmt((pLatP99 - limitMs) / 1000, 2)} s` +
            (pb.latencies.length < pb.jobs
              ? `; ${pb.jobs - pb.latencies.length} completions not seen`
              : ""),
      },
      {
        metric: `${pn} upstream calls per completed video`,
        value: `${fmt(pb.callsPerVideo, 2)} (${fmt(pb.byKind.create / pb.completed, 2)} create + ${
          fmt(pb.byKind.retrieve / pb.completed, 2)
        } status + ${fmt(pb.byKind.download / pb.completed, 2)} download)`,
        ceiling: `SQLite: ${fmt(b.callsPerVideo, 2)}`,
        ratio: `${fmt(pb.callsPerVideo / b.callsPerVideo, 2)}×`,
        target: "(reported; each job created once)",
        ok: null,
      },
    );
    details.push(
      `PostgreSQL: the same (a) and (b), each on a throwaway database on BENCH_DATABASE_URL's server, with two app ` +
        `processes (\`DATABASE_URL\` set, each its own DATA_DIR) and one simulator process (\`bench/server.ts upstream\`) ` +
        `both talk to as their OpenAI endpoint. (a) ${fmt(pa.total)} requests over ${
          fmt(pa.spanS)
        } s, busiest ${pa.windowMs / 1000} s window ${fmt(pa.maxWindow)} (limit ${
          fmt(pa.allowed)
        }), busiest second ${fmt(pa.max1s)}. ` +
        `(b) ${pb.jobs} jobs created alternately on the two instances (${
          fmt(pb.createS, 1)
        } s, ${pb.failedCreates} failed); ` +
        `${pb.completed}/${pb.jobs} completed (${pb.seenCompleted} seen live) in ${
          fmt(pb.totalS)
        } s; completion → browser p50 ${fmt(median(pb.latencies))} ms, p90 ${
          fmt(percentile(pb.latencies, 90))
        } ms, p99 ${fmt(pLatP99)} ms (${pb.latencies.length} measured). ` +
        `CPU of both app processes: ${pb.idleWindows} windows between ticks at ${
          fmt(pb.idleCpuPct, 2)
        }%, ${pb.tickWindows} with ticks at ${fmt(pb.tickCpuPct, 1)}%; ${
          fmt(pb.cpuPerPollMs, 2)
        } ms per status check (PostgreSQL's own CPU not included). ` +
        `Upstream: ${pb.byKind.create} creates, ${pb.byKind.retrieve} status, ${pb.byKind.download} downloads, ` +
        `${pb.byKind.other} other; \`upstream_calls\` column ${
          fmt(pb.callsDb, 2)
        } per completed video.`,
    );
  } else {
    rows.push(...notRunRows([
      {
        metric:
          `PostgreSQL, 2 instances: upstream requests in any 60 s window, ${JOBS} jobs queued, UPSTREAM_MAX_RPM=1200`,
        target: "never above UPSTREAM_MAX_RPM",
      },
      {
        metric: `PostgreSQL, 2 instances: upstream completion → \`completed\` on the live stream`,
        target: `≤ ${limitMs / 1000} s (poll interval + 1 s)`,
      },
    ]));
    details.push("PostgreSQL (two instances): not run (set BENCH_DATABASE_URL).");
  }
  return {
    id: 3,
    title: "Polling at scale (500 jobs in flight on the simulator)",
    rows,
    details: [
      `(a) ${JOBS} queued jobs seeded in the database (as after a restart), UPSTREAM_MAX_RPM=${a.rpm} (token bucket: ` +
      `${a.rpm / 10} burst + ${a.rpm / 60}/s), POLL_INTERVAL_MS=2000, simulator timeScale 2, for ${
        fmt(a.spanS)
      } s: ` +
      `${fmt(a.total)} upstream requests; busiest ${a.windowMs / 1000} s window ${
        fmt(a.maxWindow)
      } (limit ${fmt(a.allowed)}), busiest 1 s window ${fmt(a.max1s)}.`,
      `(b) ${b.jobs} jobs created through \`POST /api/videos\` (20 at a time, ${
        fmt(b.createS, 1)
      } s, ${b.failedCreates} failed) ` +
      `over ${USERS} users, each user's \`GET /api/events\` stream open; POLL_INTERVAL_MS=${b.pollMs}, UPSTREAM_MAX_RPM=${
        fmt(b.rpm)
      }, ` +
      `simulator timeScale ${b.timeScale} (a 4 s video takes ${
        (3 + 4) * b.timeScale
      } s upstream). ` +
      `${b.completed}/${b.jobs} completed (${b.seenCompleted} seen live) in ${fmt(b.totalS)} s.`,
      `CPU sampled every 100 ms from /proc (all threads) over the in-flight phase (${
        fmt(b.phaseS, 1)
      } s, ${fmt(b.inflightRequests)} status checks): ` +
      `${b.idleWindows} windows between ticks at ${
        fmt(b.idleCpuPct, 2)
      }% of a core, ${b.tickWindows} windows with ticks at ` +
      `${fmt(b.tickCpuPct, 1)}%; ${
        fmt(b.cpuPerPollMs, 2)
      } ms of CPU per status check (SDK + simulator + SQLite + publish, all in-process).`,
      `Completion → browser: p50 ${fmt(median(b.latencies))} ms, p90 ${
        fmt(percentile(b.latencies, 90))
      } ms, ` +
      `p99 ${fmt(latP99)} ms, max ${
        fmt(latMax)
      } ms (${b.latencies.length} measured). Upstream requests: ` +
      `${b.byKind.create} creates, ${b.byKind.retrieve} status, ${b.byKind.download} downloads, ${b.byKind.other} other; ` +
      `the app's own \`upstream_calls\` column agrees: ${fmt(b.callsDb, 2)} per completed video.`,
      ...details,
    ],
    seconds: (performance.now() - started) / 1000,
    raw: {
      a,
      b: { ...b, latencies: undefined },
      pg: pg && { a: pg.a, b: { ...pg.b, latencies: undefined } },
    },
  };
}
