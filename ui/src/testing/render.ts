import { render } from "@testing-library/svelte";

import { BACKEND_CONTEXT } from "../lib/context";
import type { Backend } from "../backend";

/** Mounts a screen with a fake backend in context, as App would provide the real one. */
export function renderWith(component: Parameters<typeof render>[0], backend: Backend, props: Record<string, unknown>) {
  return render(component, { props, context: new Map([[BACKEND_CONTEXT, backend]]) });
}
