import { render } from "@testing-library/svelte";
import type { Component } from "svelte";

import { BACKEND_CONTEXT } from "../lib/context";
import type { Backend } from "../lib/desk";

/** Mounts a screen with a fake backend in context, as App would provide the real one. */
export function renderWith<Props extends Record<string, unknown>>(
  component: Component<Props>,
  backend: Backend,
  props: Props,
) {
  return render(component, { props, context: new Map([[BACKEND_CONTEXT, backend]]) });
}
