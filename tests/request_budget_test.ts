import { RequestBudget } from "../services/providers/request_budget.ts";
import { assertEquals } from "./assert.ts";

Deno.test("[budget] a burst of a tenth of the rate, then one token per 60/rpm seconds", async () => {
  const now = 0;
  const budget = new RequestBudget(600, () => now);
  for (let i = 0; i < 60; i++) {
    assertEquals(budget.waitMs(), 0);
    await budget.take();
  }
  assertEquals(budget.waitMs(), 100);
});

Deno.test("[budget] waiting callers get tokens at the configured rate", async () => {
  let now = 1_000;
  const budget = new RequestBudget(60, () => now); // burst 6, then one a second
  for (let i = 0; i < 6; i++) await budget.take();
  assertEquals(budget.waitMs(), 1000);
  now += 400;
  assertEquals(budget.waitMs(), 600);
  now += 600;
  assertEquals(budget.waitMs(), 0);
});

Deno.test("[budget] Retry-After pauses everyone, and a later pause wins", () => {
  let now = 0;
  const budget = new RequestBudget(6000, () => now);
  budget.pause(2000);
  budget.pause(500);
  assertEquals(budget.waitMs(), 2000);
  now = 2000;
  assertEquals(budget.waitMs(), 0);
});

Deno.test("[budget] no 60-second window ever holds more than the configured rate", async () => {
  let now = 0;
  const budget = new RequestBudget(60, () => now); // burst 6, then one a second
  const sent: number[] = [];
  while (now < 180_000) {
    const wait = budget.waitMs();
    if (wait > 0) {
      now += wait;
      continue;
    }
    await budget.take();
    sent.push(now);
  }
  for (const start of sent) {
    const inWindow = sent.filter((at) => at >= start && at < start + 60_000).length;
    assertEquals(inWindow <= 60, true, `${inWindow} sends in the minute from ${start}`);
  }
  // Nor as the upstream sees them, with requests arriving up to half a second late or early (the
  // worst case: late in one minute, early in the next).
  const arrived = sent.map((at) => at + (Math.floor(at / 60_000) % 2 ? -500 : 500));
  for (const start of arrived) {
    const inWindow = arrived.filter((at) => at >= start && at < start + 60_000).length;
    assertEquals(inWindow <= 60, true, `${inWindow} arrivals in the minute from ${start}`);
  }
  assertEquals(sent.length >= 170, true, `the rate is still used (${sent.length} in 3 minutes)`);
});
