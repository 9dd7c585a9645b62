"""Mill Street Garden for the gardens tests: a steward (Tess), three members who want a plot
(Ana, Ben and Cai, each in a household and with a wallet of 50.00 local dollars), the pantry's
coordinator (Cora, with a shelf and a fridge), a garden that charges 12.00 a season with four plots
on an 8 by 4 map, a season that is on now, and two crops (tomatoes keep 7 days, kale 5 in the
fridge). A second town (Elsewhere) has its own garden and people, to prove the fence between
communities."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from mutua.aid import services as aid_services
from mutua.aid.models import Location
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    OrganizationFactory,
    member_with,
)
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.currency import services as currency_services
from mutua.currency.models import Currency
from mutua.gardens import services
from mutua.gardens.models import Crop, Garden, Plot, Season
from mutua.ledger.models import Account

FEE = 1200
STARTING_BALANCE = 5000


@dataclass
class Town:
    community: Community
    currency: Currency
    org: Organization
    garden: Garden
    tess: Member
    ana: Member
    ben: Member
    cai: Member
    cora: Member
    plots: list[Plot]
    spring: Season
    tomatoes: Crop
    kale: Crop
    shelf: Location
    fridge: Location
    garden_wallet: Account
    wallets: dict[str, Account]
    today: date

    def balance(self, account: Account) -> int:
        account.refresh_from_db()
        return account.balance_posted

    def apply(self, member: Member, **kw: object):  # type: ignore[no-untyped-def]
        return services.application_create(actor=member, season=self.spring, **kw)  # type: ignore[arg-type]

    def offer(self, application, plot=None):  # type: ignore[no-untyped-def]
        return services.plot_offer(
            actor=self.tess, application=application, plot=plot or self.plots[0]
        )


def _funded_wallet(currency: Currency, officer: Member, member: Member) -> Account:
    """A member's wallet with `STARTING_BALANCE` local cents exchanged in (95 cents a dollar)."""
    wallet = currency_services.wallet_open(currency=currency, officer=officer, member=member)
    currency_services.exchange_in(
        currency=currency,
        officer=officer,
        account=wallet,
        dollars=STARTING_BALANCE * 95 // 100,
        id=new_id(),
    )
    return wallet


def town_open(community: Community, *, fee: int = FEE, prefix: str = "") -> Town:
    union = OrganizationFactory(community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu")
    aid = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    org = OrganizationFactory(
        community=community, kind=OrganizationKind.GARDEN, slug="mill", name="Mill Street Garden"
    )
    officer = member_with(
        Role.CU_OFFICER, community=community, organization=union, handle=prefix + "olu"
    )
    tess = member_with(
        Role.GARDEN_STEWARD, community=community, organization=org, handle=prefix + "tess"
    )
    cora = member_with(
        Role.COORDINATOR, community=community, organization=aid, handle=prefix + "cora"
    )
    people = {}
    for handle in ("ana", "ben", "cai"):
        home = HouseholdFactory(community=community, name=f"{handle.title()} household")
        people[handle] = member_with(
            Role.MEMBER, community=community, handle=prefix + handle, household=home
        )
    currency = currency_services.currency_open(community=community, actor=officer)
    wallets = {h: _funded_wallet(currency, officer, m) for h, m in people.items()}
    garden_wallet = currency_services.wallet_open(
        currency=currency, officer=officer, organization=org
    )
    garden = services.garden_create(actor=tess, organization=org, plot_fee=fee, columns=8, rows=4)
    plots = [
        services.plot_create(
            actor=tess,
            garden=garden,
            label=f"A{i + 1}",
            size_m2=10,
            place=services.Place(i * 2, 0, 2, 2),
        )
        for i in range(4)
    ]
    today = timezone.localdate()
    spring = services.season_create(
        actor=tess,
        garden=garden,
        name="Spring",
        starts=today - timedelta(days=30),
        ends=today + timedelta(days=90),
    )
    shelf = aid_services.location_create(
        actor=cora, community=community, name="Shelves", kind="shelf"
    )
    fridge = aid_services.location_create(
        actor=cora, community=community, name="Fridge", kind="fridge"
    )
    return Town(
        community=community,
        currency=currency,
        org=org,
        garden=garden,
        tess=tess,
        ana=people["ana"],
        ben=people["ben"],
        cai=people["cai"],
        cora=cora,
        plots=plots,
        spring=spring,
        tomatoes=services.crop_create(
            actor=tess, garden=garden, name="Tomatoes", shelf_life_days=7, unit_grams=500
        ),
        kale=services.crop_create(
            actor=tess, garden=garden, name="Kale", shelf_life_days=5, unit_grams=250, cold=True
        ),
        shelf=shelf,
        fridge=fridge,
        garden_wallet=garden_wallet,
        wallets=wallets,
        today=today,
    )


@pytest.fixture
def town(db: None) -> Town:  # type: ignore[misc]
    community = CommunityFactory(name="Riverbend", slug="riverbend")
    with community_scope(community.id):
        yield town_open(community)


@pytest.fixture
def elsewhere(db: None) -> Town:  # type: ignore[misc]
    """Another town with its own garden; read it only inside its own scope."""
    community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    with community_scope(community.id):
        found = town_open(community, prefix="x")
    return found
