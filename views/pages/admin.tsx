import type { AdminStatus, ProviderStatus } from "../../services/app/admin_status.ts";
import { MIN_PASSWORD_LENGTH } from "../../services/auth/password_policy.ts";
import type { UpstreamStatus } from "../../services/providers/upstream_health.ts";
import type { User } from "../../services/types.ts";
import type { UserSummary } from "../../services/auth/users.ts";
import { formatCost, STATUS_LABELS } from "../format.ts";
import { Layout } from "../layout.tsx";

/** Fixed messages for what an admin action did; the URL names one, never carries the text. */
export const ADMIN_NOTICES = {
  added: "User added.",
  password: "Password changed; that user's sessions have ended.",
  disabled: "User disabled; their sessions have ended.",
  enabled: "User enabled.",
  removed: "User removed, with their videos.",
  budget: "Budget saved.",
} as const;
export type AdminNotice = keyof typeof ADMIN_NOTICES;

const OUTAGE_TITLES = {
  unreachable: "Cannot reach the video service",
  refused: "The video service refused the API key",
  gone: "The video service endpoint is gone",
};

/** Whether a provider's key works: proven, refused, or answered in a way that tells neither. */
function KeyStatus(props: { status: UpstreamStatus }) {
  const s = props.status;
  if (!s.ok) {
    return (
      <>
        <strong>{OUTAGE_TITLES[s.outage!]}</strong>
        <br />
        {s.advice} <span class="muted">({s.detail})</span>
      </>
    );
  }
  if (s.verified === false) {
    return (
      <>
        <strong>Cannot be verified</strong> <span class="muted">({s.detail})</span>
      </>
    );
  }
  return <>Works (checked with an authenticated request)</>;
}

