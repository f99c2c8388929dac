/**
 * Target 4: a 200 MB MP4 from the app's content route against Deno's own static file serving
 * (`(await Deno.open(path)).readable`) in the same run; memory while 1 GB streams out; seeks.
 */
import { type BenchContext, fmt, pct, type Row, type TargetResult } from "./common.ts";
import { CpuMeter, log, median, memoryOf, percentile, run, sleep, startServer } from "./lib.ts";
import { seed, SESSION_SECRET, writeBigFile } from "./seed.ts";

const SIZE = 200 * 1024 * 1024;

async function curlDownload(url: string, headers: Record<string, string>, limitRate?: string) {
  const args = [
    "-s",
    "-o",
    "/dev/null",
    "--max-time",
    "60",
    "-w",
    "%{http_code} %{size_download} %{time_total}",
  ];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  if (limitRate) args.push("--limit-rate", limitRate);
  args.push(url);
  const out = await run("curl", args);
  const [code, size, seconds] = out.stdout.trim().split(" ").map(Number);
  if (code !== 200 || size !== SIZE) throw new Error(`download of ${url}: ${code}, ${size} bytes`);
  return { seconds, mbPerS: size / 1024 / 1024 / seconds };
}

export async function streamingBench(ctx: BenchContext): Promise<TargetResult> {
  const started = performance.now();
  const dataDir = `${ctx.work}/t4-data`;
  const [user] = await seed(dataDir, { users: 1, videosPerUser: 1 });
  const videoId = user.videos[0];
  const path = `${dataDir}/media/${videoId}/video.mp4`;
  await Deno.mkdir(`${dataDir}/media/${videoId}`, { recursive: true });
  await writeBigFile(path, SIZE);
  const app = await startServer(
    "app",
    { env: { DATA_DIR: dataDir, SESSION_SECRET } },
    ctx.work,
    "t4-app",
  );
  const ceiling = await startServer("static", { path }, ctx.work, "t4-static");
  const auth = { authorization: `Bearer ${user.bearer}` };
  const appUrl = app.url(`/api/videos/${videoId}/content`);
  const staticUrl = ceiling.url("/");
  try {
    // Warm: the file in the page cache, both code paths compiled.
    await curlDownload(staticUrl, {});
    await (await fetch(appUrl, { headers: { ...auth, range: "bytes=0-65535" } })).arrayBuffer();
    await sleep(300);

    // Memory while 1 GB streams out: five whole downloads at once, RSS sampled every 20 ms.
    const rssGrowth = async (pid: number, url: string, headers: Record<string, string>) => {
      const base = memoryOf(pid).rssMb;
      let peak = base;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, memoryOf(pid).rssMb);
          await sleep(20);
        }
      })();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 5 }, () => curlDownload(url, headers)));
      const seconds = (performance.now() - t0) / 1000;
      sampling = false;
      await sampler;
      return { base, peak, growth: peak - base, seconds };
    };
    const appMem = await rssGrowth(app.pid, appUrl, auth);
    const staticMem = await rssGrowth(ceiling.pid, staticUrl, {});
    log(
      `t4 RSS growth streaming 1 GB: app ${fmt(appMem.growth, 1)} MB, static ${
        fmt(staticMem.growth, 1)
      } MB`,
    );
    // A slow reader must not make the server buffer the file: one 200 MB download at 100 MB/s.
    const slow = await (async () => {
      const base = memoryOf(app.pid).rssMb;
      let peak = base;
      const download = curlDownload(appUrl, auth, "100M");
      let done = false;
      void download.finally(() => done = true);
      while (!done) {
        peak = Math.max(peak, memoryOf(app.pid).rssMb);
        await sleep(20);
      }
      return { growth: peak - base, ...(await download) };
    })();

    // Throughput: one client at a time, static and app alternating; each figure is three whole
    // downloads back to back (600 MB), so a moment of noise on this shared machine weighs less.
    // The server's CPU time per download is measured too: unlike wall-clock speed, it hardly
    // depends on what else the shared machine is doing.
    const appCpu = new CpuMeter(app.pid);
    const staticCpu = new CpuMeter(ceiling.pid);
    const triple = async (url: string, headers: Record<string, string>, cpu: CpuMeter) => {
      let seconds = 0;
      const cpuBefore = cpu.read();
      for (let k = 0; k < 3; k++) seconds += (await curlDownload(url, headers)).seconds;
      return { mbPerS: (3 * SIZE) / 1024 / 1024 / seconds, cpuMs: (cpu.read() - cpuBefore) / 3 };
    };
    const rounds = ctx.quick ? 2 : 5;
    const appRuns: number[] = [];
    const staticRuns: number[] = [];
    const ratios: number[] = [];
    const appCpuMs: number[] = [];
    const staticCpuMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const s = await triple(staticUrl, {}, staticCpu);
      const a = await triple(appUrl, auth, appCpu);
      staticRuns.push(s.mbPerS);
      appRuns.push(a.mbPerS);
      staticCpuMs.push(s.cpuMs);
      appCpuMs.push(a.cpuMs);
      ratios.push(a.mbPerS / s.mbPerS);
      log(`t4 round ${i + 1}: static ${fmt(s.mbPerS)} MB/s, app ${fmt(a.mbPerS)} MB/s`);
    }
    const ratio = median(ratios);

    // Seeks: a player asks for `bytes=N-` and reads on; timed to the first body bytes, then
    // cancelled. And small bounded ranges, read whole.
    const seeks = ctx.quick ? 60 : 300;
    const seekMs: number[] = [];
    const rangeMs: number[] = [];
    for (let i = 0; i < seeks; i++) {
      const start = Math.floor(Math.random() * (SIZE - 2_000_000));
      let t0 = performance.now();
      let res = await fetch(appUrl, { headers: { ...auth, range: `bytes=${start}-` } });
      const reader = res.body!.getReader();
      await reader.read();
      seekMs.push(performance.now() - t0);
      if (res.status !== 206) throw new Error(`seek answered ${res.status}`);
      await reader.cancel();
      t0 = performance.now();
      res = await fetch(appUrl, {
        headers: { ...auth, range: `bytes=${start}-${start + 65_535}` },
      });
      const body = await res.arrayBuffer();
      rangeMs.push(performance.now() - t0);
      if (res.status !== 206 || body.byteLength !== 65_536) throw new Error("bad range answer");
    }
    const seekP99 = percentile(seekMs, 99);
    const rangeP99 = percentile(rangeMs, 99);
    const rows: Row[] = [
      {
        metric: "200 MB MP4 download (`GET /api/videos/:id/content`), throughput",
        value: `${fmt(median(appRuns))} MB/s`,
        ceiling: `${fmt(median(staticRuns))} MB/s (Deno.open(path).readable)`,
        ratio: pct(ratio),
        target: "≥ 70%",
        ok: ratio >= 0.7,
        gap: ratio >= 0.7 ? undefined : `needs ${fmt(0.7 / ratio, 2)}× the throughput`,
      },
      {
        metric: "Server CPU time per 200 MB download (robust to the machine's other load)",
        value: `${fmt(median(appCpuMs))} ms`,
        ceiling: `${fmt(median(staticCpuMs))} ms`,
        ratio: `${fmt(median(appCpuMs) / median(staticCpuMs), 2)}× the static server's`,
        target: "(reported)",
        ok: null,
      },
      {
        metric: "RSS growth while streaming 1 GB (5 × 200 MB at once)",
        value: `${fmt(appMem.growth, 1)} MB`,
        ceiling: `${fmt(staticMem.growth, 1)} MB (static server, same load)`,
        target: "< 20 MB",
        ok: appMem.growth < 20,
        gap: appMem.growth < 20 ? undefined : `over by ${fmt(appMem.growth - 20, 1)} MB`,
      },
      {
        metric: "Seek (`Range: bytes=N-`): time to the first body bytes, p99",
        value: `${fmt(seekP99, 2)} ms (p50 ${fmt(percentile(seekMs, 50), 2)} ms)`,
        target: "< 5 ms",
        ok: seekP99 < 5,
        gap: seekP99 < 5 ? undefined : `over by ${fmt(seekP99 - 5, 2)} ms`,
      },
      {
        metric: "64 KB range read whole, p99",
        value: `${fmt(rangeP99, 2)} ms (p50 ${fmt(percentile(rangeMs, 50), 2)} ms)`,
        target: "< 5 ms",
        ok: rangeP99 < 5,
        gap: rangeP99 < 5 ? undefined : `over by ${fmt(rangeP99 - 5, 2)} ms`,
      },
    ];
    return {
      id: 4,
      title: "Content streaming (200 MB MP4)",
      rows,
      details: [
        `A 200 MB file of random bytes as a finished video's \`video.mp4\`; downloads with curl to /dev/null over loopback, ` +
        `${rounds} rounds, static then app in each (each figure = 3 downloads back to back); ratio = median of per-round ratios; best rounds ${
          fmt(Math.max(...appRuns))
        } vs ${fmt(Math.max(...staticRuns))} MB/s. ` +
        `Static MB/s: ${staticRuns.map((v) => fmt(v)).join(" / ")}; app: ${
          appRuns.map((v) => fmt(v)).join(" / ")
        }.`,
        `Memory: RSS sampled every 20 ms while five 200 MB downloads run at once: app ${
          fmt(appMem.base, 1)
        } → peak ` +
        `${fmt(appMem.peak, 1)} MB (${fmt(appMem.seconds, 1)} s); static ${
          fmt(staticMem.base, 1)
        } → ${fmt(staticMem.peak, 1)} MB. ` +
        `A slow reader (curl --limit-rate 100M, ${fmt(slow.seconds, 1)} s): app RSS grew ${
          fmt(slow.growth, 1)
        } MB.`,
        `Seeks: ${seeks} random offsets, each \`bytes=N-\` (timed to the first chunk, then cancelled) and \`bytes=N-N+65535\` ` +
        `(read whole), one at a time through Deno's fetch (its own overhead included). Seek max ${
          fmt(Math.max(...seekMs), 2)
        } ms; ` +
        `64 KB range max ${fmt(Math.max(...rangeMs), 2)} ms. Seek p90/p95 ${
          fmt(percentile(seekMs, 90), 2)
        }/${fmt(percentile(seekMs, 95), 2)} ms; slowest six ${
          [...seekMs].sort((a, b) => a - b).slice(-6).map((v) => fmt(v, 1)).join(", ")
        } ms.`,
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await app.stop();
    await ceiling.stop();
  }
}
