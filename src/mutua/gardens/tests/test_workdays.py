"""Work days: members sign up for shared tasks once each, never above a task's places."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mutua.core.errors import Conflict, Forbidden, Refused
from mutua.gardens import services
from mutua.gardens.models import Task, TaskSignup

pytestmark = pytest.mark.django_db


def saturday(town):  # type: ignore[no-untyped-def]
    starts = timezone.now() + timedelta(days=3)
    day = services.workday_create(
        actor=town.tess,
        garden=town.garden,
        title="Spring clean-up",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
    )
    return services.task_create(actor=town.tess, work_day=day, title="Turn the compost", capacity=2)


def test_members_sign_up_until_the_task_is_full(town) -> None:
    task = saturday(town)
    services.task_join(actor=town.ana, task=task)
    with pytest.raises(Conflict):
        services.task_join(actor=town.ana, task=task)
    services.task_join(actor=town.ben, task=task)
    with pytest.raises(Refused) as full:
        services.task_join(actor=town.cai, task=task)
    assert full.value.code == "task_full"
    task.refresh_from_db()
    assert task.taken == 2 and TaskSignup.objects.filter(task=task).count() == 2
    services.task_leave(actor=town.ana, task=task)
    services.task_join(actor=town.cai, task=task)
    assert Task.objects.get(pk=task.pk).taken == 2


def test_only_stewards_plan_work_days(town) -> None:
    with pytest.raises(Forbidden):
        services.workday_create(
            actor=town.ana,
            garden=town.garden,
            title="Party",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=1),
        )
