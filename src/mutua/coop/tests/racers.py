"""Members racing for the last units of a cycle's offer, and two tills taking the same voucher at
once, each racer on its own database connection.

Run as a process (`python -m mutua.coop.tests.racers`) on a migrated throwaway database; builds the
co-op tests' town, runs both races, and prints one JSON line of what each racer got and what the
database and the ledger hold afterwards (`test_concurrency` judges it).
"""

import json
from datetime import timedelta
from typing import Any

from mutua.core.tests.racing import race

RACERS = 5


def main() -> None:
    import django

    django.setup()
    from mutua.community.roles import Role
    from mutua.community.tests.factories import CommunityFactory, member_with
    from mutua.coop import services
    from mutua.coop.models import CycleProduct, OrderLine, Voucher, VoucherSpend
    from mutua.coop.tests.conftest import coop_open, fund
    from mutua.core.tenancy import community_scope
    from mutua.ledger.models import AccountKind
    from mutua.ledger.selectors import ledger_verify
    from mutua.ledger.services import account_open

    community = CommunityFactory(slug="racetown")
    with community_scope(community.id):
        coop = coop_open(community)
        people = [
            member_with(Role.MEMBER, community=community, handle=f"racer{i}") for i in range(RACERS)
        ]
        for person in people:
            wallet = account_open(
                ledger=coop.currency.local,
                code=f"member-{person.handle}",
                name=person.handle,
                kind=AccountKind.MEMBER,
                member=person,
            )
            fund(coop.currency, wallet.pk, 5000)
        offer = coop.offer(coop.bread)
        services.cycle_offer(
            actor=coop.cass, cycle=coop.cycle, product=coop.bread, quantity=3, now=coop.now
        )
        voucher = services.voucher_issue(
            actor=coop.pantry.cora,
            coop=coop.org,
            holder=coop.rosa,
            amount=1000,
            expires_at=coop.now + timedelta(days=3),
        )
    wanted = [services.Wanted(offer.pk, 1)]
    outcome: dict[str, Any] = {
        "orders": race(
            community.id,
            [
                lambda p=p: services.order_place(actor=p, cycle=coop.cycle, wanted=wanted)
                for p in people
            ],
        ),
        "vouchers": race(
            community.id,
            [
                lambda: services.voucher_redeem(
                    actor=coop.cass, coop=coop.org, code=voucher.code, amount=700
                )
                for _ in range(2)
            ],
        ),
    }
    with community_scope(community.id):
        outcome["ordered"] = CycleProduct.objects.get(pk=offer.pk).ordered
        outcome["lines"] = OrderLine.objects.filter(offer=offer).count()
        outcome["remaining"] = Voucher.objects.get(pk=voucher.pk).remaining
        outcome["spends"] = VoucherSpend.objects.filter(voucher=voucher).count()
        outcome["verify"] = len(ledger_verify())
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
