/**
 * Every member of a string union (the generated statuses, roles, ...) as a
 * list, in the order written. The argument names each member once: one left
 * out, or one that is not a member, is a type error, so a member added in
 * Rust shows up here when the UI is type-checked, not as a missing option.
 */
export function everyOf<T extends string>(members: Record<T, true>): T[] {
  return Object.keys(members) as T[];
}
