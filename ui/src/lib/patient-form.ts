import type { Patient, PatientForm, Sex } from "../backend";
import { everyOf } from "./every";

/** The form's inputs; empty means "not given". */
export interface PatientDraft {
  fullName: string;
  dateOfBirth: string;
  sex: Sex | "";
  nationalId: string;
  phone: string;
  email: string;
  address: string;
  emailConsent: boolean;
}

export const SEXES = everyOf<Sex>({ female: true, male: true, other: true });

export function emptyPatientDraft(): PatientDraft {
  return {
    fullName: "",
    dateOfBirth: "",
    sex: "",
    nationalId: "",
    phone: "",
    email: "",
    address: "",
    emailConsent: false,
  };
}

export function draftFromPatient(p: Patient): PatientDraft {
  return {
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth ?? "",
    sex: p.sex ?? "",
    nationalId: p.nationalId ?? "",
    phone: p.phone ?? "",
    email: p.email ?? "",
    address: p.address ?? "",
    emailConsent: p.emailConsent,
  };
}

const optional = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** The form to send. The backend validates formats and answers with the `field` that is wrong. */
export function patientForm(d: PatientDraft): PatientForm {
  return {
    fullName: d.fullName.trim(),
    dateOfBirth: optional(d.dateOfBirth),
    sex: d.sex === "" ? null : d.sex,
    nationalId: optional(d.nationalId),
    phone: optional(d.phone),
    email: optional(d.email),
    address: optional(d.address),
    emailConsent: d.emailConsent,
  };
}

export const PATIENT_FIELDS: (keyof PatientDraft)[] = [
  "fullName",
  "dateOfBirth",
  "sex",
  "nationalId",
  "phone",
  "email",
  "address",
  "emailConsent",
];
