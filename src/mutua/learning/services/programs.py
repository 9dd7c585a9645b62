"""Writing programs and their sessions (educators of the school, or a community admin for programs).

A session copies its program's school and community, so every later role check on the session, its
registrations and its attendance counts in that school. Field problems are collected and raised
together (`problems_raise`), so a form shows every one of them at once.
"""

from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mutua.community.models import Member, Organization
from mutua.community.permissions import require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import Conflict, MutuaError, problems_raise
from mutua.core.services import audit_record
from mutua.learning.access import school_scope
from mutua.learning.models import Program, ProgramKind, Session

MAX_CAPACITY = 500
MAX_FEE = 10**9  # ten million local dollars: far above any fee, inside a 64-bit column


@transaction.atomic
def program_create(
    *,
    actor: Member,
    organization: Organization,
    kind: str,
    title: str,
    description: str = "",
    attendance_credit: int = 0,
    reward_coop: Organization | None = None,
) -> Program:
    require(actor, "learning.program.manage", school_scope(organization))
    problems: dict[str, list[str]] = {}
    if kind not in ProgramKind.values:
        problems["kind"] = [_("Choose cooking, nutrition, health or growing food.")]
    if not title.strip():
        problems["title"] = [_("Give the program a title.")]
    if not 0 <= attendance_credit <= MAX_FEE:
        problems["attendance_credit"] = [_("The credit is zero or more.")]
    if reward_coop is not None and (
        reward_coop.kind != OrganizationKind.FOOD_COOP
        or reward_coop.community_id != organization.community_id
    ):
        problems["reward_coop"] = [_("Choose one of the community's food co-ops.")]
    problems_raise(problems, "invalid_program")
    if Program.objects.filter(organization=organization, title=title.strip()).exists():
        message = _("This school already has a program with that title.")
        raise Conflict(message, code="program_exists", fields={"title": [message]})
    program = Program.objects.create(
        community_id=organization.community_id,
        organization=organization,
        kind=kind,
        title=title.strip()[:120],
        description=description.strip(),
        attendance_credit=attendance_credit,
        reward_coop=reward_coop,
    )
    audit_record(action="learning.program.created", actor=actor, obj=program)
    return program


class SessionPlan(NamedTuple):
    """What an educator plans for one session."""

    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    instructor: Member
    language: str = "English"
    accessibility: str = ""
    childcare: bool = False
    instructor_fee: int = 0
    offer_hours: int = 24


def _plan_problems(program: Program, plan: SessionPlan) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if plan.ends_at <= plan.starts_at:
        problems["ends_at"] = [_("A session ends after it starts.")]
    if not plan.place.strip():
        problems["place"] = [_("Say where the session takes place.")]
    if not 1 <= plan.capacity <= MAX_CAPACITY:
        problems["capacity"] = [
            _("A session has between 1 and %(max)s seats.") % {"max": MAX_CAPACITY}
        ]
    if plan.instructor.community_id != program.community_id:
        problems["instructor"] = [_("The instructor is a member of this community.")]
    if not 0 <= plan.instructor_fee <= MAX_FEE:
        problems["instructor_fee"] = [_("The fee is zero or more.")]
    if not 1 <= plan.offer_hours <= 24 * 14:
        problems["offer_hours"] = [_("Between 1 hour and two weeks.")]
    return problems


@transaction.atomic
def session_create(*, actor: Member, program: Program, plan: SessionPlan) -> Session:
    require(actor, "learning.session.manage", program)
    problems_raise(_plan_problems(program, plan), "invalid_session")
    try:
        with transaction.atomic():
            session = Session.objects.create(
                community_id=program.community_id,
                organization_id=program.organization_id,
                program=program,
                starts_at=plan.starts_at,
                ends_at=plan.ends_at,
                place=plan.place.strip()[:200],
                capacity=plan.capacity,
                instructor=plan.instructor,
                language=plan.language.strip()[:40] or "English",
                accessibility=plan.accessibility.strip(),
                childcare=plan.childcare,
                instructor_fee=plan.instructor_fee,
                offer_hours=plan.offer_hours,
            )
    except IntegrityError as error:  # the database's CHECKs, if Python above missed one
        raise MutuaError(_("This session cannot be saved."), code="invalid_session") from error
    audit_record(
        action="learning.session.created",
        actor=actor,
        obj=session,
        data={"program": str(program.pk), "starts_at": plan.starts_at.isoformat()},
    )
    return session
