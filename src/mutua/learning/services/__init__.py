"""The workshops' writers, one module per part of the work; import them from here.

- `programs`: programs and their sessions.
- `registrations`: registering, the waitlist and its time-limited offers, cancelling.
- `attendance`: check-in, the attendance credit and the instructor's fee (ledger transfers).
- `reminders`: reminder mail before a session, once per registration.
- `feeds`: a member's secret calendar address.
"""

from mutua.learning.services.attendance import (
    CheckIn,
    attendance_check_in,
    attendance_credit_pay,
    instructor_pay,
    payout_transfer_id,
)
from mutua.learning.services.feeds import calendar_feed_get, calendar_feed_reset
from mutua.learning.services.programs import SessionPlan, program_create, session_create
from mutua.learning.services.registrations import (
    Filled,
    offer_accept,
    offer_decline,
    offers_expire,
    registration_cancel,
    registration_create,
    registration_notes_forget,
    seats_held,
    session_refresh,
    session_touch,
)
from mutua.learning.services.reminders import reminders_send

__all__ = [
    "CheckIn",
    "Filled",
    "SessionPlan",
    "attendance_check_in",
    "attendance_credit_pay",
    "calendar_feed_get",
    "calendar_feed_reset",
    "instructor_pay",
    "offer_accept",
    "offer_decline",
    "offers_expire",
    "payout_transfer_id",
    "program_create",
    "registration_cancel",
    "registration_create",
    "registration_notes_forget",
    "reminders_send",
    "seats_held",
    "session_create",
    "session_refresh",
    "session_touch",
]
