import "./style.css";

import { mount } from "svelte";

import App from "./App.svelte";
import { tauriBackend } from "./backend";
import type { Backend } from "./backend";

const target = document.getElementById("app");
if (!target) {
  throw new Error("index.html has no #app element");
}

// A development server may stand in a fake desk, to work on screens in a browser;
// production builds drop this branch entirely.
const backend: Backend =
  import.meta.env.DEV && import.meta.env["VITE_FAKE_BACKEND"]
    ? (await import("./testing/demo")).demoBackend()
    : tauriBackend;

mount(App, { target, props: { backend } });
