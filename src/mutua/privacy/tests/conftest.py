"""Riverbend for the privacy tests: Ana Quintessa lives alone in her household (peanut allergy,
insulin in the fridge, 12 Elmwood Crescent) and asked the pantry for a delivery, which Cora drove
on day 1 and closed; her wallet received 20 local dollars and paid them all to Ben, her neighbour,
whose own household (99 Secret Lane, a wheelchair ramp) must never show up in anything of hers.
Boss is the admin who carries deletions out. Hillside, another town, has its own admin.

Day 0 is `Street.day0`; tests move the clock by passing `now`, never by waiting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import connection

from mutua.aid.models import AidRequest, DeliveryRoute, DeliveryStop, RequestStatus
from mutua.aid.services import LineWish, request_create, request_move
from mutua.community.models import Community, Household, Member
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    OrganizationFactory,
    member_with,
)
from mutua.core.tenancy import community_scope
from mutua.currency.tests.conftest import Town, town_open
from mutua.ledger.models import Account

DAY0 = datetime.fromisoformat("2026-03-02T10:00:00+00:00")

# Everything personal about Ana that a deletion must remove from the whole database.
ANA_DETAILS = {
    "display_name": "Ana Quintessa",
    "email": "ana.quintessa@example.org",
    "phone": "+1 555 0101",
}
ANA_ADDRESS = "12 Elmwood Crescent"
ANA_NOTES = "insulin in the fridge"
ANA_REQUEST_NOTE = "diabetic, low sugar please"
ANA_CROSS_STREETS = "Elmwood & Birch"
BEN_ADDRESS = "99 Secret Lane"
BEN_NOTES = "wheelchair ramp at the back"


@dataclass
class Street:
    town: Town
    community: Community
    admin: Member
    cora: Member
    ana: Member
    ben: Member
    ana_home: Household
    ben_home: Household
    request: AidRequest
    stop: DeliveryStop
    day0: datetime

    def balances(self) -> dict[str, int]:
        return {str(a.pk): a.balance_posted for a in Account.objects.all()}


def _household(community: Community, name: str, **needs: object) -> Household:
    home = HouseholdFactory(community=community, name=name, size=1)
    for field, value in needs.items():
        setattr(home.needs, field, value)
    home.needs.updated_at = DAY0 - timedelta(days=10)
    home.needs.save()
    return home


def _delivered(community: Community, ana: Member, home: Household, cora: Member) -> DeliveryStop:
    request = request_create(
        actor=ana,
        household=home,
        lines=[LineWish(quantity=2, category="food")],
        fulfilment="delivery",
        note=ANA_REQUEST_NOTE,
        now=DAY0,
    )
    request_move(request=request, status=RequestStatus.ALLOCATED, actor=cora, now=DAY0)
    route = DeliveryRoute.objects.create(
        community=community, day=DAY0.date(), driver=cora, capacity=10, starts=540, ends=720
    )
    stop = DeliveryStop.objects.create(
        route=route, request=request, position=1, arrival=600, cross_streets=ANA_CROSS_STREETS
    )
    delivered = DAY0 + timedelta(days=1)
    DeliveryStop.objects.filter(pk=stop.pk).update(delivered_at=delivered)
    request_move(request=request, status=RequestStatus.FULFILLED, actor=cora, now=delivered)
    stop.refresh_from_db()
    return stop


def street_open(community: Community) -> Street:
    town = town_open(community)
    aid = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    cora = member_with(Role.COORDINATOR, community=community, organization=aid, handle="cora")
    admin = member_with(Role.ADMIN, community=community, handle="boss")
    ana_home = _household(
        community,
        "Quintessa household",
        address=ANA_ADDRESS,
        notes=ANA_NOTES,
        allergens=["peanuts"],
        urgent_medical=True,
        cross_streets=ANA_CROSS_STREETS,
    )
    ben_home = _household(
        community, "Okafor household", address=BEN_ADDRESS, notes=BEN_NOTES, diets=["halal"]
    )
    ana, ben = town.ana, town.ben
    Member.objects.filter(pk=ana.pk).update(household=ana_home, **ANA_DETAILS)
    Member.objects.filter(pk=ben.pk).update(household=ben_home)
    ana.refresh_from_db()
    ben.refresh_from_db()
    # Her wallet was opened under her name, as it would be had she joined as Ana Quintessa.
    Account.objects.filter(pk=town.ana_wallet.pk).update(name=ANA_DETAILS["display_name"])
    town.exchange_in(town.ana_wallet, 2000)
    town.pay(ana, "ben", town.balance(town.ana_wallet), memo="for the bread")
    stop = _delivered(community, ana, ana_home, cora)
    return Street(
        town, community, admin, cora, ana, ben, ana_home, ben_home, stop.request, stop, DAY0
    )


@pytest.fixture
def street(db: None):  # type: ignore[no-untyped-def]
    community = CommunityFactory(slug="riverbend", name="Riverbend")
    with community_scope(community.id):
        yield street_open(community)


@pytest.fixture
def hillside_admin(db: None) -> Member:
    community = CommunityFactory(slug="hillside", name="Hillside")
    return member_with(Role.ADMIN, community=community, handle="hboss")


def database_text() -> str:
    """Every row of every table, as text: what a deletion must leave no trace of Ana in."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)
