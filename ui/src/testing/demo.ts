/**
 * A filled fake desk for working on the screens in a plain browser
 * (`VITE_FAKE_BACKEND=1 npm run dev`): no shell, no server, same screens.
 * `?role=admin` (or doctor, worker) shows them as that role sees them.
 */
import type { AppointmentStatus } from "../backend";
import { addDays, weekStart } from "../lib/wall-clock";
import { appointment, doctor, FakeBackend, sessionAs, TODAY } from "./fake-backend";

export function demoBackend(): FakeBackend {
  const desk = new FakeBackend();
  const role = new URLSearchParams(location.search).get("role");
  if (role === "admin" || role === "doctor" || role === "worker") {
    desk.session = sessionAs(role, { doctorId: role === "doctor" ? "doc-1" : null });
  }
  const week = [1, 2, 3, 4, 5];
  desk.doctorList = [
    {
      ...doctor("doc-1", "Dr. Elena García"),
      specialties: ["Family medicine"],
      hours: week.flatMap((weekday) => [
        { weekday, start: "09:00", end: "13:00" },
        { weekday, start: "15:00", end: "19:00" },
      ]),
    },
    {
      ...doctor("doc-2", "Dr. Wei Chen"),
      specialties: ["Paediatrics"],
      hours: week.map((weekday) => ({ weekday, start: "08:00", end: "15:00" })),
      timeOff: [{ id: "off-1", start: `${TODAY}T12:00`, end: `${TODAY}T13:30`, reason: "Training" }],
    },
    {
      ...doctor("doc-3", "Dr. Ravi Patel"),
      specialties: ["Radiology"],
      hours: [2, 4].map((weekday) => ({ weekday, start: "10:00", end: "18:00" })),
    },
  ];
  desk.roomList = [
    { id: "room-1", name: "Room 1", active: true },
    { id: "room-2", name: "Room 2", active: true },
    { id: "room-3", name: "X-ray", active: true },
  ];
  const people = ["Lucía Gómez", "Luis Martín", "Carmen Ruiz", "Jordi Puig", "Ana Torres", "Mateo Díaz", "Sofía Vidal"];
  desk.patients = people.map((fullName, i) => ({
    id: `pat-${i + 1}`,
    fullName,
    dateOfBirth: `19${70 + i}-0${(i % 9) + 1}-1${i}`,
    phone: `600 11${i} 22${i}`,
    email: i % 2 === 0 ? `${fullName.split(" ")[0]!.toLowerCase()}@example.com` : null,
    archived: false,
    pending: false,
  }));
  const monday = weekStart(TODAY);
  const slots: [number, string, string, string, number, AppointmentStatus][] = [
    [0, "doc-1", "09:00", "09:30", 0, "completed"],
    [0, "doc-1", "09:30", "10:00", 1, "checked_in"],
    [0, "doc-1", "10:15", "11:00", 2, "booked"],
    [0, "doc-1", "16:00", "16:30", 3, "booked"],
    [0, "doc-2", "08:30", "09:00", 4, "no_show"],
    [0, "doc-2", "09:00", "10:00", 5, "booked"],
    [0, "doc-2", "10:30", "11:00", 6, "booked"],
    [1, "doc-3", "11:00", "11:45", 0, "booked"],
    [2, "doc-1", "12:00", "12:30", 1, "booked"],
    [3, "doc-2", "09:00", "09:20", 2, "booked"],
  ];
  desk.appointments = slots.map(([day, doctorId, start, end, who, status], i) => {
    const date = addDays(monday, day);
    return appointment({
      id: `appt-${i + 1}`,
      doctorId,
      doctorName: desk.doctorList.find((d) => d.id === doctorId)?.fullName ?? null,
      patientId: `pat-${who + 1}`,
      patientName: people[who] ?? null,
      roomId: `room-${(i % 3) + 1}`,
      roomName: desk.roomList[i % 3]?.name ?? null,
      start: `${date}T${start}`,
      end: `${date}T${end}`,
      status,
      pending: i === 6,
    });
  });
  desk.conflictList = [
    {
      id: "c-1",
      action: "book_appointment",
      code: "slot_taken",
      message: "Dr. García is already booked then",
      summary: "Book Jordi Puig with Dr. Elena García on Mon 30 Mar 10:15–10:45",
      subjectName: "Jordi Puig",
      requestedSlot: { doctorId: "doc-1", roomId: "room-1", start: `${TODAY}T10:15`, end: `${TODAY}T10:45`, minutes: 30 },
      appointmentSlot: null,
      appointmentId: "appt-refused",
      queuedAt: `${TODAY}T07:00:00Z`,
      rejectedAt: `${TODAY}T07:05:00Z`,
    },
  ];
  desk.status = {
    state: "online",
    lastSyncAt: new Date(Date.now() - 120_000).toISOString(),
    pending: 1,
    conflicts: 1,
    lastError: null,
    live: true,
  };
  return desk;
}
