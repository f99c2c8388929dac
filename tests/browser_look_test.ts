/// <reference lib="dom" />
/**
 * How the studio looks: the README's screenshots (light and dark), layouts from a 360 px phone to
 * a wide screen, and WCAG AA contrast of every text on the dashboard and the detail page.
 */
import type { Page } from "playwright-core";
import { priceOf } from "../services/models/catalog.ts";
import { formatCost } from "../views/format.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  browserAvailable,
  launch,
  logIn,
  makeRemix,
  makeVideo,
  openPage,
  screenshotsFolder,
  seedVideos,
  startServer,
  type TestServer,
  waitForLive,
} from "./browser_helpers.ts";

/** A model (fal.ai's Veo 3.1) whose create form shows every optional input. */
const EVERY_INPUT = "fal-ai/veo3.1";

/** A library with a card in each state a person meets: ready, remixed, generating, queued, failed. */
async function seedShowcase(server: TestServer) {
  const fox = await makeVideo(server, {
    prompt:
      "A red fox trotting through fresh snow at dawn, soft golden light, shallow depth of field",
  });
  const remix = await makeRemix(
    server,
    fox.id,
    "The same fox at night under the northern lights, snow glittering",
  );
  await makeVideo(server, {
    prompt: "Aerial shot of a lighthouse on a rocky coast during a storm, waves crashing",
  });
  const now = Date.now();
  await seedVideos(server, [
    {
      prompt: "A hummingbird drinking from a red flower, slow motion, macro lens",
      status: "failed",
      error: {
        code: "moderation_blocked",
        message: "Your request was blocked by our moderation system.",
      },
      createdAt: now - 300_000,
    },
    {
      prompt: "Time-lapse of clouds rolling over a mountain ridge, sunset colours",
      model: "sora-2-pro",
      size: "1792x1024",
      seconds: "8",
      status: "queued",
      createdAt: now - 4_000,
    },
    {
      prompt: "A paper boat drifting down a rainy city street at night, neon reflections",
      model: "sora-2-pro",
      size: "1280x720",
      seconds: "12",
      status: "in_progress",
      progress: 42,
      createdAt: now - 37_000,
    },
  ]);
  return { fox, remix };
}

async function showDashboard(page: Page, server: TestServer) {
  await logIn(page, server.url);
  await waitForLive(page);
  await page.locator("article.card").nth(4).waitFor();
  // Posters decoded, so the screenshot shows thumbnails rather than black boxes.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>("article.card video")].every((v) => {
        const img = new Image();
        img.src = v.poster;
        return img.complete && img.naturalWidth > 0;
      }),
    undefined,
    { polling: 50 },
  );
}

Deno.test({
  name: "[browser] screenshots: dashboard and detail, light and dark theme",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const { fox } = await seedShowcase(server);
    await using folder = await screenshotsFolder();
    const shots = folder.path;

    for (const scheme of ["light", "dark"] as const) {
      const page = await openPage(browser, {
        viewport: { width: 1280, height: 1480 },
        colorScheme: scheme,
      });
      await showDashboard(page, server);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      const luminance = (r + g + b) / 3;
      if (scheme === "dark") assert(luminance < 40, `dark background, got ${background}`);
      else assert(luminance > 200, `light background, got ${background}`);
      const suffix = scheme === "dark" ? "-dark" : "";
      await page.screenshot({
        path: `${shots}dashboard${suffix}.png`,
        animations: "disabled",
      });

      await page.goto(`${server.url}/videos/${fox.id}`);
      await page.locator("video.player").waitFor();
      await page.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>("video.player")!;
          const poster = new Image();
          poster.src = video.poster;
          const img = document.querySelector<HTMLImageElement>(".storyboard img");
          return video.readyState >= 2 && poster.complete && img?.complete &&
            img.naturalWidth > 0;
        },
        undefined,
        { polling: 50 },
      );
      // A frame from the middle of the clip, without the browser's own (animated) controls.
      await page.locator("video.player").evaluate(async (video: HTMLVideoElement) => {
        video.controls = false;
        video.currentTime = 1.2;
        await new Promise((resolve) => video.addEventListener("seeked", resolve, { once: true }));
      });
      await page.screenshot({
        path: `${shots}detail${suffix}.png`,
        clip: { x: 0, y: 0, width: 1280, height: 900 },
        animations: "disabled",
      });
      assertEquals(page.errors, [], scheme);
      await page.context().close();
    }
  },
});

