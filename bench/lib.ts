/**
 * Shared helpers of the benchmark driver: spawning the servers under test, reading their memory
 * and CPU from /proc, running wrk, and small statistics. Nothing here touches the app's code.
 */

export const BENCH_DIR = new URL(".", import.meta.url).pathname;
export const ROOT = new URL("..", import.meta.url).pathname;
/** The soft and hard open-file limit given to every process the bench starts. */
export const NOFILE = 65536;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock milliseconds with sub-ms precision, comparable between processes on this machine. */
export const wallMs = () => performance.timeOrigin + performance.now();

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function log(...parts: unknown[]): void {
  const t = new Date().toISOString().slice(11, 19);
  console.error(`[bench ${t}]`, ...parts);
}

// --- /proc ---------------------------------------------------------------------------------------

/** VmRSS and VmHWM of a process, in MB (MiB). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

/**
 * CPU time of a whole process in ms, precise to the nanosecond: the sum of each thread's
 * /proc/<pid>/task/<tid>/schedstat. Threads that ended are remembered so the sum never goes back.
 */
export class CpuMeter {
  readonly #pid: number;
  readonly #lastByTid = new Map<string, number>();
  #total = 0;

  constructor(pid: number) {
    this.#pid = pid;
    this.read();
  }

  /** Total CPU ms used since the meter was created (plus the threads' time before it). */
  read(): number {
    let tids: string[];
    try {
      tids = [...Deno.readDirSync(`/proc/${this.#pid}/task`)].map((e) => e.name);
    } catch {
      return this.#total;
    }
    for (const tid of tids) {
      let ns: number;
      try {
        ns = Number(
          Deno.readTextFileSync(`/proc/${this.#pid}/task/${tid}/schedstat`).split(" ")[0],
        );
      } catch {
        continue;
      }
      const prev = this.#lastByTid.get(tid) ?? 0;
      if (ns > prev) this.#total += (ns - prev) / 1e6;
      this.#lastByTid.set(tid, ns);
    }
    return this.#total;
  }
}

// --- processes -----------------------------------------------------------------------------------

export interface Spawned {
  pid: number;
  child: Deno.ChildProcess;
  logPath: string;
  stop(): Promise<void>;
}

/**
 * Starts a command with a raised open-file limit, its output going to `logPath` (so a chatty
 * server never blocks on a full pipe). The pid is the command's own (the shell execs it).
 */
export function spawnLogged(
  argv: string[],
  options: { logPath: string; env?: Record<string, string>; cwd?: string; stdin?: boolean },
): Spawned {
  const script =
    `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$@" >>"$LOG_PATH" 2>&1`;
  const child = new Deno.Command("sh", {
    args: ["-c", script, "sh", ...argv],
    env: { ...options.env, LOG_PATH: options.logPath },
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin ? "piped" : "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid,
    child,
    logPath: options.logPath,
    stop() {
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
        }, 3000);
        await child.status;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}

export interface ServerInfo {
  port: number;
  controlPort?: number;
  [key: string]: unknown;
}

export interface BenchServer extends Spawned {
  info: ServerInfo;
  url(path: string): string;
  control<T = unknown>(path: string, body?: unknown): Promise<T>;
}

/** Runs bench/server.ts in its own process and waits until it says where it listens. */
export async function startServer(
  mode: "app" | "hello" | "sse" | "static" | "upstream",
  options: Record<string, unknown>,
  workDir: string,
  name: string,
): Promise<BenchServer> {
  const readyPath = `${workDir}/${name}.ready.json`;
  // BENCH_APP_ENV='{"LOG_LEVEL":"warn"}' adds variables to every app server (for what-if runs).
  const extra = Deno.env.get("BENCH_APP_ENV");
  if (mode === "app" && extra) {
    options = { ...options, env: { ...(options.env as object), ...JSON.parse(extra) } };
  }
  await Deno.remove(readyPath).catch(() => {});
  const spawned = spawnLogged(
    [
      Deno.execPath(),
      "run",
      "-A",
      `${BENCH_DIR}server.ts`,
      mode,
      JSON.stringify(options),
      readyPath,
    ],
    { logPath: `${workDir}/${name}.log` },
  );
  const deadline = Date.now() + 60_000;
  let info: ServerInfo | undefined;
  while (!info) {
    try {
      info = JSON.parse(await Deno.readTextFile(readyPath));
    } catch {
      const status = await Promise.race([spawned.child.status, sleep(20).then(() => null)]);
      if (status) {
        const out = await Deno.readTextFile(spawned.logPath).catch(() => "");
        throw new Error(`server ${name} exited (${status.code}):\n${out.slice(-3000)}`);
      }
      if (Date.now() > deadline) {
        await spawned.stop();
        throw new Error(`server ${name} did not start within 60 s`);
      }
    }
  }
  const base = `http://127.0.0.1:${info.port}`;
  return {
    ...spawned,
    info,
    url: (path) => base + path,
    async control<T>(path: string, body?: unknown): Promise<T> {
      const res = await fetch(`http://127.0.0.1:${info!.controlPort}${path}`, {
        method: body === undefined ? "GET" : "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
      return await res.json() as T;
    },
  };
}

export async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

// --- wrk -----------------------------------------------------------------------------------------

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  bytes: number;
}

/**
 * One wrk run: `connections` keep-alive connections for `seconds`, stopped earlier once
 * `maxRequests` answers have come (bench/wrk_report.lua counts them), so every run is bounded
 * in time and in count.
 */
export async function wrk(
  url: string,
  options: {
    connections: number;
    seconds: number;
    threads?: number;
    headers?: Record<string, string>;
    maxRequests?: number;
  },
): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    `${BENCH_DIR}wrk_report.lua`,
  ];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push("-H", `${k}: ${v}`);
  args.push(url);
  const maxRequests = options.maxRequests ?? 2_000_000;
  const out = await run("wrk", args, {
    env: { WRK_MAX_REQUESTS: String(Math.ceil(maxRequests / (options.threads ?? 1))) },
  });
  const line = out.stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no report:\n${out.stdout}\n${out.stderr}`);
  const r = JSON.parse(line.slice(9));
  const durationS = r.duration_us / 1e6;
  return {
    requests: r.requests,
    durationS,
    rps: r.requests / durationS,
    p50Ms: r.p50_us / 1000,
    p90Ms: r.p90_us / 1000,
    p99Ms: r.p99_us / 1000,
    maxMs: r.max_us / 1000,
    errors: r.errors_connect + r.errors_read + r.errors_write + r.errors_timeout,
    non2xx: r.errors_status,
    bytes: r.bytes,
  };
}

/** Any free loopback port (the listener is closed again at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
