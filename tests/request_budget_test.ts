import { RequestBudget } from "../services/request_budget.ts";
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
