import type { RosterDoctor } from "../backend";

/**
 * How many doctors stand side by side. A clinic may have 125 doctors: all of
 * them at once is a grid no one reads (and 875 week columns hang the page).
 * A day shows 8 columns of readable width; a week shows each doctor's 7 days,
 * so 2 doctors make 14 columns.
 */
export const DOCTORS_PER_PAGE = { day: 8, week: 2 } as const;

export type AgendaView = keyof typeof DOCTORS_PER_PAGE;

export interface DoctorPageRequest {
  /** One doctor chosen ("" = all, paged). */
  doctorId: string;
  /** Only doctors with this specialty ("" = any). */
  specialty: string;
  /** Zero-based; out of range is clamped. */
  page: number;
}

export interface DoctorPage {
  /** The doctors to show, in roster order. */
  ids: string[];
  /** The page shown, after clamping. */
  page: number;
  pages: number;
  /** 1-based positions of the first and last shown among `total` (0 when none). */
  first: number;
  last: number;
  /** Doctors matching the filter. */
  total: number;
}

/** The doctors one agenda view shows: the chosen one, or a page of the (filtered) roster. */
export function doctorPage(roster: RosterDoctor[], view: AgendaView, request: DoctorPageRequest): DoctorPage {
  if (request.doctorId !== "") {
    return { ids: [request.doctorId], page: 0, pages: 1, first: 1, last: 1, total: 1 };
  }
  const matching =
    request.specialty === "" ? roster : roster.filter((d) => d.specialties.includes(request.specialty));
  const size = DOCTORS_PER_PAGE[view];
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const page = Math.min(Math.max(0, Math.trunc(request.page)), pages - 1);
  const shown = matching.slice(page * size, (page + 1) * size);
  return {
    ids: shown.map((d) => d.id),
    page,
    pages,
    first: shown.length === 0 ? 0 : page * size + 1,
    last: page * size + shown.length,
    total: matching.length,
  };
}

/** The specialties in the roster, each once, alphabetically in `locale`. */
export function specialties(roster: RosterDoctor[], locale: string): string[] {
  return [...new Set(roster.flatMap((d) => d.specialties))].sort((a, b) => a.localeCompare(b, locale));
}
