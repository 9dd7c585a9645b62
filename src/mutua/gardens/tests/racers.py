"""Members and a steward racing each other, each thread on its own database connection.

Run as a process (`python -m mutua.gardens.tests.racers`) on a migrated throwaway database; builds
the gardens tests' town, runs two races, and prints one JSON line of what each racer got and what
the database holds afterwards (`test_concurrency` judges it).
"""

import json
from datetime import timedelta
from typing import Any

from mutua.core.tests.racing import race

RACERS = 5


def main() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from mutua.community.roles import Role
    from mutua.community.tests.factories import CommunityFactory, member_with
    from mutua.core.tenancy import community_scope
    from mutua.gardens import services
    from mutua.gardens.models import LIVE, Assignment, Task, TaskSignup
    from mutua.gardens.tests.conftest import town_open

    community = CommunityFactory(slug="racetown")
    with community_scope(community.id):
        town = town_open(community)
        starts = timezone.now() + timedelta(days=1)
        day = services.workday_create(
            actor=town.tess,
            garden=town.garden,
            title="Busy day",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
        task = services.task_create(actor=town.tess, work_day=day, title="Harvest", capacity=2)
        people = [
            member_with(Role.MEMBER, community=community, handle=f"racer{i}") for i in range(RACERS)
        ]
        applications = [town.apply(town.ana), town.apply(town.ben)]
    plot = town.plots[0]
    outcome: dict[str, Any] = {
        "task": race(
            community.id, [lambda m=m: services.task_join(actor=m, task=task) for m in people]
        ),
        "offer": race(
            community.id,
            [
                lambda a=a: services.plot_offer(actor=town.tess, application=a, plot=plot)
                for a in applications
            ],
        ),
    }
    with community_scope(community.id):
        outcome["taken"] = Task.objects.get(pk=task.pk).taken
        outcome["signups"] = TaskSignup.objects.filter(task=task).count()
        outcome["live"] = Assignment.objects.filter(plot=plot, status__in=LIVE).count()
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
