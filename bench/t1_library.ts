/**
 * Target 1: the library page (logged in, first page of 10,000 videos) and the JSON list, against
 * a bare Hono "hello" route on Deno, in alternating rounds of the same run, 64 connections. With
 * BENCH_DATABASE_URL, the same library in a PostgreSQL database is measured by a second app
 * server in the same rounds (hello → page → JSON → page on PostgreSQL → JSON on PostgreSQL).
 */
import { type BenchContext, fmt, pct, type Row, type TargetResult } from "./common.ts";
import {
  type BenchServer,
  CpuMeter,
  log,
  median,
  memoryOf,
  startServer,
  wrk,
  type WrkResult,
} from "./lib.ts";
import { BENCH_DATABASE_URL, notRunRows, serverVersion, throwawayDatabase } from "./pg.ts";
import { seed, type SeededUser, SESSION_SECRET } from "./seed.ts";

const CONNECTIONS = 64;

export async function libraryBench(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const rounds = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 3 : 5;
  const dataDir = `${ctx.work}/t1-data`;
  const [user] = await seed(dataDir, { users: 1, videosPerUser: 10_000 });
  // The same library in a throwaway PostgreSQL database, served by a second app process.
  await using pgDb = BENCH_DATABASE_URL ? await throwawayDatabase("t1") : undefined;
  let pgUser: SeededUser | undefined;
  let pgVersion = "";
  if (pgDb) {
    const seedStart = performance.now();
    [pgUser] = await seed(`${ctx.work}/t1-pg-data`, {
      users: 1,
      videosPerUser: 10_000,
      databaseUrl: pgDb.url,
    });
    pgVersion = await serverVersion(pgDb.url);
    log(`t1: seeded 10,000 videos into ${pgVersion} in ${fmt(performance.now() - seedStart)} ms`);
  }
  const servers: BenchServer[] = [];
  try {
    const app = await startServer(
      "app",
      { env: { DATA_DIR: dataDir, SESSION_SECRET } },
      ctx.work,
      "t1-app",
    );
    servers.push(app);
    const hello = await startServer("hello", {}, ctx.work, "t1-hello");
    servers.push(hello);
    const pgApp = pgDb
      ? await startServer(
        "app",
        { env: { DATA_DIR: `${ctx.work}/t1-pg-data`, SESSION_SECRET, DATABASE_URL: pgDb.url } },
        ctx.work,
        "t1-pg-app",
      )
      : undefined;
    if (pgApp) servers.push(pgApp);
    type Name = "hello" | "page" | "json" | "pgPage" | "pgJson";
    const cases: Partial<Record<Name, { url: string; headers: Record<string, string> }>> = {
      hello: { url: hello.url("/"), headers: {} as Record<string, string> },
      page: { url: app.url("/"), headers: { cookie: `sora_session=${user.cookie}` } },
      json: { url: app.url("/api/videos"), headers: { authorization: `Bearer ${user.bearer}` } },
    };
    if (pgApp && pgUser) {
      cases.pgPage = { url: pgApp.url("/"), headers: { cookie: `sora_session=${pgUser.cookie}` } };
      cases.pgJson = {
        url: pgApp.url("/api/videos"),
        headers: { authorization: `Bearer ${pgUser.bearer}` },
      };
    }
    // Each must really answer the library, not a redirect to the login page.
    const check = async (pageCase: Name, jsonCase: Name, seeded: SeededUser) => {
      const page = await fetch(cases[pageCase]!.url, { headers: cases[pageCase]!.headers });
      const html = await page.text();
      if (page.status !== 200 || !html.includes(seeded.videos[0])) {
        throw new Error(`library page not served (${pageCase}: ${page.status})`);
      }
      const list = await (await fetch(cases[jsonCase]!.url, { headers: cases[jsonCase]!.headers }))
        .json();
      if (list.data?.[0]?.id !== seeded.videos[0]) {
        throw new Error(`JSON list not served (${jsonCase})`);
      }
      return { html, list, jsonBytes: JSON.stringify(list).length };
    };
    const { html, list, jsonBytes } = await check("page", "json", user);
    if (pgUser) await check("pgPage", "pgJson", pgUser);
    const names = Object.keys(cases) as Name[];

    for (const name of names) {
      const c = cases[name]!;
      await wrk(c.url, { connections: CONNECTIONS, seconds: 1, headers: c.headers }); // JIT warm-up
    }
    const runs: Record<Name, WrkResult[]> = {
      hello: [],
      page: [],
      json: [],
      pgPage: [],
      pgJson: [],
    };
    // Server CPU per answered request: hardly affected by the machine's other load, so it backs
    // up the req/s ratio when the shared machine is busy. (PostgreSQL's own CPU is not in it: it
    // is its own process, reported separately below.)
    const cpuUs: Record<Name, number[]> = { hello: [], page: [], json: [], pgPage: [], pgJson: [] };
    const meters: Partial<Record<Name, CpuMeter>> = {
      hello: new CpuMeter(hello.pid),
      page: new CpuMeter(app.pid),
      json: new CpuMeter(app.pid),
    };
    if (pgApp) meters.pgPage = meters.pgJson = new CpuMeter(pgApp.pid);
    const pgBackendMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const c = cases[name]!;
        const cpuBefore = meters[name]!.read();
        const backendBefore = name.startsWith("pg") ? await postgresCpuMs() : 0;
        const r = await wrk(c.url, { connections: CONNECTIONS, seconds, headers: c.headers });
        cpuUs[name].push((meters[name]!.read() - cpuBefore) * 1000 / r.requests);
        if (name.startsWith("pg")) {
          pgBackendMs.push((await postgresCpuMs() - backendBefore) * 1000 / r.requests);
        }
        if (r.errors || r.non2xx) {
          throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        }
        runs[name].push(r);
        log(`t1 round ${round + 1} ${name}: ${fmt(r.rps)} req/s, p99 ${r.p99Ms} ms`);
      }
    }
    // Ratios within each round (neighbours in time), then their median.
    const ratio = (name: Name) => median(runs[name].map((r, i) => r.rps / runs.hello[i].rps));
    const rps = (name: Name) => median(runs[name].map((r) => r.rps));
    const p99 = (name: Name) => median(runs[name].map((r) => r.p99Ms));
    const cpu = (name: Name) => median(cpuUs[name]);
    const rows: Row[] = [];
    const measured: [Name, string][] = [
      ["page", "Library page `GET /`"],
      ["json", "JSON list `GET /api/videos`"],
    ];
    if (pgApp) {
      measured.push(["pgPage", "PostgreSQL: library page `GET /`"]);
      measured.push(["pgJson", "PostgreSQL: JSON list `GET /api/videos`"]);
    }
    for (const [name, label] of measured) {
      const r = ratio(name);
      rows.push({
        metric: `${label}: req/s vs hello`,
        value: `${fmt(rps(name))} req/s`,
        ceiling: `${fmt(rps("hello"))} req/s`,
        ratio: pct(r),
        target: "≥ 30%",
        ok: r >= 0.3,
        gap: r >= 0.3 ? undefined : `needs ${fmt(0.3 / r, 1)}× the throughput`,
      });
      rows.push({
        metric: `${label}: server CPU per request (contention-proof cross-check)`,
        value: `${fmt(cpu(name))} µs`,
        ceiling: `${fmt(cpu("hello"), 1)} µs`,
        ratio: pct(cpu("hello") / cpu(name)),
        target: "(reported; ≥ 30% would match)",
        ok: null,
      });
      rows.push({
        metric: `${label}: p99 latency, ${CONNECTIONS} connections`,
        value: `${fmt(p99(name), 1)} ms`,
        ceiling: `${fmt(p99("hello"), 2)} ms`,
        target: "< 25 ms",
        ok: p99(name) < 25,
        gap: p99(name) < 25 ? undefined : `over by ${fmt(p99(name) - 25, 1)} ms`,
      });
    }
    if (pgApp) {
      for (
        const [name, sqlite, label] of [
          ["pgPage", "page", "library page"],
          ["pgJson", "json", "JSON list"],
        ] as const
      ) {
        const r = median(runs[name].map((x, i) => x.rps / runs[sqlite][i].rps));
        rows.push({
          metric: `PostgreSQL vs SQLite: ${label} req/s`,
          value: `${fmt(rps(name))} req/s`,
          ceiling: `${fmt(rps(sqlite))} req/s (SQLite)`,
          ratio: pct(r),
          target: "(reported)",
          ok: null,
        });
      }
    } else {
      rows.push(...notRunRows([
        { metric: "PostgreSQL: library page `GET /`: req/s vs hello", target: "≥ 30%" },
        { metric: "PostgreSQL: JSON list `GET /api/videos`: req/s vs hello", target: "≥ 30%" },
      ]));
    }
    const mem = memoryOf(app.pid);
    const details = [
      `Library of 10,000 videos of one user (seeded through \`Database\`), first page = ${list.data.length} cards; ` +
      `page ${fmt(html.length / 1024, 1)} KB of HTML, JSON list ${fmt(jsonBytes / 1024, 1)} KB.`,
      `wrk -t1 -c${CONNECTIONS}, ${rounds} round(s) of ${seconds} s per route, hello → page → JSON in each round; ` +
      `figures are medians over rounds, ratios are taken within a round. Server RSS after: ${
        fmt(mem.rssMb)
      } MB.`,
      `Per round (req/s): hello ${runs.hello.map((r) => fmt(r.rps)).join(" / ")}; page ${
        runs.page.map((r) => fmt(r.rps)).join(" / ")
      }; ` +
      `JSON ${runs.json.map((r) => fmt(r.rps)).join(" / ")}.`,
      `Server CPU per request (all threads, from /proc): hello ${fmt(cpu("hello"), 1)} µs, ` +
      `page ${fmt(cpu("page"))} µs, JSON ${fmt(cpu("json"))} µs; 30% of hello's rate leaves ` +
      `${fmt(cpu("hello") / 0.3)} µs of CPU per request.`,
    ];
    if (pgApp) {
      details.push(
        `PostgreSQL: the same library (10,000 videos, seeded through \`Database\` over \`openDatabase(…, url)\`) in a ` +
          `throwaway database on BENCH_DATABASE_URL's server (${pgVersion}, same machine, over TCP), served by a second ` +
          `app process (\`DATABASE_URL\` set), measured in the same rounds after the SQLite app's: page ${
            runs.pgPage.map((r) => fmt(r.rps)).join(" / ")
          }, JSON ${
            runs.pgJson.map((r) => fmt(r.rps)).join(" / ")
          } req/s. App CPU per request: page ${fmt(cpu("pgPage"))} µs, JSON ${
            fmt(cpu("pgJson"))
          } µs; ` +
          `PostgreSQL's server processes (all \`postgres\` processes of the machine, from /proc) used ${
            fmt(median(pgBackendMs.filter((_, i) => i % 2 === 0)))
          } µs more per page and ${
            fmt(median(pgBackendMs.filter((_, i) => i % 2 === 1)))
          } µs per JSON list. RSS of that app after: ${fmt(memoryOf(pgApp.pid).rssMb)} MB.`,
      );
    } else {
      details.push("PostgreSQL: not run (set BENCH_DATABASE_URL).");
    }
    return {
      id: 1,
      title: "Library page and JSON list (10,000 videos)",
      rows,
      details,
      seconds: (performance.now() - started) / 1000,
      raw: { runs, cpuUs, pgBackendUs: pgBackendMs },
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** CPU ms used so far by every `postgres` process of the machine (the server under the bench). */
async function postgresCpuMs(): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      if (comm !== "postgres") continue;
      const fields = stat.slice(close + 2).split(" ");
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch { /* gone */ }
  }
  return total;
}
