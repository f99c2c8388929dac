import { assert, assertEquals } from "./assert.ts";

const ROOT = new URL("..", import.meta.url);

/**
 * `deno compile` embeds main.ts's module graph, and its base binary cannot be downloaded here, so
 * this checks the graph: every asset the app serves or plays back is in it (imported as text or
 * bytes, not read from disk at run time), and nothing in it comes from the network at start.
 */
Deno.test("[compile] the module graph holds every asset, and nothing remote or test-only", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const modules = graph.modules.map((m) => m.specifier);
  for (
    const asset of [
      "static/app.css",
      "static/app.js",
      "services/providers/simulators/fixtures/video.mp4",
      "services/providers/simulators/fixtures/thumbnail.webp",
      "services/providers/simulators/fixtures/spritesheet.jpg",
      "htmx.org@4.0.1/dist/htmx.min.js",
      "htmx.org@4.0.1/dist/ext/hx-sse.min.js",
      "@alpinejs/csp@3.17.4/dist/cdn.min.js",
    ]
  ) {
    assert(modules.some((m) => m.endsWith(asset)), `${asset} is embedded`);
  }
  assertEquals(modules.filter((m) => /^https?:/.test(m)), [], "no remote modules");
  assertEquals(modules.filter((m) => m.includes("/tests/") || m.includes("playwright")), []);
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  assert(/^deno compile .*--output sora-studio main\.ts$/.test(tasks.compile), tasks.compile);
});
