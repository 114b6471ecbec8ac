import type { SessionState, Settings, SyncStatus } from "./desk";

export type Screen = "agenda" | "patients" | "admin" | "conflicts" | "settings";

export const DEFAULT_SETTINGS: Settings = {
  language: "system",
  theme: "system",
  notify_next_appointment: true,
  notify_lead_minutes: 10,
  notify_conflicts: true,
};

/** Window-wide state: who is signed in, where they are, what the sync engine says. */
export const app = $state<{
  session: SessionState | null;
  sync: SyncStatus | null;
  settings: Settings;
  screen: Screen;
  /** The patient whose record is open on the Patients screen. */
  patientId: string | null;
  /** Said once after sign-in when the keyring was unavailable and the token went to a file. */
  tokenWarning: string | null;
}>({
  session: null,
  sync: null,
  settings: DEFAULT_SETTINGS,
  screen: "agenda",
  patientId: null,
  tokenWarning: null,
});

export function go(screen: Screen, patientId: string | null = null): void {
  app.screen = screen;
  app.patientId = patientId;
}
