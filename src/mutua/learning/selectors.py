"""Reading the workshops: programs, sessions (upcoming, one month, one session), a member's own
registrations, the school's roster and waitlist, and the calendar.

Every selector takes the viewer and checks the rule first (`community.permissions`, roles held in
the school). An object of another community, or a malformed id, is `NotFound`: the scoped managers
never return another community's rows, and `_get` says so in one way. Members see how many seats
are left, never who took them; the school's educators see the roster and the waitlist.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import require
from mutua.core.errors import NotFound
from mutua.learning.models import (
    HOLDING,
    LIVE,
    Attendance,
    Payout,
    Program,
    Registration,
    RegistrationStatus,
    Session,
)
from mutua.learning.waitlist import Entry, waitlist_order


def _get(queryset: QuerySet[Any], pk: UUID | str) -> Any:
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        found = None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _sessions(viewer: Member) -> QuerySet[Session]:
    return (
        Session.objects.filter(community_id=viewer.tenant_id)
        .select_related("program", "organization", "instructor")
        .annotate(
            held=Coalesce(
                Sum("registrations__seats", filter=Q(registrations__status__in=HOLDING)), 0
            ),
            left=F("capacity") - F("held"),
        )
    )


def program_list(*, viewer: Member) -> QuerySet[Program]:
    require(viewer, "learning.program.view", viewer.tenant)
    return Program.objects.filter(community_id=viewer.tenant_id).select_related(
        "organization", "reward_coop"
    )


def program_get(*, viewer: Member, program_id: UUID | str) -> Program:
    program: Program = _get(
        Program.objects.filter(community_id=viewer.tenant_id).select_related(
            "organization", "reward_coop"
        ),
        program_id,
    )
    require(viewer, "learning.program.view", program)
    return program


def sessions_upcoming(
    *, viewer: Member, now: datetime | None = None, program: Program | None = None
) -> QuerySet[Session]:
    require(viewer, "learning.program.view", viewer.tenant)
    sessions = _sessions(viewer).filter(ends_at__gt=now or timezone.now())
    return sessions.filter(program=program) if program is not None else sessions


def sessions_between(*, viewer: Member, since: datetime, until: datetime) -> QuerySet[Session]:
    require(viewer, "learning.program.view", viewer.tenant)
    return _sessions(viewer).filter(starts_at__lt=until, ends_at__gt=since)


def session_get(*, viewer: Member, session_id: UUID | str) -> Session:
    session: Session = _get(_sessions(viewer), session_id)
    require(viewer, "learning.program.view", session)
    return session


def member_in_community(*, viewer: Member, member_id: UUID | str) -> Member:
    """An active member of the viewer's community (an instructor named by id)."""
    try:
        found: Member = _get(
            Member.objects.filter(community_id=viewer.tenant_id, is_active=True), member_id
        )
    except NotFound as error:
        message = _("No member has that id.")
        raise NotFound(message, code="unknown_member", fields={"instructor": [message]}) from error
    return found


def seats_left(session: Session) -> int:
    """Free seats of a session read through `_sessions` (which annotates `held` and `left`)."""
    return max(0, int(getattr(session, "left", session.capacity)))


def my_registration(*, viewer: Member, session: Session) -> Registration | None:
    return (
        Registration.objects.filter(session=session, member=viewer)
        .order_by("-created_at")
        .select_related("attendance")
        .first()
    )


def my_registrations(*, viewer: Member) -> QuerySet[Registration]:
    require(viewer, "learning.register", viewer.tenant)
    return (
        Registration.objects.filter(community_id=viewer.tenant_id, member=viewer)
        .select_related("session", "session__program", "session__organization")
        .order_by("-session__starts_at", "-created_at")
    )


def my_attended(*, viewer: Member) -> set[UUID]:
    """The ids of the viewer's registrations that were checked in."""
    found = Attendance.objects.filter(community_id=viewer.tenant_id, member=viewer)
    return set(found.values_list("registration_id", flat=True))


def my_registration_get(*, viewer: Member, registration_id: UUID | str) -> Registration:
    found: Registration = _get(my_registrations(viewer=viewer), registration_id)
    return found


def waiting_place(registration: Registration) -> int | None:
    """1 for the head of the waitlist, 2 for the next ...; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    waiting = Registration.objects.filter(
        session_id=registration.session_id, status=RegistrationStatus.WAITING
    )
    ordered = waitlist_order(Entry(r.pk, r.created_at, r.seats) for r in waiting)
    return [e.id for e in ordered].index(registration.pk) + 1


@dataclass
class Roster:
    """The school's view of one session: who holds seats, who waits, who came, what was paid."""

    session: Session
    registered: list[Registration]
    offered: list[Registration]
    waiting: list[Registration]
    attended: dict[UUID, Attendance]
    credits: set[UUID]
    instructor_paid: Payout | None

    @property
    def present(self) -> int:
        return sum(a.seats for a in self.attended.values())

    @property
    def rows(self) -> list[tuple[Registration, Attendance | None, bool]]:
        """Each registered place, its check-in (if any), and whether its credit was paid."""
        return [(r, self.attended.get(r.pk), r.member_id in self.credits) for r in self.registered]


def roster(*, viewer: Member, session: Session) -> Roster:
    require(viewer, "learning.roster.view", session)
    rows = list(
        Registration.objects.filter(session=session, status__in=LIVE).select_related("member")
    )
    by_id = {r.pk: r for r in rows}
    in_line = waitlist_order(
        Entry(r.pk, r.created_at, r.seats) for r in rows if r.status == RegistrationStatus.WAITING
    )
    payouts = list(Payout.objects.filter(session=session))
    return Roster(
        session=session,
        registered=[r for r in rows if r.status == RegistrationStatus.REGISTERED],
        offered=[r for r in rows if r.status == RegistrationStatus.OFFERED],
        waiting=[by_id[e.id] for e in in_line],
        attended={a.registration_id: a for a in Attendance.objects.filter(session=session)},
        credits={p.member_id for p in payouts if p.kind == "attendance"},
        instructor_paid=next((p for p in payouts if p.kind == "instructor"), None),
    )


def registration_in_session(*, session: Session, registration_id: UUID | str) -> Registration:
    found: Registration = _get(
        Registration.objects.filter(session=session).select_related("member"), registration_id
    )
    return found


def attendance_in_session(*, session: Session, attendance_id: UUID | str) -> Attendance:
    found: Attendance = _get(
        Attendance.objects.filter(session=session).select_related("member", "session"),
        attendance_id,
    )
    return found


# --- the calendar ---------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    in_month: bool
    sessions: list[Session] = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def month_grid(*, viewer: Member, first: date) -> Month:
    """The month's weeks (Monday first), each day with the sessions that start on it."""
    first = first.replace(day=1)
    weeks_of_days = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    zone = timezone.get_current_timezone()
    since = datetime.combine(weeks_of_days[0][0], time.min, tzinfo=zone)
    until = datetime.combine(weeks_of_days[-1][-1] + timedelta(days=1), time.min, tzinfo=zone)
    by_day: dict[date, list[Session]] = {}
    for session in sessions_between(viewer=viewer, since=since, until=until):
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    weeks = [
        [Day(day, day.month == first.month, by_day.get(day, [])) for day in week]
        for week in weeks_of_days
    ]
    return Month(first, weeks)
