"""Riverbend Learning Commons for the workshop tests: a school with an educator (Grace) whose wallet
holds 500.00, an instructor (Ines) and four members with wallets (Ana, Ben, Cy, Dee); a cooking
program that pays 2.00 for attending; and a session of two seats tomorrow evening, taught by Ines
for 30.00. A second school (Hill School, educator Hugo) proves that a role counts in its own school
only; another town (Elsewhere) has its own educator, to prove the fence between communities."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.currency import services as currency_services
from mutua.currency.models import Currency
from mutua.learning import services
from mutua.learning.models import Program, Session
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.models import Account

SCHOOL_FUNDS = 50_000
CREDIT = 200
FEE = 3_000


@dataclass
class Commons:
    community: Community
    currency: Currency
    school: Organization
    hill: Organization
    grace: Member
    hugo: Member
    ines: Member
    ana: Member
    ben: Member
    cy: Member
    dee: Member
    school_wallet: Account
    cooking: Program
    session: Session
    now: datetime

    def balance(self, member: Member | None = None) -> int:
        """Posted balance of a member's wallet (the school's when no member is named)."""
        account = (
            self.school_wallet
            if member is None
            else Account.objects.get(ledger=self.currency.local, member=member)
        )
        account.refresh_from_db()
        return account.credits_posted - account.debits_posted

    def new_session(self, *, capacity: int = 2, hours: int = 24, **plan: object) -> Session:
        starts = self.now + timedelta(hours=hours)
        fields = {
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "place": "Commons kitchen, 4 Mill St",
            "capacity": capacity,
            "instructor": self.ines,
            "instructor_fee": FEE,
            "offer_hours": 6,
            **plan,
        }
        return services.session_create(
            actor=self.grace,
            program=self.cooking,
            plan=services.SessionPlan(**fields),  # type: ignore[arg-type]
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


def commons_open(community: Community, *, now: datetime | None = None) -> Commons:
    union = OrganizationFactory(community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu")
    officer = member_with(Role.CU_OFFICER, community=community, organization=union, handle="olu")
    school = OrganizationFactory(
        community=community, kind=OrganizationKind.SCHOOL, slug="commons", name="Learning Commons"
    )
    hill = OrganizationFactory(
        community=community, kind=OrganizationKind.SCHOOL, slug="hill", name="Hill School"
    )
    grace = member_with(Role.EDUCATOR, community=community, organization=school, handle="grace")
    hugo = member_with(Role.EDUCATOR, community=community, organization=hill, handle="hugo")
    people = {
        handle: member_with(Role.MEMBER, community=community, handle=handle)
        for handle in ("ines", "ana", "ben", "cy", "dee")
    }
    currency = currency_services.currency_open(community=community, actor=officer)
    for person in people.values():
        currency_services.wallet_open(currency=currency, officer=officer, member=person)
    school_wallet = currency_services.wallet_open(
        currency=currency, officer=officer, organization=school
    )
    fund(currency, school_wallet.pk, SCHOOL_FUNDS)
    cooking = services.program_create(
        actor=grace,
        organization=school,
        kind="cooking",
        title="Cooking on a budget",
        attendance_credit=CREDIT,
    )
    commons = Commons(
        community=community,
        currency=currency,
        school=school,
        hill=hill,
        grace=grace,
        hugo=hugo,
        school_wallet=school_wallet,
        cooking=cooking,
        session=None,  # type: ignore[arg-type]
        now=now or timezone.now(),
        **people,
    )
    commons.session = commons.new_session()
    return commons


@pytest.fixture
def commons(db: None) -> Commons:
    community = CommunityFactory(name="Riverbend", slug="riverbend")
    with community_scope(community.id):
        yield commons_open(community)


@pytest.fixture
def elsewhere(db: None) -> Member:
    """An educator of another town's school."""
    community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    school = OrganizationFactory(community=community, kind=OrganizationKind.SCHOOL, slug="school")
    return member_with(Role.EDUCATOR, community=community, organization=school, handle="otto")
