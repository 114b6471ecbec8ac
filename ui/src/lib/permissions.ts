import type { Role } from "../backend";

/**
 * What to show to whom. The server enforces docs/ROLES.md on every action;
 * this mirror only hides what a role could not do anyway.
 */
export const can = {
  seeAgenda: (role: Role) => role !== "worker",
  book: (role: Role) => role === "admin" || role === "reception",
  /** Check in, no-show, complete: the desk on any appointment, a doctor on their own. */
  progress: (role: Role, own: boolean) => role === "admin" || role === "reception" || (role === "doctor" && own),
  seePatients: (role: Role) => role !== "worker",
  writePatients: (role: Role) => role === "admin" || role === "reception",
  administer: (role: Role) => role === "admin",
};
