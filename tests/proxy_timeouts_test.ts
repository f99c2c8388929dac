import { join } from "node:path";
import { assert, assertMatch } from "./assert.ts";

const ROOT = join(import.meta.dirname!, "..");

/** The directives of nginx's `location` block whose pattern contains `match`. */
function nginxLocation(conf: string, match: string): string {
  const start = conf.indexOf(`location ${match}`);
  assert(start >= 0, `no location ${match}`);
  return conf.slice(start, conf.indexOf("}", start));
}

Deno.test("[deploy] nginx cuts off slow clients and keeps live streams unbuffered", async () => {
  const conf = await Deno.readTextFile(join(ROOT, "deploy/nginx.conf"));
  // Deno.serve has no header-read timeout: these are what stop a client that never finishes.
  assertMatch(conf, /^\s*client_header_timeout \d+s;/m);
  assertMatch(conf, /^\s*client_body_timeout \d+s;/m);
  assertMatch(conf, /^\s*send_timeout \d+s;/m);
  assertMatch(conf, /^\s*keepalive_timeout \d+s;/m);
  const events = nginxLocation(conf, "~ ^/(api/)?events$");
  assertMatch(events, /proxy_buffering off;/);
  // Longer than the app's keep-alive comments (every 15 s), or nginx would end quiet streams.
  const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(events)?.[1]);
  assert(readTimeout > 15, `proxy_read_timeout ${readTimeout}s for the live streams`);
});

Deno.test("[deploy] Caddy cuts off slow clients but sets no write timeout that would end live streams", async () => {
  const conf = await Deno.readTextFile(join(ROOT, "deploy/Caddyfile"));
  const timeouts = /servers \{\s*timeouts \{([^}]*)\}/.exec(conf)?.[1] ?? "";
  assertMatch(timeouts, /^\s*read_header \d+s$/m);
  assertMatch(timeouts, /^\s*read_body \d+[sm]$/m);
  assertMatch(timeouts, /^\s*idle \d+[sm]$/m);
  assert(!/^\s*write /m.test(timeouts), "a write timeout would cut every live stream");
  assertMatch(conf, /flush_interval -1/);
});
