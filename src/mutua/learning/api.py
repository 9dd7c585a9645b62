"""The workshops' JSON API under `/api/v1/learning/`.

A thin shell in the aid API's shape: each endpoint finds the objects it names inside the caller's
community (another community's id is 404 `not_found`), calls one service (writes) or selector
(reads) of `mutua.learning`, and renders. Who may do what is decided there, by the rules
`learning.*`, exactly as for the pages; errors leave through `mutua.api`'s one error mapping, so a
full session without the waitlist is 422 `session_full` and an expired offer 410 `offer_expired`,
with nothing changed.

Amounts are local cents (integers). Members see how many seats are left, never who took them; the
roster (names, notes, check-ins) is for the school's educators.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.api import Instant, error_responses
from mutua.community.models import Organization
from mutua.community.permissions import signed_in
from mutua.community.roles import OrganizationKind
from mutua.core.errors import NotFound
from mutua.learning import selectors, services
from mutua.learning.models import MAX_GROUP, Registration
from mutua.learning.services.programs import MAX_CAPACITY, MAX_FEE

router = Router(tags=["learning"])
READ_ERRORS = error_responses(401, 403, 404, 422)  # 422: an id or a query that does not parse
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 410, 422)


# --- schemas --------------------------------------------------------------------------------------


class ProgramIn(Schema):
    school: str = Field(description="The school's short name (organization slug).")
    kind: str = Field(description="cooking, nutrition, health or growing")
    title: str = Field(max_length=120)
    description: str = ""
    attendance_credit: int = Field(0, ge=0, le=MAX_FEE, description="Local cents per attendance.")
    reward_coop: str | None = Field(
        None,
        description="A food co-op's short name: the credit comes as a voucher spendable there.",
    )


class ProgramOut(Schema):
    id: UUID
    school: str = Field(alias="organization.slug")
    kind: str
    title: str
    description: str
    attendance_credit: int
    reward_coop: str | None = Field(None, alias="reward_coop.slug")


class SessionIn(Schema):
    starts_at: Instant
    ends_at: Instant
    place: str = Field(max_length=200)
    capacity: int = Field(ge=0, le=MAX_CAPACITY)
    instructor: UUID = Field(description="The instructor's member id.")
    language: str = Field("English", max_length=40)
    accessibility: str = ""
    childcare: bool = False
    instructor_fee: int = Field(0, ge=0, le=MAX_FEE, description="Local cents.")
    offer_hours: int = Field(24, ge=1, le=336)


class SessionOut(Schema):
    id: UUID
    program: UUID = Field(alias="program_id")
    title: str = Field(alias="program.title")
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    seats_left: int
    instructor: str = Field(alias="instructor.display_name")
    language: str
    accessibility: str
    childcare: bool

    @staticmethod
    def resolve_seats_left(obj: Any) -> int:
        return selectors.seats_left(obj)


class RegisterIn(Schema):
    seats: int = Field(1, ge=0, le=MAX_GROUP, description="You and your children, as one entry.")
    waitlist: bool = Field(False, description="Wait in line if the session is full.")
    note: str = Field("", max_length=200)


class RegistrationOut(Schema):
    id: UUID
    session: UUID = Field(alias="session_id")
    seats: int
    note: str
    status: str
    offer_expires_at: datetime | None
    created_at: datetime


class RosterLineOut(Schema):
    id: UUID
    member: str = Field(alias="member.handle")
    name: str = Field(alias="member.display_name")
    seats: int
    note: str
    status: str
    offer_expires_at: datetime | None


class RosterOut(Schema):
    registered: list[RosterLineOut]
    offered: list[RosterLineOut]
    waiting: list[RosterLineOut] = Field(description="In the order seats are offered.")
    checked_in: list[UUID] = Field(description="Registrations checked in.")


class CheckInIn(Schema):
    registration: UUID
    seats: int | None = Field(None, ge=0, le=MAX_GROUP, description="Default: all its seats.")


class PayoutOut(Schema):
    id: UUID
    kind: str
    member: UUID = Field(alias="member_id")
    amount: int
    transfer_id: UUID
    created_at: datetime


class CheckInOut(Schema):
    id: UUID
    registration: UUID
    seats: int
    checked_in_at: datetime
    credit: PayoutOut | None
    credit_problem: str


# --- finding what a request names -----------------------------------------------------------------


def _registration(request: HttpRequest, registration_id: UUID) -> Registration:
    return selectors.my_registration_get(viewer=signed_in(request), registration_id=registration_id)


# --- programs and sessions ------------------------------------------------------------------------


@router.get("/programs", response={200: list[ProgramOut], **READ_ERRORS})
def programs(request: HttpRequest) -> Any:
    """Every program of the community."""
    return selectors.program_list(viewer=signed_in(request))


@router.post("/programs", response={201: ProgramOut, **WRITE_ERRORS})
def program_create(request: HttpRequest, body: ProgramIn) -> Any:
    """A new program of a school (its educators, community admins)."""
    viewer = signed_in(request)
    school = Organization.objects.filter(
        community_id=viewer.tenant_id, kind=OrganizationKind.SCHOOL, slug=body.school
    ).first()
    if school is None:
        message = _("No school has that short name.")
        raise NotFound(message, code="unknown_organization", fields={"school": [message]})
    fields = body.dict(exclude={"school", "reward_coop"})
    coop = None
    if body.reward_coop is not None:
        coop = Organization.objects.filter(
            community_id=viewer.tenant_id, kind=OrganizationKind.FOOD_COOP, slug=body.reward_coop
        ).first()
        if coop is None:
            message = _("No food co-op has that short name.")
            raise NotFound(message, code="unknown_organization", fields={"reward_coop": [message]})
    return 201, services.program_create(
        actor=viewer, organization=school, reward_coop=coop, **fields
    )


@router.get("/sessions", response={200: list[SessionOut], **READ_ERRORS})
def sessions(request: HttpRequest) -> Any:
    """Sessions that have not ended, soonest first, with the seats left."""
    return selectors.sessions_upcoming(viewer=signed_in(request))


@router.post("/programs/{program_id}/sessions", response={201: SessionOut, **WRITE_ERRORS})
def session_create(request: HttpRequest, program_id: UUID, body: SessionIn) -> Any:
    """Plan a session of a program (the school's educators)."""
    viewer = signed_in(request)
    program = selectors.program_get(viewer=viewer, program_id=program_id)
    instructor = selectors.member_in_community(viewer=viewer, member_id=body.instructor)
    plan = services.SessionPlan(**{**body.dict(), "instructor": instructor})
    made = services.session_create(actor=viewer, program=program, plan=plan)
    return 201, selectors.session_get(viewer=viewer, session_id=made.pk)


@router.get("/sessions/{session_id}", response={200: SessionOut, **READ_ERRORS})
def session(request: HttpRequest, session_id: UUID) -> Any:
    viewer = signed_in(request)
    found = selectors.session_get(viewer=viewer, session_id=session_id)
    if services.session_refresh(session=found):  # expired offers move on when a session is read
        found = selectors.session_get(viewer=viewer, session_id=session_id)
    return found


# --- registering ----------------------------------------------------------------------------------


@router.post("/sessions/{session_id}/register", response={201: RegistrationOut, **WRITE_ERRORS})
def register(request: HttpRequest, session_id: UUID, body: RegisterIn) -> Any:
    """Register yourself (and your children: `seats`); `waitlist` to wait in line when it is full.
    A full session without `waitlist` is 422 `session_full`."""
    viewer = signed_in(request)
    found = selectors.session_get(viewer=viewer, session_id=session_id)
    return 201, services.registration_create(actor=viewer, session=found, **body.dict())


@router.get("/registrations/mine", response={200: list[RegistrationOut], **READ_ERRORS})
def my_registrations(request: HttpRequest) -> Any:
    return selectors.my_registrations(viewer=signed_in(request))


@router.post(
    "/registrations/{registration_id}/cancel", response={200: RegistrationOut, **WRITE_ERRORS}
)
def cancel(request: HttpRequest, registration_id: UUID) -> Any:
    found = _registration(request, registration_id)
    return services.registration_cancel(actor=signed_in(request), registration=found)


@router.post(
    "/registrations/{registration_id}/accept", response={200: RegistrationOut, **WRITE_ERRORS}
)
def accept(request: HttpRequest, registration_id: UUID) -> Any:
    """Accept an offered seat before `offer_expires_at`; after it, 410 `offer_expired`."""
    found = _registration(request, registration_id)
    return services.offer_accept(actor=signed_in(request), registration=found)


@router.post(
    "/registrations/{registration_id}/decline", response={200: RegistrationOut, **WRITE_ERRORS}
)
def decline(request: HttpRequest, registration_id: UUID) -> Any:
    found = _registration(request, registration_id)
    return services.offer_decline(actor=signed_in(request), registration=found)


# --- the school's side ----------------------------------------------------------------------------


@router.get("/sessions/{session_id}/roster", response={200: RosterOut, **READ_ERRORS})
def roster(request: HttpRequest, session_id: UUID) -> Any:
    """Who is registered, offered a seat and waiting (the school's educators)."""
    viewer = signed_in(request)
    found = selectors.session_get(viewer=viewer, session_id=session_id)
    sheet = selectors.roster(viewer=viewer, session=found)
    return {
        "registered": sheet.registered,
        "offered": sheet.offered,
        "waiting": sheet.waiting,
        "checked_in": list(sheet.attended),
    }


@router.post("/sessions/{session_id}/attendance", response={201: CheckInOut, **WRITE_ERRORS})
def check_in(request: HttpRequest, session_id: UUID, body: CheckInIn) -> Any:
    """Check a registration in; pays the program's attendance credit, if it has one."""
    viewer = signed_in(request)
    found = selectors.session_get(viewer=viewer, session_id=session_id)
    registration = selectors.registration_in_session(
        session=found, registration_id=body.registration
    )
    done = services.attendance_check_in(actor=viewer, registration=registration, seats=body.seats)
    return 201, {
        "id": done.attendance.pk,
        "registration": registration.pk,
        "seats": done.attendance.seats,
        "checked_in_at": done.attendance.checked_in_at,
        "credit": done.credit,
        "credit_problem": done.credit_problem,
    }


@router.post("/sessions/{session_id}/pay-instructor", response={200: PayoutOut, **WRITE_ERRORS})
def pay_instructor(request: HttpRequest, session_id: UUID) -> Any:
    """Pay the instructor's fee from the school's wallet, once; a repeat answers the same payout."""
    viewer = signed_in(request)
    found = selectors.session_get(viewer=viewer, session_id=session_id)
    return services.instructor_pay(actor=viewer, session=found)
