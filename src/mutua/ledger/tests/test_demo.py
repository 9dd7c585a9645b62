"""The demo's ledger: months of Riverbend's local dollar, every transfer accepted, the books sound.

The full `mutua demo` runs once for the module (it takes a few seconds) inside a transaction that is
rolled back afterwards; each test runs in a savepoint of it.
"""

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import NamedTuple
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from mutua.community.models import Community
from mutua.community.tests.factories import CommunityFactory
from mutua.core.tenancy import community_scope
from mutua.ledger import demo
from mutua.ledger.domain import Kind, TransferRequest
from mutua.ledger.models import Account, AccountKind, Ledger, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.tests.conftest import open_books


class Run(NamedTuple):
    community: Community
    output: str
    started: datetime  # the other apps' demos pay at the demo's own time, from here on


@pytest.fixture(scope="module")
def riverbend(django_db_setup: None, django_db_blocker) -> Iterator[Run]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), transaction.atomic():
        output, started = StringIO(), timezone.now()
        call_command("demo", "--force", stdout=output)
        yield Run(Community.objects.get(slug="riverbend"), output.getvalue(), started)
        transaction.set_rollback(True)


@pytest.fixture
def books(riverbend: Run, db: None) -> Iterator[Run]:
    with community_scope(riverbend.community.id):
        yield riverbend


def _wallets(kind: AccountKind) -> list[Account]:
    return list(Account.objects.filter(kind=kind))


def test_the_demo_has_thousands_of_transfers_over_four_months_in_business_hours(
    books: Run,
) -> None:
    # The ledger demo's history; the other apps' demos pay at the moment the demo runs.
    transfers = Transfer.objects.filter(created_at__lt=books.started)
    assert 3_000 <= transfers.count() <= 6_000
    span = transfers.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] - span["first"] >= timedelta(days=110)
    assert span["last"] <= timezone.now()
    hours = {timezone.localtime(at).hour for at in transfers.values_list("created_at", flat=True)}
    assert hours <= set(range(9, 19))


def test_every_demo_transfer_was_accepted_and_the_books_verify(books: Run) -> None:
    assert "refused" not in books.output
    assert "ledger transfers" in books.output
    assert ledger_verify() == []


def test_histories_list_each_account_s_transfers_in_the_order_they_were_applied(
    books: Run,
) -> None:
    """`account_history` orders by (created_at, id); the transfers of a batch share created_at,
    so the demo's ids must sort in batch order, or running balances would be told out of order."""
    last: dict[object, int] = {}
    for t in Transfer.objects.order_by("created_at", "id").iterator(chunk_size=2_000):
        for account, seq in (
            (t.debit_account_id, t.debit_seq),
            (t.credit_account_id, t.credit_seq),
        ):
            assert seq == last.get(account, 0) + 1
            last[account] = seq


def test_the_history_tells_every_part_of_the_story(books: Run) -> None:
    codes = Counter(Transfer.objects.values_list("code", flat=True))
    assert codes["purchase"] > 1_000
    for code in (
        "exchange_in",
        "exchange_out",
        "redemption_fee",
        "supplies",
        "wages",
        "coop_order",
        "coop_order_delivered",
        "coop_order_cancelled",
        "aid_voucher",
        "donation",
        "grant",
        "fees_to_fund",
        "refund",
    ):
        assert codes[code] > 0, code
    assert (
        Transfer.objects.filter(code="refund", reverses__code="purchase").count()
        == (codes["refund"])
    )
    kinds = Counter(Transfer.objects.values_list("kind", flat=True))
    assert kinds[Kind.PENDING] == kinds[Kind.POST] + kinds[Kind.VOID] + _open_holds()


def _open_holds() -> int:
    return Transfer.objects.filter(kind=Kind.PENDING, resolution__isnull=True).count()


def test_members_never_go_below_zero_and_merchants_stay_within_their_credit_lines(
    books: Run,
) -> None:
    members = _wallets(AccountKind.MEMBER)
    assert len(members) > 50
    assert all(m.balance_posted >= 0 and m.available >= 0 for m in members)
    merchants = _wallets(AccountKind.MERCHANT)
    assert len(merchants) == 10
    assert all(m.balance_posted >= -m.credit_limit for m in merchants)
    assert sum(1 for m in merchants if m.credit_limit > 0) >= 3
    assert any(m.debits_posted > 0 for m in merchants if m.credit_limit > 0)


