"""Canal Street Food Co-op for the co-op tests, beside Riverbend's pantry (`aid.tests.conftest`):
co-op staff (Cass), a member with a household and a wallet of 50.00 (Rosa, of the Rivera
household), a member with 2.00 (Pat), an aid fund of 500.00, the co-op's wallet, three products and
an order cycle open now (closing in two days, pick-up the day after) that offers 10 of each. A
second co-op (Hilltop) in the same town, with its own staff (Hana), proves that a voucher names its
co-op. Another town (Elsewhere) has its own co-op, to prove the fence between communities."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from mutua.aid.tests.conftest import Pantry, pantry_open
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.coop import services
from mutua.coop.models import CycleProduct, OrderCycle, Product
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.currency import services as currency_services
from mutua.currency.models import Currency
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.models import Account


@dataclass
class Coop:
    pantry: Pantry
    community: Community
    currency: Currency
    org: Organization
    hilltop: Organization
    cass: Member
    hana: Member
    rosa: Member
    pat: Member
    rosa_wallet: Account
    pat_wallet: Account
    coop_wallet: Account
    hilltop_wallet: Account
    apples: Product
    bread: Product
    oats: Product
    cycle: OrderCycle
    now: datetime

    def offer(self, product: Product) -> CycleProduct:
        return CycleProduct.objects.get(cycle=self.cycle, product=product)

    def account(self, account_id: object) -> Account:
        return Account.objects.get(pk=account_id)

    def order(self, member: Member, *wanted: tuple[Product, int], **kw: object):  # type: ignore[no-untyped-def]
        return services.order_place(
            actor=member,
            cycle=self.cycle,
            wanted=[services.Wanted(self.offer(p).pk, n) for p, n in wanted],
            now=kw.pop("now", self.now),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


def fund(currency: Currency, account_id: object, amount: int) -> None:
    ledger.transfer_create(
        community=currency.community,
        request=TransferRequest(
            id=new_id(),
            debit_account_id=currency.issuance_id,
            credit_account_id=account_id,  # type: ignore[arg-type]
            amount=amount,
            code="test_funding",
        ),
    )


def coop_open(community: Community) -> Coop:
    pantry = pantry_open(community)
    union = OrganizationFactory(community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu")
    officer = member_with(Role.CU_OFFICER, community=community, organization=union, handle="olu")
    org = OrganizationFactory(
        community=community, kind=OrganizationKind.FOOD_COOP, slug="canal", name="Canal Co-op"
    )
    hilltop = OrganizationFactory(
        community=community, kind=OrganizationKind.FOOD_COOP, slug="hill", name="Hilltop Co-op"
    )
    cass = member_with(Role.COOP_STAFF, community=community, organization=org, handle="cass")
    hana = member_with(Role.COOP_STAFF, community=community, organization=hilltop, handle="hana")
    pat = member_with(Role.MEMBER, community=community, handle="pat")
    currency = currency_services.currency_open(community=community, actor=officer)
    wallets = [
        currency_services.wallet_open(
            currency=currency, officer=officer, member=pantry.rivera_member
        ),
        currency_services.wallet_open(currency=currency, officer=officer, member=pat),
        currency_services.wallet_open(currency=currency, officer=officer, organization=org),
        currency_services.wallet_open(currency=currency, officer=officer, organization=hilltop),
    ]
    fund(currency, wallets[0].pk, 5000)
    fund(currency, wallets[1].pk, 200)
    fund(currency, currency.aid_fund_id, 50000)

    def product(name: str, price: int, **kw: object) -> Product:
        fields = services.ProductFields(
            name=name,
            producer=kw.pop("producer", "Ridge Farm"),
            unit="each",
            price=price,
            **kw,  # type: ignore[arg-type]
        )
        return services.product_create(actor=cass, coop=org, fields=fields)

    now = timezone.now()
    apples = product("Apples", 150, local=True, sustainable=True)
    bread = product("Rye bread", 475, producer="Canal Bakery", local=True)
    oats = product("Rolled oats", 333, producer="Prairie Mills")
    cycle = services.cycle_create(
        actor=cass,
        coop=org,
        name="Week 48",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
        pickup_at=now + timedelta(days=3),
        pickup_place="Canal Street, back door",
    )
    for p in (apples, bread, oats):
        services.cycle_offer(actor=cass, cycle=cycle, product=p, quantity=10, now=now)
    return Coop(
        pantry=pantry,
        community=community,
        currency=currency,
        org=org,
        hilltop=hilltop,
        cass=cass,
        hana=hana,
        rosa=pantry.rivera_member,
        pat=pat,
        rosa_wallet=wallets[0],
        pat_wallet=wallets[1],
        coop_wallet=wallets[2],
        hilltop_wallet=wallets[3],
        apples=apples,
        bread=bread,
        oats=oats,
        cycle=cycle,
        now=now,
    )


@pytest.fixture
def coop(db: None) -> Coop:
    community = CommunityFactory(name="Riverbend", slug="riverbend")
    with community_scope(community.id):
        yield coop_open(community)


@dataclass
class Elsewhere:
    xena: Member
    org: Organization
    figs: Product
    cycle: OrderCycle


@pytest.fixture
def elsewhere(db: None) -> Elsewhere:
    """Another town's co-op, with its staff (Xena), a product and an open cycle."""
    community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    with community_scope(community.id):
        org = OrganizationFactory(community=community, kind=OrganizationKind.FOOD_COOP, slug="x")
        xena = member_with(Role.COOP_STAFF, community=community, organization=org, handle="xena")
        figs = services.product_create(
            actor=xena,
            coop=org,
            fields=services.ProductFields(name="Figs", producer="X", unit="each", price=90),
        )
        now = timezone.now()
        cycle = services.cycle_create(
            actor=xena,
            coop=org,
            name="X",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
            pickup_at=now + timedelta(days=2),
        )
        return Elsewhere(xena=xena, org=org, figs=figs, cycle=cycle)
