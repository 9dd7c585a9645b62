"""Exports: Riverbend's books as beancount, proven by beancount itself to hold Mutua's balances, and
as CSV for a spreadsheet.

The history below is a few days of Riverbend's life on three ledgers: local dollars issued, spent
and lent against the bakery's credit line, a co-op order held then charged in part, a hold voided,
a payment partly reversed; US dollars taken into the reserve; hours in a time bank whose odd codes
test the naming rules.
"""

import csv
import io
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from beancount import loader
from beancount.core import account as bean_account
from beancount.core.data import Balance, Open, Transaction
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from mutua.community.tests.factories import CommunityFactory
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.ledger import services
from mutua.ledger.domain import Kind, Result, TransferRequest
from mutua.ledger.export import (
    account_component,
    commodity_name,
    export_beancount,
    export_csv,
    format_minor,
    unique_name,
)
from mutua.ledger.models import Account, AccountKind, Ledger, Transfer
from mutua.ledger.selectors import account_statement

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
MONDAY = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


@dataclass
class History:
    books: object
    accounts: list[Account]
    hold_posted: UUID
    hold_voided: UUID
    mistake: UUID


def send(books, request: TransferRequest, day: int) -> UUID:
    outcome = services.transfer_create(
        community=books.community, request=request, now=MONDAY + timedelta(days=day)
    )
    assert outcome.result == Result.OK, outcome
    return request.id


def pay(books, debit, credit, amount, day, *, kind=Kind.POSTED, memo="") -> UUID:
    request = TransferRequest(
        id=new_id(),
        kind=kind,
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=amount,
        code="payment",
        memo=memo,
    )
    return send(books, request, day)


def act(books, kind, target, day, amount=0) -> UUID:
    return send(
        books, TransferRequest(id=new_id(), kind=kind, target_id=target, amount=amount), day
    )


def open_account(ledger, code, kind, **fields) -> Account:
    return services.account_open(ledger=ledger, code=code, name=code, kind=kind, **fields)


@pytest.fixture
def history(books) -> History:
    b = books
    usd = services.ledger_create(community=b.community, code="USD", name="US dollar")
    reserve = open_account(usd, "reserve", AccountKind.RESERVE, unlimited=True)
    ana_usd = open_account(usd, "ana", AccountKind.MEMBER)
    ben_usd = open_account(usd, "ben", AccountKind.MEMBER)
    hours = services.ledger_create(community=b.community, code="h", name="Hours", scale=0)
    bank = open_account(hours, "time_bank", AccountKind.SYSTEM, unlimited=True)
    sam_lee = open_account(hours, "sam_lee", AccountKind.MEMBER)
    sam_dash_lee = open_account(hours, "sam-lee", AccountKind.MEMBER)

    pay(b, b.issuance, b.ana, 10_000, 0, memo="welcome")
    pay(b, b.issuance, b.ben, 5_000, 0)
    pay(b, reserve, ana_usd, 4_000, 0, memo="cash in")
    mistake = pay(b, b.ana, b.ben, 1_234, 1, memo='bread "sourdough" \\ rye')
    pay(b, b.bakery, b.ana, 2_000, 1, memo="=1+1")  # on the bakery's credit line
    pay(b, ana_usd, ben_usd, 1_500, 1)
    hold_posted = pay(b, b.ana, b.bakery, 3_000, 2, kind=Kind.PENDING, memo="co-op order")
    hold_voided = pay(b, b.ben, b.bakery, 1_000, 2, kind=Kind.PENDING)
    act(b, Kind.POST, hold_posted, 3, 2_500)
    act(b, Kind.VOID, hold_voided, 3)
    act(b, Kind.REVERSE, mistake, 4, 234)
    pay(b, bank, sam_lee, 3, 4)
    pay(b, sam_lee, sam_dash_lee, 1, 5)
    accounts = [b.issuance, b.ana, b.ben, b.bakery, reserve, ana_usd, ben_usd]
    return History(b, [*accounts, bank, sam_lee, sam_dash_lee], hold_posted, hold_voided, mistake)


def beancount_text(books, until: datetime | None = None) -> str:
    out = io.StringIO()
    export_beancount(community=books.community, out=out, until=until)
    return out.getvalue()


def load(text: str):
    entries, errors, _options = loader.load_string(text)
    assert errors == [], [e.message for e in errors]
    return entries


def balances_in(entries) -> dict[UUID, Decimal]:
    """Each Mutua account's beancount balance, summed from the postings, by its `id` metadata."""
    ids = {e.account: UUID(e.meta["id"]) for e in entries if isinstance(e, Open)}
    sums: dict[UUID, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, Transaction):
            for posting in entry.postings:
                sums[ids[posting.account]] += posting.units.number
    return {account_id: sums[account_id] for account_id in ids.values()}


def mutua_balance(account: Account) -> Decimal:
    account.refresh_from_db()
    return Decimal(account.balance_posted).scaleb(-account.ledger.scale)


def bean_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120, check=False
    )


