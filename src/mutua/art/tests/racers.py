"""Investors racing for the same edition's first sale, and for the same listing, each racer on its
own database connection.

Run as a process (`python -m mutua.art.tests.racers`) on a migrated throwaway database; builds the
art tests' town, runs both races, and prints one JSON line of what each racer got and what the
database, the ledger and the chain hold afterwards (`test_concurrency` judges it).
"""

import json
from typing import Any

from mutua.core.tests.racing import race

RACERS = 4


def main() -> None:
    import django

    django.setup()
    from mutua.art import sales
    from mutua.art.chainwork import chain_tasks_run
    from mutua.art.models import Edition, Sale
    from mutua.art.tests.conftest import art_open
    from mutua.art.verify import art_verify
    from mutua.chain.gateway import chain_gateway
    from mutua.community.roles import Role
    from mutua.community.tests.factories import CommunityFactory, member_with
    from mutua.coop.tests.conftest import fund
    from mutua.core.tenancy import community_scope
    from mutua.currency import services as currency_services
    from mutua.ledger.selectors import ledger_verify

    community = CommunityFactory(slug="racetown")
    with community_scope(community.id):
        art = art_open(community, chain_gateway())  # type: ignore[arg-type]
        people = [
            member_with(Role.INVESTOR, community=community, handle=f"racer{i}")
            for i in range(RACERS)
        ]
        for person in people:
            wallet = currency_services.wallet_open(
                currency=art.currency, officer=art.olu, member=person
            )
            fund(art.currency, wallet.pk, 1_000_000)
        sales.edition_buy(buyer=art.ivan, edition=art.edition(2))
        listing = sales.listing_create(actor=art.ivan, edition=art.edition(2), price=150_000)
        first = art.edition(1)
    outcome: dict[str, Any] = {
        "first_sales": race(
            community.id,
            [lambda p=p: sales.edition_buy(buyer=p, edition=first) for p in people],
        ),
        "resales": race(
            community.id,
            [lambda p=p: sales.listing_buy(buyer=p, listing=listing) for p in people],
        ),
    }
    with community_scope(community.id):
        chain_tasks_run(community_id=community.pk)
        outcome["sales"] = {str(n): Sale.objects.filter(edition__number=n).count() for n in (1, 2)}
        outcome["holders"] = sorted(
            e.holder.handle for e in Edition.objects.filter(number__in=[1, 2]) if e.holder
        )
        outcome["ledger"] = len(ledger_verify())
        outcome["art"] = art_verify(community)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
