// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { app } from "../lib/app.svelte";
import { toasts } from "../lib/toasts.svelte";
import { appointment, FakeBackend, SESSION, sessionAs } from "../testing/fake-backend";
import { renderWith } from "../testing/render";
import Patients from "./Patients.svelte";

describe("patients", () => {
  beforeEach(() => {
    app.patientId = null;
  });

  afterEach(() => {
    toasts.splice(0);
  });

  it("searches on every keystroke and opens a record with contact, consent and history", async () => {
    const desk = new FakeBackend();
    desk.appointments = [appointment({ patientId: "pat-1", status: "completed" })];
    renderWith(Patients, desk, { session: SESSION });

    await fireEvent.input(screen.getByTestId("patients-search"), { target: { value: "luc" } });
    await fireEvent.click(await screen.findByText("Lucía Gómez"));

    expect((await screen.findByTestId("patient-name")).textContent).toBe("Lucía Gómez");
    expect(screen.getByTestId("patient-consent").dataset["consent"]).toBe("false");
    expect(screen.getByTestId("patient-history").textContent).toContain("Completed");
    expect(screen.queryByTestId("patient-notes")).toBeNull();
    expect(desk.called("searchPatients")).toEqual([[{ query: "luc", includeArchived: false, limit: 20 }]]);
  });

  it("says when nothing matches", async () => {
    renderWith(Patients, new FakeBackend(), { session: SESSION });

    await fireEvent.input(screen.getByTestId("patients-search"), { target: { value: "zzz" } });

    expect((await screen.findByTestId("patients-none")).textContent).toContain("zzz");
  });

  it("shows clinical notes only to a role that may read them", async () => {
    const desk = new FakeBackend();
    const record = desk.patient;
    desk.patient = async (id) => ({
      ...(await record(id)),
      canReadNotes: true,
      notes: [{ id: "n1", authorName: "Dr. Elena García", body: "Allergic to penicillin", createdAt: "2026-03-30T07:00:00Z" }],
    });
    app.patientId = "pat-1";
    renderWith(Patients, desk, { session: sessionAs("doctor", { doctorId: "doc-1" }) });

    expect((await screen.findByTestId("patient-notes")).textContent).toContain("Allergic to penicillin");
    expect(screen.queryByTestId("patient-edit")).toBeNull();
    expect(screen.queryByTestId("patients-register")).toBeNull();
  });

  it("registers a patient and opens their record", async () => {
    const desk = new FakeBackend();
    renderWith(Patients, desk, { session: SESSION });

    await fireEvent.click(screen.getByTestId("patients-register"));
    await fireEvent.input(screen.getByTestId("patient-field-fullName"), { target: { value: "Ana Ruiz" } });
    await fireEvent.change(screen.getByTestId("patient-field-sex"), { target: { value: "female" } });
    await fireEvent.click(screen.getByTestId("patient-field-emailConsent"));
    await fireEvent.click(screen.getByTestId("patient-save"));

    expect((await screen.findByTestId("patient-name")).textContent).toBe("Ana Ruiz");
    expect(desk.called("registerPatient")[0]?.[0]).toEqual({
      fullName: "Ana Ruiz",
      dateOfBirth: null,
      sex: "female",
      nationalId: null,
      phone: null,
      email: null,
      address: null,
      emailConsent: true,
    });
  });

  it("edits a patient, showing the backend's field error beside the field", async () => {
    const desk = new FakeBackend();
    desk.failNext("updatePatient", "invalid", "emailConsent needs an email", "emailConsent");
    app.patientId = "pat-1";
    renderWith(Patients, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("patient-edit"));
    await fireEvent.click(screen.getByTestId("patient-field-emailConsent"));
    await fireEvent.click(screen.getByTestId("patient-save"));

    const error = (await screen.findByText(/emailConsent needs an email/)).closest(".field-error");
    expect(error?.id).toBe("edit-patient-emailConsent-error");
    expect(error?.textContent).toContain("Check “Agrees to receive emails”");

    await fireEvent.click(screen.getByTestId("patient-save"));
    await waitFor(() => expect(toasts.map((t) => t.message.key)).toContain("patients.updated"));
    expect(desk.called("updatePatient")[1]?.[0]).toMatchObject({ id: "pat-1", patient: { emailConsent: true } });
  });

  it("archives after a confirmation", async () => {
    const desk = new FakeBackend();
    app.patientId = "pat-1";
    renderWith(Patients, desk, { session: SESSION });

    await fireEvent.click(await screen.findByTestId("patient-archive"));
    expect(desk.called("archivePatient")).toEqual([]);
    await fireEvent.click(screen.getByTestId("patient-archive-confirm"));

    await waitFor(() => expect(desk.called("archivePatient")).toEqual([["pat-1"]]));
  });
});