/**
 * Every visible text on the page whose contrast with what is behind it is below WCAG AA: 4.5:1,
 * or 3:1 for large text (24 px, or 18.66 px bold). The background is found by walking up to the
 * first opaque layer and blending the translucent ones on top; for a gradient, every colour stop
 * is tried and the worst counts. Disabled controls are exempt, like in WCAG.
 */
function contrastFailures(page: Page) {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const parse = (value: string): RGBA | null => {
      let m = /rgba?\(([^)]+)\)/.exec(value);
      if (m) {
        const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p[3] ?? 1];
      }
      m = /color\(srgb ([^)]+)\)/.exec(value);
      if (m) {
        const p = m[1].split(/[\s/]+/).filter(Boolean).map(Number);
        return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] ?? 1];
      }
      return null;
    };
    const colorsIn = (image: string): RGBA[] =>
      (image.match(/(rgba?|color)\([^)]*\)/g) ?? []).map((c) => parse(c)!).filter(Boolean);
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3];
      return [
        top[0] * a + bottom[0] * (1 - a),
        top[1] * a + bottom[1] * (1 - a),
        top[2] * a + bottom[2] * (1 - a),
        1,
      ];
    };
    const luminance = ([r, g, b]: RGBA) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (a: RGBA, b: RGBA) => {
      const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    /** Possible opaque colours behind `el`. */
    const backgrounds = (el: Element): RGBA[] => {
      const layers: RGBA[] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        const gradient = style.backgroundImage.includes("gradient")
          ? colorsIn(style.backgroundImage)
          : [];
        const color = parse(style.backgroundColor);
        if (gradient.length && gradient.every((c) => c[3] === 1)) {
          return gradient.map((base) => layers.reduceRight((acc, layer) => over(layer, acc), base));
        }
        if (color && color[3] > 0) {
          if (color[3] === 1) {
            return [layers.reduceRight((acc, layer) => over(layer, acc), color)];
          }
          layers.push(color);
        }
      }
      const canvas: RGBA = matchMedia("(prefers-color-scheme: dark)").matches
        ? [18, 18, 18, 1]
        : [255, 255, 255, 1];
      return [layers.reduceRight((acc, layer) => over(layer, acc), canvas)];
    };
    const visible = (el: Element) => {
      if (el.closest(".visually-hidden, noscript, script, style, option, [aria-hidden=true]")) {
        return false;
      }
      if ((el as HTMLElement).closest("button:disabled, [disabled]")) return false;
      for (let node: Element | null = el; node; node = node.parentElement) {
        const s = getComputedStyle(node);
        if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) {
          return false;
        }
      }
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0;
    };
    const failures: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent!.trim())
        .join(" ")
        .trim();
      if (!text || !visible(el)) continue;
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
      const fg = parse(style.color)!;
      for (const bg of backgrounds(el)) {
        const r = ratio(over(fg, bg), bg);
        if (r < needed) {
          failures.push(
            `${r.toFixed(2)} < ${needed} "${text.slice(0, 40)}" (${el.tagName.toLowerCase()}.${
              [...el.classList].join(".")
            }) ${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`,
          );
          break;
        }
      }
    }
    return failures;
  });
}

