import { MIN_PASSWORD_LENGTH } from "../../services/auth/password_policy.ts";
import type { User } from "../../services/types.ts";
import { Icon } from "../components/Icon.tsx";
import { Layout } from "../layout.tsx";

/** One password input with its label and, when refused, the reason under it. */
function PasswordField(props: {
  name: string;
  label: string;
  autocomplete: string;
  error?: string;
  hint?: string;
  minlength?: number;
}) {
  const id = `account-${props.name.replace("_", "-")}`;
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="password"
        autocomplete={props.autocomplete}
        required
        minlength={props.minlength}
        maxlength={1024}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described.length ? described.join(" ") : undefined}
      />
      {props.hint && <p class="muted" id={`${id}-hint`}>{props.hint}</p>}
      {props.error && <p class="field-error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/** Plain POST form (works without JS) where a signed-in user changes their own password. */
export function AccountPasswordPage(props: {
  user: User;
  demo: boolean;
  changed?: boolean;
  error?: string;
  fields?: Record<string, string>;
}) {
  const fields = props.fields ?? {};
  return (
    <Layout title="Change password" user={props.user} demo={props.demo}>
      <section class="auth">
        <div class="auth-card panel">
          <div class="auth-head">
            <h1>Change your password</h1>
            <p class="muted">
              Your other sessions and API tokens end; this one stays signed in.
            </p>
            <p class="muted">
              For a script or an MCP client, make an <a href="/account/tokens">API token</a>{" "}
              instead of sending your password.
            </p>
          </div>
          {props.changed && (
            <p class="notice" role="status" id="password-changed">
              Password changed. Your other sessions and API tokens have ended.
            </p>
          )}
          {props.error && (
            <div class="form-error" role="alert" id="password-error">
              <Icon name="alert" />
              <p>{props.error}</p>
            </div>
          )}
          <form method="post" action="/account/password" class="auth-form">
            <PasswordField
              name="current_password"
              label="Current password"
              autocomplete="current-password"
              error={fields.current_password}
            />
            <PasswordField
              name="new_password"
              label="New password"
              autocomplete="new-password"
              minlength={MIN_PASSWORD_LENGTH}
              hint={`At least ${MIN_PASSWORD_LENGTH} characters, not a common password, not your username.`}
              error={fields.new_password}
            />
            <PasswordField
              name="repeat_password"
              label="New password again"
              autocomplete="new-password"
              minlength={MIN_PASSWORD_LENGTH}
              error={fields.repeat_password}
            />
            <button type="submit" class="btn btn-primary btn-lg btn-block">Change password</button>
          </form>
        </div>
      </section>
    </Layout>
  );
}
