"""The workshops' part of `mutua demo`: a month of workshops at Riverbend Learning Commons, run by
the `educator` login (Grace Whitaker).

Four programs (cooking, nutrition, health, growing food), two of which pay a small local-dollar
credit for attending, and about two sessions a week from two weeks ago to two weeks ahead. Past
sessions have their registrations and attendance; this week's were checked in today, with credits
and the instructor's fee paid (the ledger is never backdated);
yesterday's session is left for the educator to check in. Upcoming sessions have registrations,
a parent with a child, and one full session with a waitlist on which a freed seat is on offer.
The `member` login (Rosa Delgado) is registered for one upcoming session and has attended one.

The school's wallet is opened by the `officer` login and funded with a grant from the community
fund. Everything goes through the services, with `now=` set to when it happened where no money
moves (registrations, cancellations, older check-ins), and at the demo's own time where it does.

Deterministic and written once: a second `mutua demo` finds the Commons' programs and leaves the
workshops as they are.
"""

import contextlib
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

from django.utils import timezone

from mutua.community.demo import Progress
from mutua.community.models import Community, Member, Organization
from mutua.core.errors import MutuaError
from mutua.currency import selectors as currency_selectors
from mutua.currency import services as currency_services
from mutua.learning import services
from mutua.learning.models import Program, Registration, Session

DEMO_STEPS = 2  # programs and sessions, registrations and attendance
SCHOOL = "learning-commons"
NAMESPACE = UUID("c2f7d4a1-8b3e-4f6a-9d2c-1e5b7a3f0c84")
GRANT = 60_000
# title, kind, credit (cents), description
PROGRAMS = (
    (
        "Cooking on a budget",
        "cooking",
        200,
        "Three meals from one bag of pantry staples; we cook, then eat together.",
    ),
    (
        "Eating well with diabetes",
        "nutrition",
        0,
        "Reading labels, planning plates, and recipes that keep blood sugar steady.",
    ),
    (
        "First aid at home",
        "health",
        0,
        "Burns, cuts, choking and when to call for help. Certificates for those who finish.",
    ),
    (
        "Seed to supper",
        "growing",
        100,
        "Start seedlings on a windowsill and plant them out at Mill Street Garden.",
    ),
)
# days from today, hour, program index, place, seats, language, childcare
SESSIONS = (
    (-14, 18, 0, "Commons kitchen, 4 Mill Street", 8, "English", True),
    (-11, 10, 3, "Mill Street Community Garden", 10, "English", False),
    (-9, 18, 1, "Riverbend Library, room 2", 12, "Spanish", True),
    (-5, 18, 0, "Commons kitchen, 4 Mill Street", 8, "English", True),
    (-4, 10, 3, "Mill Street Community Garden", 10, "English", False),
    (-1, 18, 0, "Commons kitchen, 4 Mill Street", 8, "English", True),
    (2, 18, 0, "Commons kitchen, 4 Mill Street", 6, "English", True),
    (4, 10, 3, "Mill Street Community Garden", 10, "English", False),
    (6, 18, 1, "Riverbend Library, room 2", 12, "Spanish", True),
    (9, 14, 2, "Riverbend Library, room 2", 12, "English", False),
    (11, 18, 0, "Commons kitchen, 4 Mill Street", 8, "English", True),
    (14, 10, 3, "Mill Street Community Garden", 10, "English", False),
)
FULL = 6  # the index of the full session with a waitlist


def populate(community: Community, progress: Progress) -> None:
    educator = Member.objects.filter(community=community, handle="educator").first()
    school = Organization.objects.filter(community=community, slug=SCHOOL).first()
    if educator is None or school is None or Program.objects.filter(organization=school).exists():
        progress("workshop sessions", 0, 0)
        progress("workshop registrations", 0, 0)
        return
    _school_wallet(community, school)
    today = timezone.localdate()
    programs = [
        services.program_create(
            actor=educator,
            organization=school,
            kind=kind,
            title=title,
            description=description,
            attendance_credit=credit,
        )
        for title, kind, credit, description in PROGRAMS
    ]
    sessions = [_session(educator, programs, spec, today) for spec in SESSIONS]
    progress("workshop sessions", len(sessions), len(sessions))
    people = list(
        Member.objects.filter(community=community, is_active=True, household__isnull=False)
        .exclude(handle="member")
        .order_by("handle")[:40]
    )
    rosa = Member.objects.filter(community=community, handle="member").first()
    made = 0
    for index, session in enumerate(sessions):
        made += _fill(educator, session, index, people, rosa)
    progress("workshop registrations", made, made)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _school_wallet(community: Community, school: Organization) -> None:
    """The officer opens the school's wallet and pays it a grant from the community fund."""
    officer = Member.objects.filter(community=community, handle="officer").first()
    if officer is None:
        return
    currency = currency_selectors.currency_of(community)
    if currency_selectors.wallet_of(currency=currency, organization=school) is None:
        currency_services.wallet_open(currency=currency, officer=officer, organization=school)
    # A community fund too poor for the grant leaves the payouts refused, visibly on the sheet.
    with contextlib.suppress(MutuaError):
        currency_services.payment_send(
            payer=officer,
            to_handle=school.slug,
            amount=GRANT,
            memo="Workshop grant for the season",
            id=uuid5(NAMESPACE, f"grant:{school.pk}"),
            from_account=currency.community_fund,
        )