Deno.test({
  name: "[browser] WCAG AA contrast of every text, light and dark, dashboard and detail pages",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const { fox } = await seedShowcase(server);
    const [failed] = await seedVideos(server, [{
      prompt: "A storm over the sea",
      status: "failed",
      error: { code: "upstream_error", message: "The service refused the request." },
      createdAt: Date.now() - 600_000,
    }]);
    for (const scheme of ["light", "dark"] as const) {
      const page = await openPage(browser, { colorScheme: scheme });
      const failures: string[] = [];
      await page.goto(`${server.url}/login`);
      failures.push(...(await contrastFailures(page)).map((f) => `login: ${f}`));
      await logIn(page, server.url);
      await waitForLive(page);
      // Every input of the create form shown, and a toast, as after a create.
      await page.getByLabel("Model", { exact: true }).selectOption(EVERY_INPUT);
      await page.getByLabel("With sound", { exact: true }).waitFor();
      await page.getByLabel("Prompt", { exact: true }).fill("Contrast check");
      await page.getByRole("button", { name: "Generate" }).click();
      await page.locator(".toast-success").waitFor();
      failures.push(...(await contrastFailures(page)).map((f) => `dashboard: ${f}`));
      await page.getByRole("searchbox", { name: "Search prompts" }).fill("nothing like this");
      await page.locator(".empty-state").waitFor();
      failures.push(...(await contrastFailures(page)).map((f) => `no match: ${f}`));
      for (const id of [fox.id, failed]) {
        await page.goto(`${server.url}/videos/${id}`);
        failures.push(...(await contrastFailures(page)).map((f) => `detail: ${f}`));
      }
      await page.goto(`${server.url}/videos/${fox.id}`);
      await page.getByRole("button", { name: "Remix" }).click();
      await page.getByRole("dialog").waitFor();
      failures.push(...(await contrastFailures(page)).map((f) => `remix dialog: ${f}`));
      assertEquals(failures, [], scheme);
      assertEquals(page.errors, [], scheme);
      await page.context().close();
    }
  },
});

Deno.test({
  name: "[browser] responsive from a 360 px phone to a wide screen: nothing overflows",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const { fox } = await seedShowcase(server);
    await seedVideos(server, [{
      prompt: "An-unbroken-prompt-" + "x".repeat(180),
      status: "failed",
      error: { code: "generation_failed", message: "y".repeat(200) },
    }]);
    for (const width of [360, 390, 414, 768, 1024, 1440, 1920]) {
      const page = await openPage(browser, { viewport: { width, height: 800 } });
      await page.goto(`${server.url}/login`);
      const overflows = async (what: string) => {
        const wide = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          view: document.documentElement.clientWidth,
        }));
        assert(wide.scroll <= wide.view, `${what} at ${width}px: ${wide.scroll} > ${wide.view}`);
      };
      await overflows("login");
      await logIn(page, server.url);
      await waitForLive(page);
      await overflows("dashboard");
      // Cards: one column on a phone, several on a wide screen.
      const columns = await page.locator("#library").evaluate((el) =>
        getComputedStyle(el).gridTemplateColumns.split(" ").length
      );
      if (width < 600) assertEquals(columns, 1, `columns at ${width}px`);
      if (width >= 1440) assert(columns >= 4, `${columns} columns at ${width}px`);
      // The create form's controls stay usable: full width on a phone, nothing cut off.
      const generate = await page.getByRole("button", { name: "Generate" }).boundingBox();
      assert(generate && generate.x >= 0 && generate.x + generate.width <= width, "Generate");
      await page.goto(`${server.url}/videos/${fox.id}`);
      await overflows("detail");
      const player = (await page.locator("video.player").boundingBox())!;
      assert(player.width <= width && player.width > 0, `player at ${width}px`);
      // The admin pages too: wide tables scroll inside their panel, not the page.
      await page.goto(`${server.url}/admin`);
      await overflows("admin");
      await page.getByRole("link", { name: "Spend by user and model" }).click();
      await page.waitForURL(`${server.url}/admin/spend`);
      await overflows("spend");
      // The per-model chart's names are whole and readable (≥ 12 px) on a phone.
      const labels = await page.locator(".spend-chart text").evaluateAll((texts) =>
        texts.map((t) => {
          const box = t.getBoundingClientRect();
          const chart = t.closest("svg")!.getBoundingClientRect();
          // As drawn: the CSS size times any scaling of the SVG (a viewBox shrinks it).
          const scale = (t as SVGGraphicsElement).getScreenCTM()?.a ?? 1;
          return {
            text: t.textContent ?? "",
            font: parseFloat(getComputedStyle(t).fontSize) * scale,
            inside: box.left >= chart.left - 0.5 && box.right <= chart.right + 0.5,
          };
        })
      );
      assert(labels.length > 0, "the charts have text");
      for (const label of labels) {
        assert(label.font >= 12, `"${label.text}" is ${label.font}px at ${width}px`);
        assert(label.inside, `"${label.text}" is cut at ${width}px`);
      }
      assertEquals(page.errors, [], `${width}px`);
      await page.context().close();
    }
  },
});

