"""Riverbend's art for land, for the art tests: a credit union (officer Olu) and a land trust
(steward Ruth) with two projects, each with a local-dollar wallet; an artist (Ada) whose preferred
trust it is, and two investors (Ivan and Bea) with 10,000.00 each. Ada's "River at Dusk" is
published with one photo: 3 editions at 1,000.00, 70 % of a first sale to Ada, a 10 % resale
royalty shared 50/30/20 between the original investor, the artist and the credit union. Each test
gets a fresh in-process chain. Another town (Elsewhere) has its own investor."""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

import mutua.chain.gateway as gateway_module
from mutua.art import services
from mutua.art.models import Artwork, Edition, LandTrust
from mutua.chain.boa_gateway import BoaGateway
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.coop.tests.conftest import fund
from mutua.core.tenancy import community_scope
from mutua.currency import services as currency_services
from mutua.currency.models import Currency
from mutua.currency.selectors import wallet_of
from mutua.ledger.models import Account

TERMS = services.Terms(
    editions=3,
    price=100_000,
    artist_bps=7_000,
    royalty_bps=1_000,
    investor_bps=5_000,
    artist_royalty_bps=3_000,
    union_bps=2_000,
)
OBJECT = services.ObjectFields(
    title="River at Dusk",
    object_type="painting",
    maker="Ada Mensah",
    made="2026",
    materials="oil on linen",
    measurements="60 x 80 cm",
    subject="the river at Heron Bend",
    inscriptions="signed lower right 'A.M. 26'",
    features="a small nick in the frame, top left",
)


def png_bytes(colour: tuple[int, int, int] = (30, 80, 140), size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Art:
    community: Community
    currency: Currency
    union: Organization
    land: Organization
    trust: LandTrust
    olu: Member
    ruth: Member
    ada: Member
    ivan: Member
    bea: Member
    artwork: Artwork
    chain: BoaGateway
    now: datetime

    def wallet(self, owner: Member | Organization) -> Account:
        if isinstance(owner, Member):
            found = wallet_of(currency=self.currency, member=owner)
        else:
            found = wallet_of(currency=self.currency, organization=owner)
        assert found is not None
        return found

    def balance(self, owner: Member | Organization) -> int:
        account = self.wallet(owner)
        return account.credits_posted - account.debits_posted

    def artwork_terms(self) -> services.Terms:
        return TERMS

    def edition(self, number: int) -> Edition:
        return Edition.objects.get(artwork=self.artwork, number=number)


@pytest.fixture
def chain(settings: Any) -> Any:
    """A fresh in-process chain as the process's gateway."""
    fresh = BoaGateway()
    before = gateway_module._gateway
    gateway_module._gateway = fresh
    yield fresh
    gateway_module._gateway = before


def art_open(community: Community, chain: BoaGateway) -> Art:
    union = OrganizationFactory(
        community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu", name="Riverbend CU"
    )
    land = OrganizationFactory(
        community=community, kind=OrganizationKind.LAND_TRUST, slug="clt", name="Riverbend CLT"
    )
    olu = member_with(Role.CU_OFFICER, community=community, organization=union, handle="olu")
    ruth = member_with(Role.CLT_STEWARD, community=community, organization=land, handle="ruth")
    ada = member_with(Role.ARTIST, community=community, handle="ada", display_name="Ada Mensah")
    ivan = member_with(
        Role.INVESTOR, community=community, handle="ivan", display_name="Ivan Petrov"
    )
    bea = member_with(Role.INVESTOR, community=community, handle="bea", display_name="Bea Santos")
    currency = currency_services.currency_open(community=community, actor=olu)
    for owner in (ada, ivan, bea):
        currency_services.wallet_open(currency=currency, officer=olu, member=owner)
    for org in (union, land):
        currency_services.wallet_open(currency=currency, officer=olu, organization=org)
    for investor in (ivan, bea):
        wallet = Account.objects.get(ledger=currency.local, member=investor)
        fund(currency, wallet.pk, 1_000_000)
    trust = services.trust_profile_set(
        actor=ruth, organization=land, mission="Land for permanently affordable homes."
    )
    services.project_add(
        actor=ruth,
        trust=trust,
        fields=services.ProjectFields(name="Mill Row homes", kind="housing", goal=50_000),
    )
    services.project_add(
        actor=ruth,
        trust=trust,
        fields=services.ProjectFields(name="Heron Bend lot", kind="land", goal=500_000, rank=2),
    )
    services.artist_profile_set(actor=ada, statement="I paint the river.", preferred_trust=trust)
    now = timezone.now()
    artwork = services.artwork_register(actor=ada, fields=OBJECT, terms=TERMS, now=now)
    services.photo_add(actor=ada, artwork=artwork, data=png_bytes(), caption="front", now=now)
    services.artwork_publish(actor=ada, artwork=artwork, now=now)
    return Art(
        community=community,
        currency=currency,
        union=union,
        land=land,
        trust=trust,
        olu=olu,
        ruth=ruth,
        ada=ada,
        ivan=ivan,
        bea=bea,
        artwork=artwork,
        chain=chain,
        now=now,
    )


@pytest.fixture
def art(db: None, chain: BoaGateway, settings: Any, tmp_path: Any) -> Art:
    settings.MEDIA_ROOT = tmp_path / "media"
    community = CommunityFactory(name="Riverbend", slug="riverbend")
    with community_scope(community.id):
        yield art_open(community, chain)


@pytest.fixture
def stranger(db: None) -> Member:
    """An investor of another town."""
    community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    with community_scope(community.id):
        return member_with(Role.INVESTOR, community=community, handle="xena")
