/**
 * A filled fake desk for working on the screens in a plain browser
 * (`VITE_FAKE_BACKEND=1 npm run dev`): no shell, no server, same screens.
 */
import { addDays, weekStart } from "../lib/wall-clock";
import { appointment, doctor, FakeBackend, TODAY } from "./fake-backend";

export function demoBackend(): FakeBackend {
  const desk = new FakeBackend();
  // `?role=admin` (or doctor, worker) shows the screens as that role sees them.
  const role = new URLSearchParams(location.search).get("role");
  if (role === "admin" || role === "doctor" || role === "worker") {
    desk.profile = { ...desk.profile, role, doctor_id: role === "doctor" ? "doc-1" : null };
  }
  desk.doctorsList = [
    doctor("doc-1", "Dr. Elena García"),
    doctor("doc-2", "Dr. Wei Chen"),
    doctor("doc-3", "Dr. Ravi Patel"),
  ];
  const week = [1, 2, 3, 4, 5];
  desk.weekly = {
    "doc-1": week.flatMap((weekday) => [
      { weekday, starts: "09:00", ends: "13:00" },
      { weekday, starts: "15:00", ends: "19:00" },
    ]),
    "doc-2": week.map((weekday) => ({ weekday, starts: "08:00", ends: "15:00" })),
    "doc-3": [2, 4].map((weekday) => ({ weekday, starts: "10:00", ends: "18:00" })),
  };
  desk.doctorsList[1]!.time_off = [{ start: `${TODAY}T12:00`, end: `${TODAY}T13:30` }];
  desk.roomsList = [
    { id: "room-1", name: "Room 1", active: true },
    { id: "room-2", name: "Room 2", active: true },
    { id: "room-3", name: "X-ray", active: true },
  ];
  const people = ["Lucía Gómez", "Luis Martín", "Carmen Ruiz", "Jordi Puig", "Ana Torres", "Mateo Díaz", "Sofía Vidal"];
  desk.patients = people.map((full_name, i) => ({
    id: `pat-${i + 1}`,
    full_name,
    date_of_birth: `19${70 + i}-0${(i % 9) + 1}-1${i}`,
    phone: `600 11${i} 22${i}`,
    email: i % 2 === 0 ? `${full_name.split(" ")[0]!.toLowerCase()}@example.com` : null,
    archived: false,
  }));
  const monday = weekStart(TODAY);
  const slots: [number, string, string, string, number, string][] = [
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
      doctor_id: doctorId,
      doctor_name: desk.doctorsList.find((d) => d.id === doctorId)!.full_name,
      patient_id: `pat-${who + 1}`,
      patient_name: people[who]!,
      room_id: `room-${(i % 3) + 1}`,
      room_name: desk.roomsList[i % 3]!.name,
      start: `${date}T${start}`,
      end: `${date}T${end}`,
      status: status as "booked",
      pending: i === 6,
    });
  });
  desk.conflictList = [
    {
      id: "c-1",
      code: "slot_taken",
      message: "Dr. García is already booked then",
      appointment: appointment({
        id: "appt-refused",
        patient_name: "Jordi Puig",
        start: `${TODAY}T10:15`,
        end: `${TODAY}T10:45`,
        pending: true,
      }),
      created_at: `${TODAY}T07:00:00Z`,
    },
  ];
  desk.status = {
    state: "online",
    last_sync_at: new Date(Date.now() - 120_000).toISOString(),
    pending: 1,
    conflicts: 1,
    last_error: null,
  };
  return desk;
}
