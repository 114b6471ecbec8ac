import type { Language, Session, Settings, SyncStatusView, Theme } from "../backend";

export type Screen = "agenda" | "patients" | "admin" | "conflicts" | "settings";

/** The settings with every choice made: what the screens read. */
export interface Preferences {
  language: Language;
  theme: Theme;
  nextAppointment: boolean;
  leadMinutes: number;
  conflicts: boolean;
}

export const DEFAULT_PREFERENCES: Preferences = {
  language: "system",
  theme: "system",
  nextAppointment: true,
  leadMinutes: 10,
  conflicts: true,
};

/** Fills what the stored settings leave out with the defaults. */
export function preferences(stored: Settings): Preferences {
  return {
    language: stored.language ?? DEFAULT_PREFERENCES.language,
    theme: stored.theme ?? DEFAULT_PREFERENCES.theme,
    nextAppointment: stored.notifications?.nextAppointment ?? DEFAULT_PREFERENCES.nextAppointment,
    leadMinutes: stored.notifications?.leadMinutes ?? DEFAULT_PREFERENCES.leadMinutes,
    conflicts: stored.notifications?.conflicts ?? DEFAULT_PREFERENCES.conflicts,
  };
}

export function settingsOf(p: Preferences): Settings {
  return {
    language: p.language,
    theme: p.theme,
    notifications: { nextAppointment: p.nextAppointment, leadMinutes: p.leadMinutes, conflicts: p.conflicts },
  };
}

/** Window-wide state: who is signed in, where they are, what the sync engine says. */
export const app = $state<{
  session: Session | null;
  sync: SyncStatusView | null;
  settings: Preferences;
  screen: Screen;
  /** The patient whose record is open on the Patients screen. */
  patientId: string | null;
  /** Said once after sign-in when the keyring was unavailable and the token went to a file. */
  tokenWarning: string | null;
  /**
   * The doctor this desk last worked with on the agenda (chose, booked for,
   * opened): the one its week view shows when "all doctors" is chosen. Kept
   * here so a visit to another screen does not forget it.
   */
  lastDoctor: string | null;
}>({
  session: null,
  sync: null,
  settings: DEFAULT_PREFERENCES,
  screen: "agenda",
  patientId: null,
  tokenWarning: null,
  lastDoctor: null,
});

export function go(screen: Screen, patientId: string | null = null): void {
  app.screen = screen;
  app.patientId = patientId;
}
