"""A small set of books for the ledger's tests: one community, its local-dollar ledger, an issuance
account, two member wallets and a merchant with a credit line."""

from dataclasses import dataclass
from uuid import UUID

import pytest

from mutua.community.models import Community
from mutua.community.tests.factories import CommunityFactory
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
        return services.transfer_create(community=self.community, request=request).result

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