def test_the_local_dollars_outstanding_are_minus_issuance_and_the_reserve_backs_95_cents_each(
    books: Run,
) -> None:
    local = Ledger.objects.get(code="LD")
    issuance = Account.objects.get(ledger=local, kind=AccountKind.ISSUANCE)
    held = Account.objects.filter(ledger=local).exclude(pk=issuance.pk)
    outstanding = held.aggregate(c=Sum("credits_posted"), d=Sum("debits_posted"))
    assert outstanding["c"] - outstanding["d"] == -issuance.balance_posted > 0
    reserve = Account.objects.get(ledger__code="USD", kind=AccountKind.RESERVE)
    assert reserve.balance_posted * 100 >= -issuance.balance_posted * 95


def test_a_second_demo_run_adds_no_transfer(books: Run) -> None:
    before = Transfer.objects.count()
    output = StringIO()
    call_command("demo", "--force", stdout=output)
    assert Transfer.objects.count() == before
    assert re.search(rf"ledger transfers \.+ {before} \(0 new\)", output.getvalue())


# --- the plan, without a database ----------------------------------------------------------------


def _cast() -> tuple[demo.Cast, dict[str, object]]:
    members = tuple(f"member-{n}" for n in range(40))
    merchants = tuple(code for code in demo.SHOPS if code != demo.COOP)
    system = (demo.ISSUANCE, demo.COMMUNITY_FUND, demo.AID_FUND, demo.FEE_INCOME)
    others = (demo.LAND_TRUST, demo.COOP, demo.MUTUAL_AID, demo.RESERVE, demo.CASH_IN)
    codes = [*members, *merchants, *system, *others]
    return demo.Cast(members, merchants), {code: uuid5(NAMESPACE_URL, code) for code in codes}


def test_the_plan_is_the_same_for_the_same_moment_and_its_ids_sort_in_its_order() -> None:
    cast, ids = _cast()
    until = datetime(2026, 3, 10, 17, 30, tzinfo=ZoneInfo("America/New_York"))  # DST starts 8 March
    plan = demo.history_plan(cast=cast, ids=ids, until=until)  # type: ignore[arg-type]
    assert plan == demo.history_plan(cast=cast, ids=ids, until=until)  # type: ignore[arg-type]
    requests = [request for batch in plan for request in batch.requests]
    assert [r.id for r in requests] == sorted(r.id for r in requests)
    assert len({r.id for r in requests}) == len(requests)
    assert all(batch.at <= until for batch in plan)
    assert all(9 <= batch.at.hour <= 18 for batch in plan)
    assert [b.at for b in plan] == sorted(b.at for b in plan)


def test_a_plan_in_a_local_time_zone_is_written_so_that_it_verifies(db: None) -> None:
    """Business hours are local, but a transfer's hash covers its `created_at` as written, and
    the database gives it back in UTC: `history_write` writes in UTC."""
    community = CommunityFactory(slug="hillside")
    with community_scope(community.id):
        books = open_books(community)
        at = datetime(2026, 3, 10, 12, 5, tzinfo=ZoneInfo("America/New_York"))
        request = TransferRequest(
            demo.transfer_id(at, 0, 1),
            debit_account_id=books.issuance.id,
            credit_account_id=books.ana.id,
            amount=1_000,
            code="exchange_in",
        )
        assert demo.history_write(community=community, plan=[demo.Batch(at, (request,))]) == (1, 0)
        assert ledger_verify() == []
        assert Transfer.objects.get().created_at == at


def test_a_transfer_id_is_a_uuid7_of_its_time() -> None:
    at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    transfer_id = demo.transfer_id(at, 3, 42)
    assert transfer_id.version == 7
    assert transfer_id.int >> 80 == int(at.timestamp() * 1000)
    assert transfer_id == demo.transfer_id(at, 3, 42) != demo.transfer_id(at, 3, 43)
    with pytest.raises(ValueError):
        demo.transfer_id(at, 4096, 1)
