import type { SpendReport } from "../../services/videos/spend.ts";
import type { User } from "../../services/types.ts";
import { SpendChart } from "../components/SpendChart.tsx";
import { Layout } from "../layout.tsx";

const usd = (amount: number) => `$${amount.toFixed(2)}`;

export function SpendPage(props: { user: User; demo: boolean; report: SpendReport }) {
  const { report } = props;
  return (
    <Layout title="Spend" user={props.user} demo={props.demo}>
      <div class="admin">
        <section class="panel admin-panel" aria-labelledby="spend-title">
          <div class="panel-head">
            <h1 id="spend-title" class="panel-title">Spend in {report.month}</h1>
            <p class="muted">
              Estimated when each video was made; failed videos cost nothing.{" "}
              <a href="/admin/spend.csv" download>Download CSV</a> · <a href="/admin">Admin</a>
            </p>
          </div>
          <p class="spend-total">
            <strong>{usd(report.total)}</strong>
            {report.teamBudget !== null
              ? ` of the team's ${usd(report.teamBudget)} monthly budget`
              : " (no team budget)"}
          </p>
          <h2 class="section-title">Per user</h2>
          <SpendChart
            title="Spend per user this month; a line marks each budget"
            rows={report.users.map((u) => ({ label: u.username, usd: u.usd, budget: u.budget }))}
          />
          <h2 class="section-title">Per model</h2>
          <SpendChart
            title="Spend per model this month"
            rows={report.models.map((m) => ({ label: m.label, usd: m.usd }))}
          />
          <div class="table-wrap">
            <table class="admin-table">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Videos</th>
                  <th scope="col">Spend</th>
                </tr>
              </thead>
              <tbody>
                {report.models.map((m) => (
                  <tr key={m.model}>
                    <th scope="row">{m.label}</th>
                    <td>{m.videos}</td>
                    <td>{usd(m.usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </Layout>
  );
}
