import type { ShareRow } from "../../services/stores/database.ts";
import type { User } from "../../services/types.ts";
import { sharePath } from "../../services/videos/video_view.ts";
import { excerpt, formatTime } from "../format.ts";
import { Layout } from "../layout.tsx";

/** Live share links across the team, newest first, each with Revoke. */
export function AdminSharesPage(props: {
  user: User;
  demo: boolean;
  shares: ShareRow[];
  revoked: boolean;
}) {
  return (
    <Layout title="Share links" user={props.user} demo={props.demo}>
      <div class="admin">
        <nav class="breadcrumb" aria-label="Breadcrumb">
          <a href="/admin" class="back-link">Admin</a>
        </nav>
        {props.revoked && (
          <p class="notice" role="status">
            The link is revoked: it plays no more.
          </p>
        )}
        <section class="panel admin-panel" aria-labelledby="shares-title">
          <div class="panel-head">
            <h1 id="shares-title" class="panel-title">Share links</h1>
            <p class="muted">
              Each plays its video to anyone with the link, without logging in, until revoked.
            </p>
          </div>
          {props.shares.length === 0
            ? <p class="muted">No video is shared by link.</p>
            : (
              <div class="table-wrap">
                <table class="admin-table">
                  <thead>
                    <tr>
                      <th scope="col">Video</th>
                      <th scope="col">By</th>
                      <th scope="col">Shared</th>
                      <th scope="col">Link</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {props.shares.map((share) => {
                      const link = sharePath(share.share_token);
                      const at = new Date(share.share_created_at).toISOString();
                      return (
                        <tr key={share.video_id} data-share={share.video_id}>
                          <td>{excerpt(share.prompt, 80)}</td>
                          <td>{share.username}</td>
                          <td>
                            <time data-local datetime={at}>{formatTime(at)}</time>
                          </td>
                          <td>
                            <a href={link} target="_blank" rel="noopener">{link}</a>
                          </td>
                          <td>
                            <form
                              method="post"
                              action={`/admin/shares/${encodeURIComponent(share.video_id)}/revoke`}
                              class="inline-form"
                            >
                              <button type="submit" class="btn btn-sm btn-danger">Revoke</button>
                            </form>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
        </section>
      </div>
    </Layout>
  );
}