def _session(
    educator: Member, programs: list[Program], spec: tuple[Any, ...], today: date
) -> Session:
    days, hour, program, place, seats, language, childcare = spec
    starts = _at(today + timedelta(days=days), hour)
    instructor = educator if program in (0, 2) else _instructor(educator)
    return services.session_create(
        actor=educator,
        program=programs[program],
        plan=services.SessionPlan(
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=place,
            capacity=seats,
            instructor=instructor,
            language=language,
            accessibility="Step-free entrance; hearing loop on request."
            if "Library" in place
            else "",
            childcare=childcare,
            instructor_fee=4_000 if instructor.pk != educator.pk else 0,
            offer_hours=24,
        ),
    )


def _instructor(educator: Member) -> Member:
    """A community member who teaches (the garden steward grows; else the educator)."""
    found = Member.objects.filter(community_id=educator.tenant_id, handle="steward").first()
    return found or educator


def _fill(
    educator: Member, session: Session, index: int, people: list[Member], rosa: Member | None
) -> int:
    """Registrations for one session, two days before it; check-ins and fees for past ones."""
    booked = session.starts_at - timedelta(days=3)
    now = timezone.now()
    crowd = people[(index * 5) % max(1, len(people) - 10) :][: session.capacity + 2]
    wanted = session.capacity + 2 if index == FULL else max(2, session.capacity - 3)
    made = []
    if rosa is not None and index in (3, 8):
        made.append(_register(rosa, session, booked, seats=2, note="Rosa and Lucía (9)"))
    for offset, person in enumerate(crowd[:wanted]):
        seats = 2 if offset == 1 and session.childcare else 1
        when = booked + timedelta(minutes=offset * 7)
        made.append(_register(person, session, when, seats=seats, waitlist=index == FULL))
    kept = [r for r in made if r is not None]
    if index == FULL and kept:
        services.registration_cancel(
            actor=kept[0].member, registration=kept[0], now=now - timedelta(hours=2)
        )
    if SESSIONS[index][0] <= -2:  # yesterday's is left for the educator to check in
        _held(educator, session, kept)
    return len(kept)


def _register(
    member: Member,
    session: Session,
    when: datetime,
    *,
    seats: int = 1,
    note: str = "",
    waitlist: bool = False,
) -> Registration | None:
    try:
        return services.registration_create(
            actor=member, session=session, seats=seats, note=note, waitlist=waitlist, now=when
        )
    except MutuaError:
        return None


def _held(educator: Member, session: Session, registrations: list[Registration]) -> None:
    """A past session: most people came (every fifth did not), the instructor was paid.

    The ledger is never backdated (its published digests would no longer match), so what pays
    (the attendance credit, the instructor's fee) happens at the demo's own time: the educator
    checks in this week's sessions today. Older sessions are checked in at their door only when
    their program pays no credit, and their fees stay unpaid on the sheet."""
    recent = timezone.now() - session.ends_at < timedelta(days=6)
    if not recent and session.program.attendance_credit:
        return
    door = None if recent else session.starts_at + timedelta(minutes=5)
    for number, registration in enumerate(registrations):
        if number % 5 == 4 or registration.status != "registered":
            continue
        services.attendance_check_in(actor=educator, registration=registration, now=door)
    if session.instructor_fee and recent:
        with contextlib.suppress(MutuaError):  # no wallet: the sheet shows the fee unpaid
            services.instructor_pay(actor=educator, session=session)