Deno.test({
  name: "[browser] keyboard: every control has a name, Tab reaches every action, focus is visible",
  ignore: !browserAvailable,
  async fn() {
    await using server = await startServer({ timeScale: 0.05, pollMs: 50 });
    await using browser = await launch();
    const { fox } = await seedShowcase(server);
    const sora2 = server.runtime.providers.findModel("sora-2");
    const page = await openPage(browser);
    await logIn(page, server.url);
    await waitForLive(page);

    // Names as Chromium's accessibility tree computes them (labels, aria-label, text).
    const unnamed = async () => {
      const cdp = await page.context().newCDPSession(page);
      const { nodes } = await cdp.send("Accessibility.getFullAXTree");
      await cdp.detach();
      const roles = ["button", "link", "textbox", "combobox", "searchbox", "checkbox", "radio"];
      return nodes
        .filter((n) => !n.ignored && roles.includes(String(n.role?.value)))
        .filter((n) => !String(n.name?.value ?? "").trim())
        .map((n) => `${n.role?.value} #${n.backendDOMNodeId}`);
    };
    assertEquals(await unnamed(), [], "dashboard");

    // Tab through the whole page once, noting what gets focus and whether it shows.
    const reached = new Set<string>();
    const invisible: string[] = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 ||
          style.boxShadow !== "none";
        const label = el.getAttribute("aria-label") || el.id ||
          (el.textContent ?? "").replace(/\s+/g, " ").trim();
        return { label: `${el.tagName.toLowerCase()}:${label}`, shown };
      });
      if (!focus) continue;
      reached.add(focus.label);
      if (!focus.shown) invisible.push(focus.label);
    }
    const expected = [
      "a:Skip to content",
      "button:Log out",
      "textarea:create-prompt",
      "input:create-reference",
      "select:create-model",
      "select:create-size",
      "select:create-seconds",
      "button:Generate",
      "input:library-q",
      "select:library-status",
      "select:library-model",
      "a:Details",
      "a:Download",
      "button:Remix",
      "button:Delete",
      // The failed sora-2 card's: what making it again costs now, from the catalog.
      `a:Try again · ${formatCost(priceOf(sora2, { size: "1280x720", seconds: "4" }))}`,
      "button:Play here",
    ];
    for (const label of expected) assert(reached.has(label), `Tab reaches ${label}`);
    assertEquals(invisible, [], "focus is visible on everything Tab reaches");

    // A model that takes every optional input: the negative prompt and the sound switch show,
    // named, and Tab goes through the form in reading order.
    await page.getByLabel("Model", { exact: true }).selectOption(EVERY_INPUT);
    await page.getByLabel("With sound", { exact: true }).waitFor();
    assertEquals(await unnamed(), [], "dashboard, every input of the create form shown");
    await page.getByLabel("Prompt", { exact: true }).focus();
    const order: string[] = [];
    for (let i = 0; i < 10 && order.at(-1) !== "Generate"; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 ||
          style.boxShadow !== "none";
        return { label: el.id || el.getAttribute("name") || el.textContent!.trim(), shown };
      });
      order.push(focus.label);
      assert(focus.shown, `focus is visible on ${focus.label}`);
    }
    assertEquals(order, [
      "create-negative",
      "create-reference",
      "create-model",
      "create-size",
      "create-seconds",
      "audio",
      "Generate",
    ]);

    await page.goto(`${server.url}/videos/${fox.id}`);
    assertEquals(await unnamed(), [], "detail");
    assertEquals(page.errors, []);
  },
});
