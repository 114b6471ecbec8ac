import type { Message } from "./errors";

export interface Toast {
  id: number;
  kind: "success" | "error" | "info";
  message: Message;
}

/** Every action ends in one of these, so a person always sees what happened. */
export const toasts = $state<Toast[]>([]);
let next = 1;

const LIFETIME_MS = { success: 4000, info: 4000, error: 9000 };

export function dismiss(id: number): void {
  const at = toasts.findIndex((t) => t.id === id);
  if (at >= 0) {
    toasts.splice(at, 1);
  }
}

export function notify(kind: Toast["kind"], message: Message): void {
  const id = next++;
  toasts.push({ id, kind, message });
  setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
}
