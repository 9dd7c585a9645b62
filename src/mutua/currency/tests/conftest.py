"""Riverbend's local dollar for the currency tests: a credit union officer, two members (Ana and
Ben) and a bakery whose merchant is Carla, each with a wallet; 95 dollar cents buy a local
dollar, redemptions pay a 5% fee, and the backing may not fall below 90%."""

from dataclasses import dataclass

import pytest

from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.currency import services
from mutua.currency.models import Currency
from mutua.ledger.models import Account


@dataclass
class Town:
    community: Community
    currency: Currency
    officer: Member
    ana: Member
    ben: Member
    carla: Member
    bakery: Organization
    ana_wallet: Account
    ben_wallet: Account
    bakery_wallet: Account

    def exchange_in(self, wallet: Account, dollars: int):  # type: ignore[no-untyped-def]
        return services.exchange_in(
            currency=self.currency,
            officer=self.officer,
            account=wallet,
            dollars=dollars,
            id=new_id(),
        )

    def exchange_out(self, wallet: Account, local: int):  # type: ignore[no-untyped-def]
        return services.exchange_out(
            currency=self.currency, officer=self.officer, account=wallet, local=local, id=new_id()
        )

    def pay(self, payer: Member, handle: str, amount: int, **kw: object):  # type: ignore[no-untyped-def]
        return services.payment_send(
            payer=payer, to_handle=handle, amount=amount, id=new_id(), **kw
        )  # type: ignore[arg-type]

    def balance(self, account: Account) -> int:
        account.refresh_from_db()
        return account.balance_posted


def town_open(community: Community) -> Town:
    union = OrganizationFactory(community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu")
    bakery = OrganizationFactory(
        community=community, kind=OrganizationKind.BUSINESS, slug="bakery", name="Bluebird Bakery"
    )
    officer = member_with(Role.CU_OFFICER, community=community, organization=union, handle="olu")
    ana = member_with(Role.MEMBER, community=community, handle="ana")
    ben = member_with(Role.MEMBER, community=community, handle="ben")
    carla = member_with(Role.MERCHANT, community=community, organization=bakery, handle="carla")
    currency = services.currency_open(community=community, actor=officer)

    def wallet(**holder: object) -> Account:
        return services.wallet_open(currency=currency, officer=officer, **holder)  # type: ignore[arg-type]

    return Town(
        community,
        currency,
        officer,
        ana,
        ben,
        carla,
        bakery,
        wallet(member=ana),
        wallet(member=ben),
        wallet(organization=bakery),
    )


@pytest.fixture
def town(db: None):  # type: ignore[no-untyped-def]
    community = CommunityFactory(slug="riverbend")
    with community_scope(community.id):
        yield town_open(community)
