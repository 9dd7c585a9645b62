"""Writing work days, their shared tasks, and members' sign-ups.

A task's `taken` counter moves in the same transaction as its sign-up row, by a conditional
UPDATE (`taken < capacity`), so the last place goes to exactly one of two racing members; the
CHECK `gardens_task_not_full` and the unique sign-up are the database's own guard.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import require
from mutua.core.errors import Conflict, Refused, problems_raise
from mutua.core.services import audit_record
from mutua.gardens.models import Garden, Task, TaskSignup, WorkDay

MAX_PLACES = 200


@transaction.atomic
def workday_create(
    *,
    actor: Member,
    garden: Garden,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
) -> WorkDay:
    require(actor, "gardens.workday.manage", garden)
    problems: dict[str, list[str]] = {}
    if not title.strip():
        problems["title"] = [_("Give the work day a title.")]
    if ends_at <= starts_at:
        problems["ends_at"] = [_("A work day ends after it starts.")]
    problems_raise(problems, "invalid_workday")
    day = WorkDay.objects.create(
        community_id=garden.community_id,
        garden=garden,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip()[:300],
    )
    audit_record(action="gardens.workday.created", actor=actor, obj=day)
    return day


@transaction.atomic
def task_create(*, actor: Member, work_day: WorkDay, title: str, capacity: int) -> Task:
    require(actor, "gardens.workday.manage", work_day.garden)
    problems: dict[str, list[str]] = {}
    if not title.strip():
        problems["title"] = [_("Say what the task is.")]
    if not 1 <= capacity <= MAX_PLACES:
        problems["capacity"] = [_("Between 1 and %(n)s places.") % {"n": MAX_PLACES}]
    problems_raise(problems, "invalid_task")
    task = Task.objects.create(
        community_id=work_day.community_id,
        work_day=work_day,
        title=title.strip(),
        capacity=capacity,
    )
    audit_record(action="gardens.task.created", actor=actor, obj=task)
    return task


def _signed_up() -> Conflict:
    return Conflict(_("You are already signed up for this task."), code="already_signed_up")


@transaction.atomic
def task_join(*, actor: Member, task: Task, now: datetime | None = None) -> TaskSignup:
    require(actor, "gardens.task.join", task.work_day.garden)
    if task.work_day.ends_at <= (now or timezone.now()):
        raise Refused(_("This work day is over."), code="workday_over")
    if TaskSignup.objects.filter(task=task, member=actor).exists():
        raise _signed_up()
    moved = Task.objects.filter(pk=task.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1)
    if not moved:
        raise Refused(_("This task is full."), code="task_full")
    try:
        with transaction.atomic():
            signup = TaskSignup.objects.create(task=task, member=actor)
    except IntegrityError as error:
        raise _signed_up() from error
    audit_record(action="gardens.task.joined", actor=actor, obj=task)
    return signup


@transaction.atomic
def task_leave(*, actor: Member, task: Task) -> None:
    require(actor, "gardens.task.join", task.work_day.garden)
    deleted, _rows = TaskSignup.objects.filter(task=task, member=actor).delete()
    if not deleted:
        raise Conflict(_("You are not signed up for this task."), code="not_signed_up")
    Task.objects.filter(pk=task.pk).update(taken=F("taken") - 1)
    audit_record(action="gardens.task.left", actor=actor, obj=task)
