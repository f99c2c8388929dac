/** Inline stroke icons (24×24, currentColor). Decorative: always aria-hidden. */
import { raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

const PATHS = {
  logo: [
    "M4 6.5A2.5 2.5 0 0 1 6.5 4h11A2.5 2.5 0 0 1 20 6.5v11a2.5 2.5 0 0 1-2.5 2.5h-11A2.5 2.5 0 0 1 4 17.5z",
    "M10 9.2v5.6a.6.6 0 0 0 .9.5l4.5-2.8a.6.6 0 0 0 0-1l-4.5-2.8a.6.6 0 0 0-.9.5z",
  ],
  download: ["M12 4v11", "m7 10 5 5 5-5", "M5 20h14"],
  remix: [
    "M4 7h11a4 4 0 0 1 0 8H9",
    "m7 4-3 3 3 3",
    "M20 17H9",
    "m17 14 3 3-3 3",
  ],
  trash: [
    "M4 7h16",
    "M10 11v6",
    "M14 11v6",
    "M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12",
    "M9 7V4h6v3",
  ],
  details: ["M9 6l6 6-6 6"],
  back: ["M15 6l-6 6 6 6"],
  image: [
    "M4 6a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2z",
    "m4 16 5-5 4 4 2-2 5 5",
    "M15 9.5a1.5 1.5 0 1 0 0-.01",
  ],
  alert: [
    "M12 8v5",
    "M12 16.5v.01",
    "M10.3 3.9 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
  ],
  check: ["M20 6 9 17l-5-5"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  clock: ["M12 7v5l3 2", "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z"],
  search: ["M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z", "m20 20-4-4"],
  sparkle: [
    "M12 3l1.8 4.9L19 9.7l-5.2 1.8L12 16.5l-1.8-5L5 9.7l5.2-1.8z",
    "M19 15l.8 2.2L22 18l-2.2.8L19 21l-.8-2.2L16 18l2.2-.8z",
  ],
  logout: ["M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3", "M10 17l5-5-5-5", "M15 12H4"],
  play: ["M8 5.6v12.8a1 1 0 0 0 1.5.86l10.2-6.4a1 1 0 0 0 0-1.72L9.5 4.74A1 1 0 0 0 8 5.6z"],
  copy: [
    "M9 9h10a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9a1 1 0 0 1-1-1V10a1 1 0 0 1 1-1z",
    "M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1",
  ],
  rerun: ["M20 11a8 8 0 1 0-2.3 5.7", "M20 4v7h-7"],
  filter: ["M4 5h16", "M7 12h10", "M10 19h4"],
  film: [
    "M4 5a1 1 0 0 1 1-1h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1z",
    "M8 4v16",
    "M16 4v16",
    "M4 9h4",
    "M4 15h4",
    "M16 9h4",
    "M16 15h4",
  ],
} as const;

export type IconName = keyof typeof PATHS;

function Path(props: { d: string }) {
  return <path d={props.d} />;
}

function IconSvg(props: { name: IconName; class?: string }) {
  return (
    <svg
      class={props.class ? `icon ${props.class}` : "icon"}
      viewBox="0 0 24 24"
      width="20"
      height="20"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[props.name].map((d) => <Path key={d} d={d} />)}
    </svg>
  );
}

/** Rendered icons by name and class: a page has about a hundred, of a few kinds. */
const rendered = new Map<string, HtmlEscapedString>();

/**
 * An icon's markup depends only on its name and class, both from the code (a small, fixed set),
 * so each is rendered once and reused as it is.
 */
export function Icon(props: { name: IconName; class?: string }) {
  const key = `${props.name} ${props.class ?? ""}`;
  let html = rendered.get(key);
  if (!html) {
    html = raw(String(<IconSvg name={props.name} class={props.class} />));
    rendered.set(key, html);
  }
  return html;
}
