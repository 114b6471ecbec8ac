import { getContext, setContext } from "svelte";

import type { Backend } from "../backend";

const BACKEND = Symbol("backend");

/** The screens get the backend from context, so component tests hand them a fake. */
export function provideBackend(backend: Backend): void {
  setContext(BACKEND, backend);
}

export function backend(): Backend {
  const found = getContext<Backend | undefined>(BACKEND);
  if (!found) {
    throw new Error("no backend in context: mount screens under App or pass one in the test");
  }
  return found;
}

export const BACKEND_CONTEXT = BACKEND;
