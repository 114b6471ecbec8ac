import "./style.css";

import { tauriBackend } from "./backend";
import { loadShellStatus, statusText } from "./status";

const statusLine = document.querySelector<HTMLElement>("#status");
if (statusLine) {
  const status = await loadShellStatus(tauriBackend);
  statusLine.textContent = statusText(status);
  statusLine.dataset["state"] = status.kind;
}
