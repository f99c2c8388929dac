import { type ApiTokenInfo, MAX_TOKEN_NAME } from "../../services/auth/api_tokens.ts";
import type { User } from "../../services/types.ts";
import { Icon } from "../components/Icon.tsx";
import { formatTime } from "../format.ts";
import { Layout } from "../layout.tsx";

/** The MCP client configuration for this server and token, as the README shows it. */
export function mcpConfig(baseUrl: string, token: string): string {
  return JSON.stringify(
    {
      mcpServers: {
        "sora-studio": {
          type: "http",
          url: new URL("/mcp", baseUrl).href,
          headers: { Authorization: `Bearer ${token}` },
        },
      },
    },
    null,
    2,
  );
}

export function curlExample(baseUrl: string, token: string): string {
  return `curl -s ${new URL("/api/me", baseUrl).href} -H "authorization: Bearer ${token}"`;
}

function LocalTime(props: { value: string | null; empty: string }) {
  if (!props.value) return <span class="muted">{props.empty}</span>;
  return <time data-local datetime={props.value}>{formatTime(props.value)}</time>;
}

/** A block of text with a button that copies it (app.js's `data-copy`). */
function Copyable(props: { id: string; label: string; text: string; copied: string }) {
  return (
    <div class="token-copy">
      <div class="token-copy-head">
        <span class="label" id={`${props.id}-label`}>{props.label}</span>
        <button
          type="button"
          class="btn btn-sm"
          data-copy={`#${props.id}`}
          data-copied={props.copied}
          aria-describedby={`${props.id}-label`}
        >
          <Icon name="copy" />
          Copy
        </button>
      </div>
      <pre
        class="token-pre"
        aria-labelledby={`${props.id}-label`}
      ><code id={props.id}>{props.text}</code></pre>
    </div>
  );
}

/** The token just made: shown this once, with what to paste where. */
function NewToken(props: { made: ApiTokenInfo & { token: string }; baseUrl: string }) {
  const { made, baseUrl } = props;
  return (
    <section class="panel token-new" aria-labelledby="token-new-title" id="token-new">
      <div class="panel-head">
        <h2 id="token-new-title" class="panel-title">Token “{made.name}” made</h2>
        <p class="muted">
          Copy it now: it is shown only this once. It lasts until{" "}
          <LocalTime value={made.expires_at} empty="" /> or until you revoke it.
        </p>
      </div>
      <Copyable id="new-token" label="Token" text={made.token} copied="Token copied." />
      <Copyable
        id="new-token-curl"
        label="Try it with curl"
        text={curlExample(baseUrl, made.token)}
        copied="curl command copied."
      />
      <Copyable
        id="new-token-mcp"
        label="MCP client configuration (mcp.json / .mcp.json)"
        text={mcpConfig(baseUrl, made.token)}
        copied="MCP configuration copied."
      />
      <p class="muted">
        Behind a proxy, use the public <code>https://</code> address.
      </p>
    </section>
  );
}

function TokenRow(props: { token: ApiTokenInfo }) {
  const t = props.token;
  return (
    <tr data-token={t.id}>
      <th scope="row">{t.name}</th>
      <td>
        <LocalTime value={t.created_at} empty="—" />
      </td>
      <td>
        <LocalTime value={t.last_used_at} empty="Never" />
      </td>
      <td>
        <LocalTime value={t.expires_at} empty="—" />
      </td>
      <td>
        <form method="post" action={`/account/tokens/${t.id}/revoke`} class="inline-form">
          <button type="submit" class="btn btn-sm btn-danger" aria-label={`Revoke ${t.name}`}>
            Revoke
          </button>
        </form>
      </td>
    </tr>
  );
}

/** Where a user makes, sees and revokes their API tokens (plain forms; works without JS). */
export function AccountTokensPage(props: {
  user: User;
  demo: boolean;
  tokens: ApiTokenInfo[];
  baseUrl: string;
  made?: ApiTokenInfo & { token: string };
  revoked?: boolean;
  error?: string;
  name?: string;
}) {
  return (
    <Layout title="API tokens" user={props.user} demo={props.demo}>
      <div class="admin tokens">
        {props.revoked && (
          <p class="notice" role="status" id="token-revoked">
            Token revoked: anything using it is refused from now on.
          </p>
        )}
        {props.made && <NewToken made={props.made} baseUrl={props.baseUrl} />}
        <section class="panel admin-panel" aria-labelledby="tokens-title">
          <div class="panel-head">
            <h1 id="tokens-title" class="panel-title">API tokens</h1>
            <p class="muted">
              A token lets a script (the JSON API) or an MCP client act as you, without your
              password. Each lasts 90 days. Changing your password ends them all.
            </p>
          </div>
          {props.tokens.length === 0
            ? <p class="muted" id="tokens-empty">You have no API tokens.</p>
            : (
              <div class="table-wrap">
                <table class="admin-table" id="tokens-list">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Expires</th>
                      <th scope="col">
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {props.tokens.map((t) => <TokenRow key={t.id} token={t} />)}
                  </tbody>
                </table>
              </div>
            )}
          <form method="post" action="/account/tokens" class="admin-add">
            <h2 class="section-title">New token</h2>
            {props.error && (
              <div class="form-error" role="alert" id="token-error">
                <Icon name="alert" />
                <p>{props.error}</p>
              </div>
            )}
            <div class="admin-add-fields">
              <label class="field">
                <span class="label">Name</span>
                <input
                  name="name"
                  type="text"
                  required
                  maxlength={MAX_TOKEN_NAME}
                  autocomplete="off"
                  placeholder="e.g. nightly script, Claude Code"
                  value={props.name ?? ""}
                  aria-invalid={props.error ? "true" : undefined}
                />
              </label>
            </div>
            <button type="submit" class="btn btn-primary">Create token</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
