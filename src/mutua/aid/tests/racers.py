"""Households asking for aid at the same moment, and coordinators recording donations at once, each
racer on its own database connection: every request and every receipt gets a number of its own.

Run as a process (`python -m mutua.aid.tests.racers`) on a migrated throwaway database; builds the
aid tests' pantry, runs both races, and prints one JSON line of what each racer got and which
numbers the database holds afterwards (`test_concurrency` judges it).
"""

import json
from typing import Any

from mutua.core.tests.racing import race

RACERS = 6


def main() -> None:
    import django

    django.setup()
    from mutua.aid import services
    from mutua.aid.models import AidRequest, Intake
    from mutua.aid.tests.conftest import pantry_open
    from mutua.community.roles import Role
    from mutua.community.tests.factories import (
        CommunityFactory,
        HouseholdFactory,
        member_with,
    )
    from mutua.core.tenancy import community_scope

    community = CommunityFactory(slug="racetown")
    with community_scope(community.id):
        pantry = pantry_open(community)
        askers = []
        for n in range(RACERS):
            person = member_with(Role.MEMBER, community=community, handle=f"asker{n}")
            person.household = HouseholdFactory(community=community, name=f"Household {n}")
            person.save()
            askers.append(person)
    rice = [services.LineWish(quantity=1, item=pantry.rice)]
    gift = [services.IntakeLine(item=pantry.rice, quantity=2, location=pantry.shelf)]
    outcome: dict[str, Any] = {
        "requests": race(
            community.id,
            [
                lambda p=p: services.request_create(actor=p, household=p.household, lines=rice)
                for p in askers
            ],
        ),
        "intakes": race(
            community.id,
            [
                lambda n=n: services.intake_record(
                    actor=pantry.cora,
                    community=community,
                    donor=services.Donor(name=f"Neighbour {n}"),
                    lines=gift,
                )
                for n in range(RACERS)
            ],
        ),
    }
    with community_scope(community.id):
        outcome["request_numbers"] = sorted(AidRequest.objects.values_list("number", flat=True))
        outcome["intake_numbers"] = sorted(Intake.objects.values_list("number", flat=True))
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
