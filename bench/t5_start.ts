/**
 * Target 5: from process start to the first served page (the logged-in library, through the real
 * entry point `main.ts serve`, dependencies cached), and idle resident memory afterwards. The
 * ceiling is a bare Hono "hello" server started the same way, in the same run.
 */
import { type BenchContext, fmt, pct, type Row, type TargetResult } from "./common.ts";
import { BENCH_DIR, freePort, log, median, memoryOf, ROOT, sleep, spawnLogged } from "./lib.ts";
import { seed, SESSION_SECRET } from "./seed.ts";

interface StartRun {
  firstPageMs: number;
  idleRssMb: number;
}

async function startOnce(
  argv: string[],
  path: string,
  env: Record<string, string>,
  headers: Record<string, string>,
  logPath: string,
  idleMs: number,
): Promise<StartRun> {
  const port = freePort();
  const t0 = performance.now();
  const proc = spawnLogged(argv, {
    logPath,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
  });
  try {
    const deadline = t0 + 20_000;
    while (true) {
      if (performance.now() > deadline) throw new Error(`no page within 20 s (${argv.join(" ")})`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        const body = await res.text();
        if (res.status !== 200) {
          throw new Error(`first page answered ${res.status}: ${body.slice(0, 200)}`);
        }
        break;
      } catch (error) {
        if (!(error instanceof TypeError)) throw error; // connection refused: not listening yet
        await sleep(2);
      }
    }
    const firstPageMs = performance.now() - t0;
    await sleep(idleMs);
    return { firstPageMs, idleRssMb: memoryOf(proc.pid).rssMb };
  } finally {
    await proc.stop();
  }
}

export async function startBench(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const runs = ctx.quick ? 2 : 5;
  const idleMs = ctx.quick ? 1500 : 3000;
  const dataDir = `${ctx.work}/t5-data`;
  const [user] = await seed(dataDir, { users: 1, videosPerUser: 20 });
  const appEnv = { DATA_DIR: dataDir, SESSION_SECRET };
  // `deno task start` without the task runner in between.
  const appArgv = [
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    `${ROOT}main.ts`,
    "serve",
  ];
  const helloArgv = [
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    `${BENCH_DIR}hello_server.ts`,
  ];
  const cookie = { cookie: `sora_session=${user.cookie}` };
  // Dependencies cached and compiled once before measuring.
  await startOnce(appArgv, "/", appEnv, cookie, `${ctx.work}/t5-app.log`, 0);
  await startOnce(helloArgv, "/", {}, {}, `${ctx.work}/t5-hello.log`, 0);
  const app: StartRun[] = [];
  const hello: StartRun[] = [];
  for (let i = 0; i < runs; i++) {
    app.push(await startOnce(appArgv, "/", appEnv, cookie, `${ctx.work}/t5-app.log`, idleMs));
    hello.push(await startOnce(helloArgv, "/", {}, {}, `${ctx.work}/t5-hello.log`, idleMs));
    log(
      `t5 run ${i + 1}: app ${fmt(app[i].firstPageMs)} ms / ${fmt(app[i].idleRssMb)} MB; ` +
        `hello ${fmt(hello[i].firstPageMs)} ms / ${fmt(hello[i].idleRssMb)} MB`,
    );
  }
  const startMs = median(app.map((r) => r.firstPageMs));
  const helloMs = median(hello.map((r) => r.firstPageMs));
  const rss = median(app.map((r) => r.idleRssMb));
  const helloRss = median(hello.map((r) => r.idleRssMb));
  const rows: Row[] = [
    {
      metric: "Process start → first served page (`main.ts serve`, logged-in `GET /`)",
      value: `${fmt(startMs)} ms`,
      ceiling: `${fmt(helloMs)} ms (bare Hono)`,
      ratio: `${fmt(startMs / helloMs, 2)}×`,
      target: "< 300 ms",
      ok: startMs < 300,
      gap: startMs < 300 ? undefined : `over by ${fmt(startMs - 300)} ms`,
    },
    {
      metric: `Idle RSS (${idleMs / 1000} s after the first page)`,
      value: `${fmt(rss, 1)} MB`,
      ceiling: `${fmt(helloRss, 1)} MB (bare Hono)`,
      ratio: pct(helloRss / rss) + " of it is the bare runtime",
      target: "< 90 MB",
      ok: rss < 90,
      gap: rss < 90 ? undefined : `over by ${fmt(rss - 90, 1)} MB`,
    },
  ];
  return {
    id: 5,
    title: "Start and idle",
    rows,
    details: [
      `${runs} cold process starts each (after one unmeasured start that fills the module cache), app and bare Hono alternating; medians.`,
      `Timed from spawning \`deno run … main.ts serve\` to the end of the body of the first 200 on the logged-in library (polled every 2 ms).`,
      `Runs (app ms / MB): ${
        app.map((r) => `${fmt(r.firstPageMs)}/${fmt(r.idleRssMb, 1)}`).join(", ")
      }; ` +
      `hello: ${hello.map((r) => `${fmt(r.firstPageMs)}/${fmt(r.idleRssMb, 1)}`).join(", ")}.`,
    ],
    seconds: (performance.now() - started) / 1000,
    raw: { app, hello },
  };
}
