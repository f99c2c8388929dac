import { createUser } from "../services/auth/auth.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

const PASSWORD = "correct horse battery";

async function adminCookie(t: TestApp) {
  await createUser(t.runtime.db, "root", PASSWORD, "admin");
  return await t.sessionCookie("root", PASSWORD);
}

function post(t: TestApp, cookie: string, path: string, form: Record<string, string>) {
  return t.postForm(path, cookie, form);
}

const creates = (t: TestApp) =>
  t.simulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos").length;

Deno.test("[budget] a create past the user's monthly budget is 402 with what is left, before anything is sent", async () => {
  await using t = await startTestApp({ startJobs: false });
  const admin = await adminCookie(t);
  const token = await t.userToken("ada");
  const ada = (await t.runtime.db.userByName("ada"))!;
  assertEquals(
    (await post(t, admin, `/admin/users/${ada.id}/budget`, { budget: "1" })).status,
    303,
  );
  // 8 s of sora-2 = $0.80: fits; another $0.40 would make $1.20.
  assertEquals(
    (await t.api("POST", "/api/videos", token, { prompt: "a", seconds: "8" })).status,
    201,
  );
  const sent = creates(t);
  const refused = await t.api("POST", "/api/videos", token, { prompt: "b", seconds: "4" });
  assertEquals(refused.status, 402);
  const error = (await refused.json()).error;
  assertEquals(error.code, "budget_exceeded");
  assertMatch(
    error.message,
    /≈ \$0\.40, but only \$0\.20 of your monthly budget of \$1\.00 is left/,
  );
  assertEquals(creates(t), sent, "nothing was sent upstream");
  assertEquals((await t.api("GET", "/api/videos", token)).status, 200);
  assertEquals((await (await t.api("GET", "/api/videos", token)).json()).data.length, 1);
});

Deno.test("[budget] failed videos cost nothing, and the team budget covers everyone", async () => {
  await using t = await startTestApp();
  const admin = await adminCookie(t);
  const ada = await t.userToken("ada");
  const bob = await t.userToken("bob");
  const failed = await (await t.api("POST", "/api/videos", ada, { prompt: "[fail] no" })).json();
  await t.waitForVideo(ada, failed.id, (v) => v.status === "failed");
  assertEquals((await post(t, admin, "/admin/budget", { budget: "0.5" })).status, 303);
  assertEquals((await t.api("POST", "/api/videos", ada, { prompt: "ok" })).status, 201);
  const refused = await t.api("POST", "/api/videos", bob, { prompt: "too much" });
  assertEquals(refused.status, 402);
  assertMatch((await refused.json()).error.message, /of the team's monthly budget of \$0\.50/);
  const bad = await post(t, admin, "/admin/budget", { budget: "-3" });
  assertEquals(bad.status, 400);
  assertEquals((await post(t, admin, "/admin/budget", { budget: "" })).status, 303);
  assertEquals((await t.api("POST", "/api/videos", bob, { prompt: "now fine" })).status, 201);
});

Deno.test("[budget] the spend page draws per user and per model, and exports CSV", async () => {
  await using t = await startTestApp({ startJobs: false });
  const admin = await adminCookie(t);
  const token = await t.userToken("ada");
  await t.api("POST", "/api/videos", token, { prompt: "one", seconds: "8" });
  await t.api("POST", "/api/videos", token, { prompt: "two", model: "sora-2-pro" });
  const page = await (await t.app.request("/admin/spend", { headers: { cookie: admin } })).text();
  assertMatch(page, /<svg[^>]*class="spend-chart"/);
  assertMatch(page, /\$2\.00/, "total: 0.80 + 1.20");
  assert(page.includes("Sora 2 Pro"), "the catalog's label, not the id");
  const csv = await t.app.request("/admin/spend.csv", { headers: { cookie: admin } });
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  const lines = (await csv.text()).trim().split("\r\n");
  assertEquals(lines[0], "month,user,model,model_label,videos,usd");
  assertEquals(lines.slice(1).map((l) => l.split(",").slice(1).join(",")), [
    "ada,sora-2,Sora 2,1,0.80",
    "ada,sora-2-pro,Sora 2 Pro,1,1.20",
  ]);
  await t.userToken("bob");
  const cookie = await t.sessionCookie("bob", PASSWORD);
  for (const path of ["/admin/spend", "/admin/spend.csv"]) {
    assertEquals((await t.app.request(path, { headers: { cookie } })).status, 404, path);
  }
});