# --- beancount ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_beancount_export_loads_cleanly_and_every_balance_is_mutuas_negated(history) -> None:
    entries = load(beancount_text(history.books))
    balances = balances_in(entries)
    assert set(balances) == {a.id for a in history.accounts}
    for account in history.accounts:
        assert balances[account.id] == -mutua_balance(account), account.code
    posted = Transfer.objects.filter(kind__in=["posted", "post"]).count()
    assert sum(isinstance(e, Transaction) for e in entries) == posted == 10
    assert sum(isinstance(e, Balance) for e in entries) == len(history.accounts)


@pytest.mark.django_db
def test_bean_check_accepts_the_file_the_export_command_writes(history, tmp_path) -> None:
    path = tmp_path / "riverbend.beancount"
    call_command("ledger", "export", "--format", "beancount", "--output", str(path))
    checked = bean_check(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.django_db
def test_bean_check_refuses_an_export_with_one_amount_changed(history, tmp_path) -> None:
    text = beancount_text(history.books)
    line = "  Liabilities:Riverbend:LD:Member:Ben  -12.34 LD\n"
    assert text.count(line) == 1
    path = tmp_path / "tampered.beancount"
    path.write_text(text.replace(line, line.replace("12.34", "12.35")))
    checked = bean_check(path)
    assert checked.returncode != 0
    assert "does not balance" in checked.stdout + checked.stderr


@pytest.mark.django_db
def test_a_history_rewritten_consistently_still_fails_mutuas_balance_assertions(history) -> None:
    text = beancount_text(history.books).replace("12.34 LD", "10.34 LD")  # both legs
    _entries, errors, _options = loader.load_string(text)
    failed = {e.entry.account for e in errors if isinstance(e.entry, Balance)}
    assert failed == {"Liabilities:Riverbend:LD:Member:Ana", "Liabilities:Riverbend:LD:Member:Ben"}


@pytest.mark.django_db
def test_holds_and_voids_are_comments_and_only_the_posted_part_moves(history) -> None:
    text = beancount_text(history.books)
    entries = load(text)
    ids = {e.meta["id"] for e in entries if isinstance(e, Transaction)}
    assert str(history.hold_posted) not in ids
    assert str(history.hold_voided) not in ids
    assert f"hold {history.hold_posted}: 30.00 LD from Liabilities:Riverbend:LD:Member:Ana" in text
    assert f"hold {history.hold_voided} released, nothing moved" in text
    (charge,) = [e for e in entries if e.meta.get("pending") == str(history.hold_posted)]
    assert charge.date == (MONDAY + timedelta(days=3)).date()
    assert [p.units.number for p in charge.postings] == [Decimal("25.00"), Decimal("-25.00")]
    (reversal,) = [e for e in entries if e.meta.get("reverses") == str(history.mistake)]
    assert reversal.postings[0].account == "Liabilities:Riverbend:LD:Member:Ben"


@pytest.mark.django_db
def test_names_commodities_and_text_follow_beancount_rules(history) -> None:
    text = beancount_text(history.books)
    entries = load(text)
    opened = {e.account: e for e in entries if isinstance(e, Open)}
    assert "Equity:Riverbend:LD:Issuance:Issuance" in opened
    assert "Assets:Riverbend:USD:Reserve:Reserve" in opened
    assert opened["Liabilities:Riverbend:HX:Member:Sam-lee"].meta["code"] == "sam_lee"
    assert opened["Liabilities:Riverbend:HX:Member:Sam-lee-2"].meta["code"] == "sam-lee"
    assert opened["Liabilities:Riverbend:USD:Member:Ana"].currencies == ["USD"]
    narrations = {e.narration for e in entries if isinstance(e, Transaction)}
    assert 'payment: bread "sourdough" \\ rye' in narrations
    assert 'option "operating_currency" "LD"' in text
    assert "2025-03-09 balance Liabilities:Riverbend:HX:Member:Sam-lee-2 -1 HX\n" in text


@pytest.mark.django_db
def test_accounts_open_no_later_than_their_first_transfer(history) -> None:
    """The history above is dated before the accounts were made (time is injected)."""
    entries = load(beancount_text(history.books))
    opens = {e.meta["id"]: e.date for e in entries if isinstance(e, Open)}
    assert opens[str(history.books.ana.id)] == MONDAY.date()
    assert min(e.date for e in entries if isinstance(e, Balance)) == MONDAY.date() + timedelta(6)


@pytest.mark.django_db
def test_an_export_until_a_moment_asserts_the_balances_mutua_had_then(history) -> None:
    until = MONDAY + timedelta(days=2)  # before the co-op order and the reversal
    entries = load(beancount_text(history.books, until=until))
    balances = balances_in(entries)
    assert set(balances) == {a.id for a in history.accounts[:7]}  # not the later time bank
    since = MONDAY - timedelta(days=365)
    for account in history.accounts[:7]:
        closing = account_statement(account=account, since=since, until=until).closing
        assert balances[account.id] == -Decimal(closing).scaleb(-account.ledger.scale)
    assert balances[history.books.ana.id] == Decimal("-107.66")
    assert max(e.date for e in entries) == (MONDAY + timedelta(days=2)).date()


@pytest.mark.django_db(transaction=True)
def test_an_export_outside_a_transaction_reads_one_snapshot() -> None:
    """Outside any transaction the export opens its own (REPEATABLE READ on PostgreSQL). Made with
    plain rows and no transfers: transfers are append-only and this test's clean-up deletes."""
    community = CommunityFactory(slug="riverbend")
    with community_scope(community.id):
        ledger = Ledger.objects.create(community=community, code="LD", name="Local dollar")
        Account.objects.create(
            community=community, ledger=ledger, code="ana", name="Ana", kind=AccountKind.MEMBER
        )
        out = io.StringIO()
        export_beancount(community=community, out=out)
    entries = load(out.getvalue())
    assert [e.account for e in entries if isinstance(e, Balance)] == [
        "Liabilities:Riverbend:LD:Member:Ana"
    ]


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_has_a_row_per_transfer_that_sums_to_every_balance(history) -> None:
    out = io.StringIO()
    export_csv(community=history.books.community, out=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == Transfer.objects.count() == 13
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        scale = Ledger.objects.get(code=row["ledger"]).scale
        assert Decimal(row["amount"]) == Decimal(int(row["amount_minor"])).scaleb(-scale)
        if row["kind"] in ("posted", "post"):
            totals[row["ledger"], row["credit_account"]] += int(row["amount_minor"])
            totals[row["ledger"], row["debit_account"]] -= int(row["amount_minor"])
    for account in history.accounts:
        account.refresh_from_db()
        assert totals[account.ledger.code, account.code] == account.balance_posted


@pytest.mark.django_db
def test_csv_rows_link_resolutions_and_keep_formulas_inert(history) -> None:
    out = io.StringIO()
    export_csv(community=history.books.community, out=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "id",
        "created_at",
        "ledger",
        "kind",
        "debit_account",
        "credit_account",
        "amount",
        "amount_minor",
        "code",
        "memo",
        "pending_id",
        "reverses_id",
    ]
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    assert {r["pending_id"] for r in by_kind["post"] + by_kind["void"]} == {
        str(history.hold_posted),
        str(history.hold_voided),
    }
    assert [r["reverses_id"] for r in rows if r["reverses_id"]] == [str(history.mistake)]
    assert rows[0]["created_at"] == "2025-03-03T09:30:00+00:00"
    assert "'=1+1" in [r["memo"] for r in rows]


# --- the command --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_command_writes_csv_to_standard_output(history) -> None:
    out = io.StringIO()
    call_command("ledger", "export", "--format", "csv", "--community", "riverbend", stdout=out)
    assert out.getvalue().startswith("id,created_at,ledger,kind,")
    assert len(out.getvalue().splitlines()) == 14


@pytest.mark.django_db
def test_export_command_asks_which_community_when_there_are_several(books) -> None:
    CommunityFactory(slug="hillside")
    with pytest.raises(CommandError, match="pick one with --community"):
        call_command("ledger", "export", "--format", "beancount", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--format"):
        call_command("ledger", "export", "--community", "riverbend", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "ledger", "export", "--format", "beancount", "--community", "riverbend", stdout=out
    )
    load(out.getvalue())


# --- naming and numbers, without a database ---------------------------------------------------


def test_ledger_codes_become_beancount_commodities() -> None:
    assert [commodity_name(c) for c in ["LD", "usd", "h", "1x", "", "l.d", "ABCDEFGH"]] == [
        "LD",
        "USD",
        "HX",
        "C1X",
        "CX",
        "LD",
        "ABCDEFGH",
    ]


def test_a_taken_name_or_keyword_gets_the_next_free_number() -> None:
    taken = {"TRUE", "FALSE", "NULL"}
    assert [unique_name(commodity_name(c), taken) for c in ["LD", "l-d", "true", "ld"]] == [
        "LD",
        "LD-2",
        "TRUE-2",
        "LD-3",
    ]
    assert unique_name("A" * 24, {"A" * 24}, max_length=24) == "A" * 22 + "-2"


@given(st.text(max_size=30))
def test_any_ledger_code_makes_a_commodity_beancount_parses(code: str) -> None:
    name = unique_name(commodity_name(code), {"TRUE", "FALSE", "NULL"})
    assert 2 <= len(name) <= 24
    _entries, errors, _options = loader.load_string(f"2025-01-01 commodity {name}\n")
    assert errors == []


@given(st.text(max_size=30))
def test_any_account_code_makes_a_valid_account_name_component(code: str) -> None:
    assert bean_account.is_valid(f"Liabilities:{account_component(code)}")


@given(st.integers(min_value=-(10**18), max_value=10**18), st.integers(min_value=0, max_value=8))
def test_minor_units_format_exactly_with_the_ledgers_scale(amount: int, scale: int) -> None:
    text = format_minor(amount, scale)
    assert Decimal(text).scaleb(scale) == amount
    assert "e" not in text.lower()
    assert len(text.partition(".")[2]) == scale


def test_minor_units_format_examples() -> None:
    assert [format_minor(*a) for a in [(1250, 2), (-5, 2), (0, 2), (7, 0), (1, 8)]] == [
        "12.50",
        "-0.05",
        "0.00",
        "7",
        "0.00000001",
    ]