function ProviderPanel(props: { provider: ProviderStatus }) {
  const p = props.provider;
  return (
    <div class="admin-add" data-provider={p.id}>
      <h3 class="section-title">
        {p.name}
        {p.simulated && <span class="chip">simulated</span>}
      </h3>
      <dl class="admin-facts">
        <dt>Endpoint</dt>
        <dd>{p.endpoint}</dd>
        <dt>Status</dt>
        <dd data-provider-ok={String(p.status.ok)}>
          <KeyStatus status={p.status} />
        </dd>
        <dt>Models</dt>
        <dd>
          <ul class="admin-list">
            {p.models.map((m) => (
              <li key={m.id} data-model={m.id}>
                {m.label} <code>{m.id}</code> <span class="muted">· {m.price}</span>
                {m.retiresAt && <span class="chip">retires {m.retiresAt}</span>}
              </li>
            ))}
          </ul>
        </dd>
        {p.retired.length > 0 && (
          <>
            <dt>Retired</dt>
            <dd data-retired>
              <ul class="admin-list">
                {p.retired.map((m) => (
                  <li key={m.id}>
                    {m.label} <code>{m.id}</code>
                    {m.replacement && <span class="muted">· replaced by {m.replacement}</span>}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {p.createsMayRepeat && (
          <>
            <dt>Retries</dt>
            <dd class="muted">
              This provider has no idempotency key: a create whose answer was lost and is sent again
              can make (and bill) a second video.
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

export function AdminPage(props: {
  user: User;
  demo: boolean;
  status: AdminStatus;
  users: UserSummary[];
  teamBudget: number | null;
  notice?: AdminNotice;
  error?: string;
}) {
  const { status } = props;
  const upstream = status.upstream.status;
  return (
    <Layout title="Admin" user={props.user} demo={props.demo}>
      <div class="admin">
        {props.notice && <p class="notice" role="status">{ADMIN_NOTICES[props.notice]}</p>}
        {props.error && <p class="form-error" role="alert">{props.error}</p>}
        <section class="panel admin-panel" aria-labelledby="status-title">
          <div class="panel-head">
            <h1 id="status-title" class="panel-title">Status</h1>
          </div>
          <dl class="admin-facts">
            <dt>Upstream</dt>
            <dd>
              {status.upstream.name}
              {status.upstream.simulated && " — built-in simulators (demo mode)"}
            </dd>
            <dt>API key</dt>
            <dd
              data-upstream-ok={String(upstream.ok)}
              data-upstream-verified={String(upstream.verified !== false)}
            >
              <KeyStatus status={upstream} />
            </dd>
            <dt>Request budget</dt>
            <dd>
              {status.budget.perMinute} requests per minute
              {status.budget.waitMs > 0 &&
                ` (next request in ${Math.ceil(status.budget.waitMs)} ms)`}
            </dd>
            <dt>Queue</dt>
            <dd>
              {(["queued", "in_progress", "downloading"] as const).map((s) => (
                <span key={s} class="chip">{STATUS_LABELS[s]}: {status.queue[s] ?? 0}</span>
              ))} <span class="muted">checked every {status.pollIntervalMs} ms</span>
            </dd>
            <dt>Share links</dt>
            <dd>
              <a href="/admin/shares">Videos shared by link</a>, to see what plays without logging
              in and revoke it
            </dd>
            <dt>Media</dt>
            <dd data-ffmpeg={String(status.ffmpeg)}>
              {status.ffmpeg
                ? "ffmpeg runs here: thumbnails, storyboards and last frames are made from the MP4 when a provider sends none."
                : "ffmpeg cannot run here (install it, and allow it with --allow-run=ffmpeg): videos from providers that send only the MP4 have no thumbnail, storyboard or last frame."}
            </dd>
          </dl>
        </section>

        <section class="panel admin-panel" aria-labelledby="providers-title">
          <div class="panel-head">
            <h2 id="providers-title" class="panel-title">Providers</h2>
          </div>
          {status.providers.map((p) => <ProviderPanel key={p.id} provider={p} />)}
          {status.keptUpstream.length > 0 && (
            <div class="admin-add" data-kept-upstream>
              <h3 class="section-title">Kept upstream</h3>
              <p class="muted">
                Deleted here, but the provider refused to delete its copy. Remove these in the
                provider's own console if they must go.
              </p>
              <ul class="admin-list">
                {status.keptUpstream.map((k) => (
                  <li key={`${k.video_id}-${k.at}`}>
                    <code>{k.upstream_id}</code> ({k.model}, {k.provider}) — {k.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>

        <section class="panel admin-panel" aria-labelledby="users-title">
          <div class="panel-head">
            <h2 id="users-title" class="panel-title">Users</h2>
            <p class="muted">
              Spend is estimated from the price table; failed videos cost nothing.{" "}
              <a href="/admin/spend">Spend by user and model</a>
            </p>
          </div>
          <div class="table-wrap">
            <table class="admin-table admin-users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Videos</th>
                  <th scope="col">Spend this month</th>
                  <th scope="col">Monthly budget</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {props.users.map((u) => (
                  <UserRow key={u.id} user={u} self={u.id === props.user.id} />
                ))}
              </tbody>
            </table>
          </div>
          <div class="admin-add">
            <h3 class="section-title">Team budget</h3>
            <p class="muted">
              A video that would take the whole team past this month's budget is refused before
              anything is sent.
            </p>
            <BudgetForm action="/admin/budget" budget={props.teamBudget} who="the team" />
          </div>
          <form method="post" action="/admin/users" class="admin-add">
            <h3 class="section-title">Add a user</h3>
            <div class="admin-add-fields">
              <label class="field">
                <span class="label">Username</span>
                <input name="username" type="text" required maxlength={32} autocomplete="off" />
              </label>
              <label class="field">
                <span class="label">Password</span>
                <input
                  name="password"
                  type="password"
                  required
                  minlength={MIN_PASSWORD_LENGTH}
                  autocomplete="new-password"
                />
              </label>
              <label class="field">
                <span class="label">Role</span>
                <select name="role">
                  <option value="user">User</option>
                  <option value="admin">Admin</option>
                </select>
              </label>
            </div>
            <button type="submit" class="btn btn-primary">Add user</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}

/** A budget in USD per month; empty means none. */
function BudgetForm(props: { action: string; budget: number | null; who: string }) {
  const id = `budget-${props.action.replace(/\W+/g, "-")}`;
  return (
    <form method="post" action={props.action} class="inline-form">
      <label class="visually-hidden" for={id}>Monthly budget in USD for {props.who}</label>
      <input
        id={id}
        name="budget"
        type="number"
        min="0"
        step="0.01"
        inputmode="decimal"
        placeholder="No limit"
        value={props.budget === null ? "" : String(props.budget)}
      />
      <button type="submit" class="btn btn-sm">Save</button>
    </form>
  );
}

function UserRow(props: { user: UserSummary; self: boolean }) {
  const u = props.user;
  return (
    <tr data-user={u.username}>
      <th scope="row">
        {u.username} {u.disabled && <span class="chip">disabled</span>}
      </th>
      {/* data-label: the column's name, shown beside the value when a phone stacks the row. */}
      <td data-label="Role">{u.role}</td>
      <td data-label="Videos">{u.videos}</td>
      <td data-label="Spend this month">{formatCost(u.spendThisMonth).replace("≈ ", "")}</td>
      <td data-label="Monthly budget">
        <BudgetForm action={`/admin/users/${u.id}/budget`} budget={u.budget} who={u.username} />
      </td>
      <td class="admin-actions">
        <form method="post" action={`/admin/users/${u.id}/password`} class="inline-form">
          <label class="visually-hidden" for={`pw-${u.id}`}>New password for {u.username}</label>
          <input
            id={`pw-${u.id}`}
            name="password"
            type="password"
            required
            minlength={MIN_PASSWORD_LENGTH}
            placeholder="New password"
            autocomplete="new-password"
          />
          <button type="submit" class="btn btn-sm">Reset password</button>
        </form>
        {!props.self && (
          <form
            method="post"
            action={`/admin/users/${u.id}/${u.disabled ? "enable" : "disable"}`}
            class="inline-form"
          >
            <button type="submit" class="btn btn-sm">{u.disabled ? "Enable" : "Disable"}</button>
          </form>
        )}
        {!props.self && (
          <form
            method="post"
            action={`/admin/users/${u.id}/delete`}
            class="inline-form"
            data-confirm={`Remove ${u.username} and all their videos?`}
          >
            <button type="submit" class="btn btn-sm btn-danger">Remove</button>
          </form>
        )}
      </td>
    </tr>
  );
}
