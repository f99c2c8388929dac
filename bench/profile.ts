/**
 * CPU profile of the app server under load, through the V8 inspector (this Deno has no
 * --cpu-prof): `deno run -A bench/profile.ts page|api|events [seconds]`.
 *
 * Seeds a 10,000-video library, starts bench/server.ts with --inspect, samples while wrk loads
 * the chosen route, and prints the heaviest functions by self time and by inclusive time. The
 * raw profile is written next to the server log for Chrome DevTools.
 */
import { freePort, log, sleep, spawnLogged, wrk } from "./lib.ts";
import { seed, SESSION_SECRET } from "./seed.ts";

const target = Deno.args[0] ?? "page";
const seconds = Number(Deno.args[1] ?? 5);
const work = await Deno.makeTempDir({ prefix: "sora-profile-" });
const users = await seed(`${work}/data`, { users: 1, videosPerUser: 10_000 });
const inspectPort = freePort();
const readyPath = `${work}/ready.json`;
const env = {
  DATA_DIR: `${work}/data`,
  SESSION_SECRET,
  ...JSON.parse(Deno.env.get("BENCH_ENV") ?? "{}"),
};
const server = spawnLogged([
  Deno.execPath(),
  "run",
  "-A",
  `--inspect=127.0.0.1:${inspectPort}`,
  new URL("./server.ts", import.meta.url).pathname,
  "app",
  JSON.stringify({ env }),
  readyPath,
], { logPath: `${work}/server.log` });
let info: { port: number } | undefined;
for (let i = 0; i < 600 && !info; i++) {
  await sleep(50);
  info = await Deno.readTextFile(readyPath).then(JSON.parse).catch(() => undefined);
}
if (!info) throw new Error("server did not start");

const targets: Record<string, [string, Record<string, string>]> = {
  page: ["/", { cookie: `sora_session=${users[0].cookie}` }],
  api: ["/api/videos", { authorization: `Bearer ${users[0].bearer}` }],
  hx: ["/videos", { cookie: `sora_session=${users[0].cookie}`, "hx-request": "true" }],
};
const [path, headers] = targets[target];
const url = `http://127.0.0.1:${info.port}${path}`;
await wrk(url, { connections: 64, seconds: 2, headers }); // warm up (JIT)

const list = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
const ws = new WebSocket(list[0].webSocketDebuggerUrl);
await new Promise((r) => ws.onopen = r);
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
ws.onmessage = (e) => {
  const msg = JSON.parse(e.data);
  if (msg.id && pending.has(msg.id)) pending.get(msg.id)!(msg.result);
};
const send = (method: string, params: unknown = {}) =>
  // deno-lint-ignore no-explicit-any
  new Promise<any>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
const result = await wrk(url, { connections: 64, seconds, headers });
const { profile } = await send("Profiler.stop");
ws.close();
await server.stop();
await Deno.writeTextFile(`${work}/${target}.cpuprofile`, JSON.stringify(profile));
log(
  `${target}: ${
    Math.round(result.rps)
  } req/s, p99 ${result.p99Ms} ms; profile ${work}/${target}.cpuprofile`,
);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const nodes = new Map<number, Node>(profile.nodes.map((n: Node) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
const total = profile.nodes.reduce((s: number, n: Node) => s + n.hitCount, 0);
const name = (n: Node) => {
  const file = n.callFrame.url.replace(/^.*\/(node_modules|npm|deno)\//, "").replace(
    /^file:\/\/.*\/main\//,
    "",
  );
  return `${n.callFrame.functionName || "(anon)"} ${file.split("/").slice(-2).join("/")}:${
    n.callFrame.lineNumber + 1
  }`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const n of nodes.values()) {
  self.set(name(n), (self.get(name(n)) ?? 0) + n.hitCount);
  const seen = new Set<string>();
  for (let p: number | undefined = n.id; p !== undefined; p = parent.get(p)) {
    const k = name(nodes.get(p)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + n.hitCount);
  }
}
const top = (m: Map<string, number>, k: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, k)
    .map(([f, h]) => `${(100 * h / total).toFixed(1).padStart(5)}%  ${f}`).join("\n");
console.log(
  `--- self time (${total} samples)\n${top(self, 30)}\n--- inclusive\n${top(inclusive, 45)}`,
);
