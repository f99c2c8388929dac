import type { OwnBudget } from "../../services/videos/spend.ts";
import { formatCost } from "../format.ts";

/**
 * The user's spend this month against their own budget, on the create panel. Sent again out of
 * band after each create (`oob`), so it stays current without a script. Spend is estimated
 * (≈); the budget is exact.
 */
export function BudgetMeter(props: { budget: OwnBudget; oob?: boolean }) {
  const { spent, budget } = props.budget;
  const over = budget !== null && spent >= budget;
  return (
    <p
      id="budget-meter"
      class={over ? "budget-meter is-over" : "budget-meter"}
      hx-swap-oob={props.oob ? "outerHTML" : undefined}
    >
      {budget !== null && (
        <meter
          min={0}
          max={budget || 1}
          low={budget * 0.75}
          high={budget * 0.9}
          optimum={0}
          value={Math.min(spent, budget)}
          aria-hidden="true"
        />
      )}
      <span class="budget-text">
        {budget === null
          ? `${formatCost(spent)} spent this month · no budget set`
          : `${formatCost(spent)} of $${budget.toFixed(2)} this month`}
      </span>
    </p>
  );
}
