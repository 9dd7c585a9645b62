"""Riverbend's pantry for the aid tests: an aid group with a coordinator (Cora) and two volunteer
drivers (Dev and Eli), a garden volunteer (Gus) who is not a pantry volunteer, two households (the
Riveras, allergic to peanuts and urgent; the Okafors, halal), a shelf and a fridge, and a few items.
A second town (Elsewhere) has its own coordinator, to prove the fence between communities."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from mutua.aid import services
from mutua.aid.models import Item, Location
from mutua.community.models import Community, Household, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    OrganizationFactory,
    member_with,
)
from mutua.core.tenancy import community_scope


@dataclass
class Pantry:
    community: Community
    group: Organization
    cora: Member
    dev: Member
    eli: Member
    gus: Member
    rivera: Household
    okafor: Household
    rivera_member: Member
    shelf: Location
    fridge: Location
    rice: Item
    beans: Item
    peanut_butter: Item
    milk: Item
    today: date

    def receive(self, item: Item, quantity: int, *, days: int | None = 30, place=None):  # type: ignore[no-untyped-def]
        expires = self.today + timedelta(days=days) if days is not None else None
        return services.stock_receive(
            actor=self.cora,
            item=item,
            quantity=quantity,
            location=place or (self.fridge if item.storage == "cold" else self.shelf),
            expires=expires,
            today=self.today,
        )


def pantry_open(community: Community) -> Pantry:
    group = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    garden = OrganizationFactory(community=community, kind=OrganizationKind.GARDEN, slug="garden")
    cora = member_with(Role.COORDINATOR, community=community, organization=group, handle="cora")
    dev = member_with(Role.VOLUNTEER, community=community, organization=group, handle="dev")
    eli = member_with(Role.VOLUNTEER, community=community, organization=group, handle="eli")
    gus = member_with(Role.VOLUNTEER, community=community, organization=garden, handle="gus")
    rivera = HouseholdFactory(community=community, name="Rivera household", size=4)
    rivera.needs.allergens, rivera.needs.urgent_medical = ["peanuts"], True
    rivera.needs.diets = []
    rivera.needs.latitude, rivera.needs.longitude = 42.452, -76.49
    rivera.needs.cross_streets = "Elm St & 3rd Ave"
    rivera.needs.save()
    okafor = HouseholdFactory(community=community, name="Okafor household", size=2)
    okafor.needs.allergens, okafor.needs.urgent_medical, okafor.needs.diets = [], False, ["halal"]
    okafor.needs.latitude, okafor.needs.longitude = 42.44, -76.51
    okafor.needs.cross_streets = "Oak St & Main"
    okafor.needs.save()
    rivera_member = member_with(Role.MEMBER, community=community, handle="rosa")
    rivera_member.household = rivera
    rivera_member.save()
    shelf = services.location_create(actor=cora, community=community, name="Shelves", kind="shelf")
    shelf.latitude, shelf.longitude = 42.444, -76.5
    shelf.save()
    fridge = services.location_create(actor=cora, community=community, name="Fridge", kind="fridge")

    def item(name: str, **fields: object) -> Item:
        return services.item_create(actor=cora, community=community, name=name, **fields)

    return Pantry(
        community=community,
        group=group,
        cora=cora,
        dev=dev,
        eli=eli,
        gus=gus,
        rivera=rivera,
        okafor=okafor,
        rivera_member=rivera_member,
        shelf=shelf,
        fridge=fridge,
        rice=item(
            "Rice",
            kind="food",
            category="grains",
            unit="1 kg bag",
            diets=["vegan", "vegetarian", "halal", "kosher"],
            unit_value=250,
        ),
        beans=item(
            "Black beans",
            kind="food",
            category="canned",
            unit="400 g can",
            diets=["vegan", "vegetarian", "halal", "kosher"],
            unit_value=120,
        ),
        peanut_butter=item(
            "Peanut butter",
            kind="food",
            category="spreads",
            unit="jar",
            allergens=["peanuts"],
            diets=["vegan", "vegetarian", "halal"],
            unit_value=400,
        ),
        milk=item(
            "Milk",
            kind="food",
            category="dairy",
            unit="1 l",
            storage="cold",
            allergens=["milk"],
            diets=["vegetarian", "halal"],
            unit_value=150,
        ),
        today=timezone.localdate(),
    )


@pytest.fixture
def pantry(db: None) -> Pantry:
    community = CommunityFactory(name="Riverbend", slug="riverbend")
    with community_scope(community.id):
        yield pantry_open(community)


@pytest.fixture
def elsewhere(db: None) -> Member:
    """A coordinator of another town's aid group."""
    community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    group = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    return member_with(Role.COORDINATOR, community=community, organization=group, handle="otto")


@pytest.fixture
def solver_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every GLOP the allocator starts answers "infeasible" to every program, warm or cold: the
    solver fault that `leximin._Glop` cannot recover from."""
    from mutua.aid.leximin import _Glop
    from mutua.aid.tests.test_leximin import LosesItsWay

    new_solver = _Glop._new_solver
    monkeypatch.setattr(
        _Glop, "_new_solver", staticmethod(lambda proto: LosesItsWay(new_solver(proto), 10**6))
    )
