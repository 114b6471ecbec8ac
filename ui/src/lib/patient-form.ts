import type { PatientFields } from "./desk";

/** The form's text boxes; empty means "not given". */
export interface PatientDraft {
  full_name: string;
  date_of_birth: string;
  national_id: string;
  phone: string;
  email: string;
  address: string;
  email_consent: boolean;
}

export function emptyPatientDraft(): PatientDraft {
  return {
    full_name: "",
    date_of_birth: "",
    national_id: "",
    phone: "",
    email: "",
    address: "",
    email_consent: false,
  };
}

export function draftFromPatient(p: PatientFields): PatientDraft {
  return {
    full_name: p.full_name,
    date_of_birth: p.date_of_birth ?? "",
    national_id: p.national_id ?? "",
    phone: p.phone ?? "",
    email: p.email ?? "",
    address: p.address ?? "",
    email_consent: p.email_consent,
  };
}

const optional = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** The fields to send. The backend validates formats and answers with the `field` that is wrong. */
export function patientFields(d: PatientDraft): PatientFields {
  return {
    full_name: d.full_name.trim(),
    date_of_birth: optional(d.date_of_birth),
    national_id: optional(d.national_id),
    phone: optional(d.phone),
    email: optional(d.email),
    address: optional(d.address),
    email_consent: d.email_consent,
  };
}

export const PATIENT_FIELDS: (keyof PatientDraft)[] = [
  "full_name",
  "date_of_birth",
  "national_id",
  "phone",
  "email",
  "address",
  "email_consent",
];
