import type { Child } from "hono/jsx";

/** One `<option>`; a component so lists can carry a JSX `key` without rendering it. */
export function Option(props: { value: string; selected?: boolean; children?: Child }) {
  return <option value={props.value} selected={props.selected}>{props.children}</option>;
}
