/**
 * Many live-stream subscribers in one process, as raw TCP sockets (far cheaper than fetch): each
 * writes its GET with the user's cookie and then only looks for the start of an SSE `data:` line.
 *
 *   deno run -A bench/sse_clients.ts '<{"port","path","users":[{"id","cookie"}],"perUser"}>'
 *
 * Commands arrive on stdin, one JSON per line; answers go to stdout, one JSON per line:
 *   {"cmd":"connect"}            → {"connected","failed","ms"}
 *   {"cmd":"arm","users":[ids]}  → {"armed":true}   (forget earlier arrivals for those users)
 *   {"cmd":"report"}             → {"arrivals":[wall ms or null per armed connection]}
 *   {"cmd":"quit"}
 */
const config = JSON.parse(Deno.args[0]);
const encoder = new TextEncoder();
const wallMs = () => performance.timeOrigin + performance.now();
const DATA = /(^|\n)data:/;

interface Sub {
  userId: number;
  conn?: Deno.TcpConn;
  connected: boolean;
  armed: boolean;
  arrivedAt: number | null;
  tail: string;
}

const subs: Sub[] = [];
// `interleave`: connect one stream of each user in turn (rather than all of a user's first), so
// connections set up at once belong to different users.
for (let i = 0; i < (config.interleave ? config.perUser : 1); i++) {
  for (const user of config.users) {
    for (let k = 0; k < (config.interleave ? 1 : config.perUser); k++) {
      subs.push({ userId: user.id, connected: false, armed: false, arrivedAt: null, tail: "" });
    }
  }
}
const cookieOf = new Map<number, string>(
  config.users.map((u: { id: number; cookie: string }) => [u.id, u.cookie]),
);

async function open(sub: Sub): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: config.port });
  sub.conn = conn;
  const request =
    `GET ${config.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
    `Cookie: sora_session=${cookieOf.get(sub.userId)}\r\n\r\n`;
  await conn.write(encoder.encode(request));
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(16 * 1024);
  let head = "";
  // Read until the stream says it is connected (the first comment line after the headers).
  while (!sub.connected) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("closed before connected");
    head += decoder.decode(buffer.subarray(0, n));
    if (!head.startsWith("HTTP/1.1 200")) throw new Error(head.split("\r\n")[0]);
    if (head.includes(": connected")) sub.connected = true;
  }
  // From here on, only the first `data:` after arming matters.
  void (async () => {
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        if (!sub.armed || sub.arrivedAt !== null) continue;
        const text = sub.tail + decoder.decode(buffer.subarray(0, n), { stream: true });
        if (DATA.test(text)) sub.arrivedAt = wallMs();
        else sub.tail = text.slice(-8);
      }
    } catch { /* closed */ }
    sub.connected = false;
  })();
}

async function connectAll(): Promise<
  { connected: number; failed: number; ms: number; firstError?: string }
> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const deadline = Date.now() + 120_000;
  const worker = async () => {
    while (next < subs.length && Date.now() < deadline) {
      const sub = subs[next++];
      try {
        await open(sub);
      } catch (error) {
        failed++;
        firstError ??= String(error);
      }
    }
  };
  // At most this many connections being set up at once.
  await Promise.all(Array.from({ length: config.concurrency ?? 200 }, worker));
  return {
    connected: subs.filter((s) => s.connected).length,
    failed,
    ms: performance.now() - started,
    firstError,
  };
}

function reply(message: unknown) {
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(message) + "\n"));
}

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
for await (const chunk of lines) {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const command = JSON.parse(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
    if (command.cmd === "connect") reply(await connectAll());
    else if (command.cmd === "arm") {
      const users = new Set<number>(command.users);
      for (const sub of subs) {
        sub.armed = users.has(sub.userId);
        sub.arrivedAt = null;
        sub.tail = "";
      }
      reply({ armed: true });
    } else if (command.cmd === "report") {
      reply({
        arrivals: subs.filter((s) => s.armed).map((s) => s.arrivedAt),
        open: subs.filter((s) => s.connected).length,
      });
    } else if (command.cmd === "quit") {
      for (const sub of subs) {
        try {
          sub.conn?.close();
        } catch { /* closed */ }
      }
      Deno.exit(0);
    }
  }
}
