"""Schemathesis hooks of scripts/schemathesis.sh.

`positive_data_accepted` stands in for schemathesis' own
`positive_data_acceptance`: a request the schema allows must not be refused
as malformed (400) or invalid (422). The document states every rule of a
single field (lengths, patterns, formats, enums, ranges); what it cannot
state is a rule between fields or against the clinic's data: whether a
doctor works at that hour, whether an id names a row of this clinic, whether
`to` comes after `from`, whether a cursor is one the list handed out, whether
a date of birth is in the future. A refusal is accepted only where such a
rule applies, and only when the answer names the field it is about (or is
`outside_working_hours`), so a refusal of any other field still fails.
"""

import schemathesis

CLINIC = "/v1/clinics/{clinic_id}"

# Operation -> fields whose validity depends on other fields, the clock, or
# the clinic's rows, with the rule that makes it so.
STATE_DEPENDENT = {
    # from < to, at most 92 days apart, within 2000..2100
    f"GET {CLINIC}/appointments": {"from", "to"},
    f"GET {CLINIC}/doctors/{{doctor_id}}/time-off": {"from", "to"},
    # a future slot inside the doctor's hours, of ids of this clinic's rows
    f"POST {CLINIC}/appointments": {"starts_at", "ends_at", "doctor_id", "patient_id", "room_id"},
    f"PATCH {CLINIC}/appointments/{{appointment_id}}": {"starts_at", "ends_at", "doctor_id", "room_id"},
    # ends after starts, at most 366 days, within 2000..2100
    f"POST {CLINIC}/doctors/{{doctor_id}}/time-off": {"starts_at", "ends_at"},
    # each interval ends after it starts; none overlap on a day
    f"PUT {CLINIC}/doctors/{{doctor_id}}/hours": {"hours"},
    # consent needs an email; a date of birth is not in the future
    f"POST {CLINIC}/patients": {"email", "date_of_birth"},
    f"PATCH {CLINIC}/patients/{{patient_id}}": {"email", "date_of_birth"},
    # the linked account must be a doctor of this clinic
    f"POST {CLINIC}/doctors": {"user_id"},
    f"PATCH {CLINIC}/doctors/{{doctor_id}}": {"user_id"},
    # a person new to the product needs a name and a new password
    "POST /v1/invitations/accept": {"full_name", "password"},
    # `stage` goes with `priority=true` only
    f"GET {CLINIC}/sync/pull": {"stage"},
    # the password this account has now
    "PUT /v1/me/password": {"current_password"},
}

# Any list: a cursor must be one the list handed out.
ANY_LIST = {"cursor"}


@schemathesis.check
def positive_data_accepted(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    label = f"{case.method.upper()} {case.path}"
    try:
        body = response.json()
    except ValueError:
        body = {}
    field = body.get("field") if isinstance(body, dict) else None
    code = body.get("code") if isinstance(body, dict) else None
    allowed = STATE_DEPENDENT.get(label, set())
    if case.method.upper() == "GET":
        allowed = allowed | ANY_LIST
    if response.status_code == 422 and (field in allowed or (code == "outside_working_hours" and allowed)):
        return None
    raise AssertionError(
        f"a request the schema allows was refused ({response.status_code}): {body}"
    )
