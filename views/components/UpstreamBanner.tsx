import type { UpstreamStatus } from "../../services/providers/upstream_health.ts";

const TITLES = {
  unreachable: "The video service cannot be reached",
  refused: "The video service refused the API key",
  gone: "The video service's endpoint is gone",
};

/** Says what is wrong with the upstream and what to do; nothing at all while it works. */
export function UpstreamBanner(props: { status: UpstreamStatus; admin: boolean }) {
  const { status } = props;
  if (status.ok || !status.outage) return null;
  return (
    <div class="upstream-banner" role="alert" data-outage={status.outage}>
      <strong>{TITLES[status.outage]}.</strong> {status.advice}{" "}
      {props.admin && <a href="/admin">Details on the admin page.</a>}
    </div>
  );
}
