"""A small set of books for the ledger's tests: one community, its local-dollar ledger, an issuance
account, two member wallets and a merchant with a credit line."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import pytest

from mutua.community.models import Community
from mutua.community.roles import OrganizationKind, Role
from mutua.community.services import api_token_create
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.ledger import services
from mutua.ledger.domain import Kind, Result, TransferRequest
from mutua.ledger.models import Account, AccountKind, Ledger


@dataclass
class Books:
    community: Community
    ld: Ledger
    issuance: Account
    ana: Account
    ben: Account
    bakery: Account  # a merchant with a credit line of 50.00

    def pay(
        self,
        debit: Account,
        credit: Account,
        amount: int,
        *,
        kind: Kind = Kind.POSTED,
        id: UUID | None = None,
        now: datetime | None = None,
        **fields: object,
    ) -> Result:
        request = TransferRequest(
            id=id or new_id(),
            kind=kind,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount=amount,
            code="test",
            **fields,
        )  # type: ignore[arg-type]
        return services.transfer_create(community=self.community, request=request, now=now).result

    def act(self, kind: Kind, target: UUID, amount: int = 0, *, id: UUID | None = None) -> Result:
        request = TransferRequest(id=id or new_id(), kind=kind, target_id=target, amount=amount)
        return services.transfer_create(community=self.community, request=request).result

    def balance(self, account: Account) -> int:
        account.refresh_from_db()
        return account.balance_posted


def open_books(community: Community) -> Books:
    ld = services.ledger_create(community=community, code="LD", name="Local dollar")

    def wallet(code: str, kind: AccountKind = AccountKind.MEMBER, **kw: object) -> Account:
        return services.account_open(ledger=ld, code=code, name=code.title(), kind=kind, **kw)  # type: ignore[arg-type]

    return Books(
        community=community,
        ld=ld,
        issuance=wallet("issuance", AccountKind.ISSUANCE, unlimited=True),
        ana=wallet("ana"),
        ben=wallet("ben"),
        bakery=wallet("bakery", AccountKind.MERCHANT, credit_limit=5000),
    )


@pytest.fixture
def books(db: None):  # type: ignore[no-untyped-def]
    community = CommunityFactory(slug="riverbend")
    with community_scope(community.id):
        yield open_books(community)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """Books whose wallets belong to people: Ana, Ben, and the bakery's merchant."""
    community = CommunityFactory(slug="riverbend")
    bakery = OrganizationFactory(community=community, kind=OrganizationKind.BUSINESS, slug="bakery")
    cu = OrganizationFactory(community=community, kind=OrganizationKind.CREDIT_UNION, slug="cu")
    with community_scope(community.id):
        books = open_books(community)
        people = {
            "ana": member_with(Role.MEMBER, community=community, handle="ana"),
            "ben": member_with(Role.MEMBER, community=community, handle="ben"),
            "baker": member_with(
                Role.MERCHANT, community=community, organization=bakery, handle="baker"
            ),
            "officer": member_with(
                Role.CU_OFFICER, community=community, organization=cu, handle="officer"
            ),
        }
        Account.objects.filter(pk=books.ana.pk).update(member=people["ana"])
        Account.objects.filter(pk=books.ben.pk).update(member=people["ben"])
        Account.objects.filter(pk=books.bakery.pk).update(organization=bakery)
        books.pay(books.issuance, books.ana, 10_000)
        tokens = {h: api_token_create(member=m, name="t")[1] for h, m in people.items()}
    books.tokens = tokens  # type: ignore[attr-defined]
    books.people = people  # type: ignore[attr-defined]
    return books
