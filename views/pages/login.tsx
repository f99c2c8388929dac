import { Layout } from "../layout.tsx";
import { Icon } from "../components/Icon.tsx";

/** Plain POST /login form (works without JS). */
export function LoginPage(
  props: { demo: boolean; error?: string; username?: string; next?: string },
) {
  return (
    <Layout title="Log in" demo={props.demo}>
      <section class="auth">
        <div class="auth-card panel">
          <div class="auth-head">
            <Icon name="logo" class="auth-logo" />
            <h1>Log in to Sora Studio</h1>
            <p class="muted">Generate, watch and remix videos with your team.</p>
          </div>
          {props.error && (
            <div class="form-error" role="alert" id="login-error">
              <Icon name="alert" />
              <p>{props.error}</p>
            </div>
          )}
          <form method="post" action="/login" class="auth-form">
            {props.next && props.next !== "/" && (
              <input type="hidden" name="next" value={props.next} />
            )}
            <div class="field">
              <label for="login-username">Username</label>
              <input
                id="login-username"
                name="username"
                type="text"
                autocomplete="username"
                autocapitalize="none"
                spellcheck={false}
                required
                value={props.username ?? ""}
                autofocus={!props.username}
                aria-describedby={props.error ? "login-error" : undefined}
              />
            </div>
            <div class="field">
              <label for="login-password">Password</label>
              <input
                id="login-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                autofocus={!!props.username}
                aria-describedby={props.error ? "login-error" : undefined}
              />
            </div>
            <button type="submit" class="btn btn-primary btn-lg btn-block">Log in</button>
          </form>
        </div>
      </section>
    </Layout>
  );
}
