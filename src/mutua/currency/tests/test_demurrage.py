"""Worked examples: Riverbend charges 1% a month (1,200 bps a year) on what a wallet holds above
50.00 local dollars, for October 2026, told in local cents. Transfers are stamped at chosen
moments (`now=`) so each story knows exactly which side of the month's end it happened on."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from mutua.core.errors import MutuaError, Refused
from mutua.core.ids import new_id
from mutua.core.models import AuditEntry
from mutua.currency.demurrage import (
    demurrage_charge,
    demurrage_fee,
    demurrage_preview,
    demurrage_skipped,
    month_end,
    month_parse,
)
from mutua.currency.models import Currency, DemurrageRun
from mutua.ledger import services as ledger
from mutua.ledger.domain import Kind, Result, TransferRequest
from mutua.ledger.models import Account, Transfer
from mutua.ledger.selectors import ledger_verify

OCTOBER = date(2026, 10, 1)
MID_OCTOBER = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
OCTOBER_END = datetime(2026, 11, 1, tzinfo=UTC)  # the first instant that is not October
EARLY_NOVEMBER = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # when the cron job runs


def _demurrage(town, bps: int = 1_200, exempt: int = 5_000) -> Currency:
    Currency.objects.filter(pk=town.currency.pk).update(demurrage_bps=bps, demurrage_exempt=exempt)
    town.currency.refresh_from_db()
    return town.currency


def _move(
    town, debit: Account, credit: Account, amount: int, at: datetime, **kw
) -> TransferRequest:
    request = TransferRequest(
        id=new_id(),
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=amount,
        code=kw.pop("code", "payment"),
        **kw,
    )
    [outcome] = ledger.transfers_create(community=town.community, requests=[request], now=at)
    assert outcome.result == Result.OK
    return request


def _issue(town, wallet: Account, amount: int, at: datetime = MID_OCTOBER) -> None:
    _move(town, town.currency.issuance, wallet, amount, at, code="exchange_in")


def _resolve(town, hold: TransferRequest, kind: Kind, at: datetime) -> None:
    request = TransferRequest(id=new_id(), kind=kind, target_id=hold.id)
    [outcome] = ledger.transfers_create(community=town.community, requests=[request], now=at)
    assert outcome.result == Result.OK


def _fees() -> dict[str, int]:
    return {
        code: amount
        for code, amount in Transfer.objects.filter(code="demurrage").values_list(
            "debit_account__code", "amount"
        )
    }


# --- the rule -------------------------------------------------------------------------------------


def test_the_fee_is_a_twelfth_of_the_yearly_rate_rounded_down() -> None:
    assert demurrage_fee(basis=20_000, rate_bps=1_200) == 200  # 1% of 200.00
    assert demurrage_fee(basis=9_999, rate_bps=1_200) == 99  # 99.99 cents: Ana keeps the 0.99
    assert demurrage_fee(basis=0, rate_bps=1_200) == 0
    assert demurrage_fee(basis=-5_000, rate_bps=1_200) == 0  # a wallet in debt pays nothing
    assert demurrage_fee(basis=20_000, rate_bps=0) == 0


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=10_000))
def test_the_fee_never_exceeds_the_exact_fee_by_a_cent_or_more(basis: int, bps: int) -> None:
    fee = demurrage_fee(basis=basis, rate_bps=bps)
    assert 0 <= fee * 120_000 <= basis * bps < (fee + 1) * 120_000


def test_a_month_is_written_like_2026_10() -> None:
    assert month_parse("2026-10") == OCTOBER
    assert month_parse(" 2026-12 ") == date(2026, 12, 1)
    assert month_end(date(2026, 12, 1)) == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "10-2026", "2026/10", "", "0000-01"]
)
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(MutuaError, match="not a month") as refused:
        month_parse(text)
    assert refused.value.code == "invalid_month"


# --- worked examples ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_ana_pays_2_00_on_250_00_above_a_50_00_exempt_base(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)  # Ana holds 250.00 all October
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    # (250.00 - 50.00 exempt) x 1% = 2.00, one line on Ana's statement, into the aid fund
    assert (run.accounts, run.total, run.month) == (1, 200, OCTOBER)
    assert town.balance(town.ana_wallet) == 24_800
    assert town.balance(currency.aid_fund) == 200
    line = Transfer.objects.get(code="demurrage")
    assert (line.debit_account_id, line.amount, line.memo) == (
        town.ana_wallet.id,
        200,
        "Demurrage 2026-10",
    )
    assert ledger_verify() == []


def test_the_audit_log_records_the_run(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    entry = AuditEntry.objects.get(action="currency.demurrage.charged")
    assert entry.object_id == str(run.pk)
    assert entry.data == {
        "month": "2026-10",
        "rate_bps": 1_200,
        "exempt": 5_000,
        "accounts": 1,
        "total": 200,
        "skipped": [],
    }


def test_a_pending_hold_is_not_charged(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    # Ana holds 100.00 for the bakery on 20 October; the bakery only takes it on 1 November.
    hold = _move(
        town,
        town.ana_wallet,
        town.bakery_wallet,
        10_000,
        datetime(2026, 10, 20, tzinfo=UTC),
        kind=Kind.PENDING,
    )
    _resolve(town, hold, Kind.POST, datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    [charge] = demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    # 250.00 posted - 100.00 held at the month's end - 50.00 exempt = 100.00: fee 1.00
    assert (charge.code, charge.balance, charge.held, charge.basis, charge.fee) == (
        "member-ana",
        25_000,
        10_000,
        10_000,
        100,
    )
    # The bakery's 100.00 arrived after October: it pays nothing for October.
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert (run.accounts, run.total) == (1, 100)
    assert _fees() == {"member-ana": 100}


def test_a_hold_voided_within_the_month_no_longer_reduces_the_basis(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    hold = _move(
        town,
        town.ana_wallet,
        town.bakery_wallet,
        10_000,
        datetime(2026, 10, 20, tzinfo=UTC),
        kind=Kind.PENDING,
    )
    _resolve(town, hold, Kind.VOID, datetime(2026, 10, 31, 23, 59, tzinfo=UTC))
    [charge] = demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert (charge.held, charge.fee) == (0, 200)  # the whole 250.00 was Ana's again


def test_a_month_charged_twice_charges_once(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    first = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    later = datetime(2026, 11, 3, tzinfo=UTC)
    again = demurrage_charge(currency=currency, month=OCTOBER, now=later)
    assert again.pk == first.pk
    assert (again.accounts, again.total) == (1, 200)
    assert town.balance(town.ana_wallet) == 24_800  # charged 2.00 once
    assert DemurrageRun.objects.count() == 1
    assert AuditEntry.objects.filter(action="currency.demurrage.charged").count() == 1


@pytest.mark.parametrize(
    ("month", "now"),
    [
        (OCTOBER, datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)),  # October is not over
        (date(2026, 12, 1), EARLY_NOVEMBER),  # December has not begun
    ],
)
def test_a_month_not_over_is_refused_and_nothing_changes(town, month: date, now: datetime) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    with pytest.raises(Refused, match="is not over") as refused:
        demurrage_charge(currency=currency, month=month, now=now)
    assert refused.value.code == "month_not_over"
    with pytest.raises(Refused, match="is not over"):
        demurrage_preview(currency=currency, month=month, now=now)
    assert town.balance(town.ana_wallet) == 25_000
    assert not DemurrageRun.objects.exists()
    assert not Transfer.objects.filter(code="demurrage").exists()


def test_a_month_may_be_charged_from_the_first_instant_of_the_next(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    run = demurrage_charge(currency=currency, month=OCTOBER, now=OCTOBER_END)
    assert run.total == 200


def test_without_demurrage_nothing_is_previewed_and_charging_is_refused(town) -> None:
    currency = _demurrage(town, bps=0)
    _issue(town, town.ana_wallet, 25_000)
    assert demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER) == []
    with pytest.raises(Refused, match="no demurrage") as refused:
        demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert refused.value.code == "no_demurrage"
    assert town.balance(town.ana_wallet) == 25_000
    assert not DemurrageRun.objects.exists()


def test_funds_and_system_accounts_are_never_charged(town) -> None:
    currency = _demurrage(town)
    for fund in (currency.community_fund, currency.aid_fund, currency.fee_income):
        _issue(town, fund, 100_000)  # 1,000.00 in each fund all October
    _issue(town, town.bakery_wallet, 15_000)  # the bakery's merchant wallet: 150.00
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    # Only the bakery: (150.00 - 50.00) x 1% = 1.00. Issuance (deeply negative) is not a wallet.
    assert _fees() == {"merchant-bakery": 100}
    assert (run.accounts, run.total) == (1, 100)
    assert town.balance(currency.community_fund) == 100_000
    assert town.balance(currency.aid_fund) == 100_100


def test_a_wallet_drawing_on_its_credit_line_pays_nothing(town) -> None:
    currency = _demurrage(town)
    ledger.account_limit_set(account=town.bakery_wallet, credit_limit=50_000)
    _move(town, town.bakery_wallet, town.ana_wallet, 30_000, MID_OCTOBER)  # bakery at -300.00
    charges = demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert [(c.code, c.basis, c.fee) for c in charges] == [("member-ana", 25_000, 250)]


def test_a_payment_after_the_month_end_does_not_change_the_basis(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    # At the very first instant of November Ana pays Ben 100.00: that is November's business.
    _move(town, town.ana_wallet, town.ben_wallet, 10_000, OCTOBER_END)
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert _fees() == {"member-ana": 200}  # still (250.00 - 50.00) x 1%
    assert run.total == 200
    assert town.balance(town.ana_wallet) == 14_800


def test_the_preview_shows_what_charging_then_does(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    _issue(town, town.ben_wallet, 4_000)  # under the exempt base: nothing
    _issue(town, town.bakery_wallet, 1_234_567)  # 12,345.67: 12,295.67 x 1% = 122.9567: 122.95
    preview = demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert [(c.code, c.fee) for c in preview] == [("member-ana", 200), ("merchant-bakery", 12_295)]
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert _fees() == {c.code: c.fee for c in preview}
    assert (run.accounts, run.total) == (2, 12_495)
    assert demurrage_skipped(currency=currency, month=OCTOBER) == []


def test_the_month_end_figures_take_the_same_queries_for_any_number_of_wallets(
    town, django_assert_num_queries
) -> None:
    currency = _demurrage(town)
    for wallet in (town.ana_wallet, town.ben_wallet, town.bakery_wallet):
        _issue(town, wallet, 25_000)
    with django_assert_num_queries(4):  # the wallets, then credits, debits and holds by account
        charges = demurrage_preview(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert len(charges) == 3


def test_a_wallet_that_spent_its_money_since_is_skipped(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    _issue(town, town.ben_wallet, 15_000)
    _move(town, town.ana_wallet, town.bakery_wallet, 25_000, OCTOBER_END)  # Ana spends it all
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    # Ana owed 2.00 on October but holds nothing now: skipped, and owes nothing later.
    assert _fees() == {"member-ben": 100}
    assert (run.accounts, run.total) == (1, 100)
    assert town.balance(town.ana_wallet) == 0
    [skipped] = demurrage_skipped(currency=currency, month=OCTOBER)
    assert (skipped.code, skipped.fee) == ("member-ana", 200)
    entry = AuditEntry.objects.get(action="currency.demurrage.charged")
    assert entry.data["skipped"] == [
        {"account": "member-ana", "fee": 200, "result": "exceeds_credit_limit"}
    ]
    assert ledger_verify() == []


def test_a_closed_wallet_is_not_charged(town) -> None:
    currency = _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    _issue(town, town.ben_wallet, 25_000)
    _move(town, town.ben_wallet, town.ana_wallet, 25_000, OCTOBER_END)  # Ben leaves the town
    ledger.account_close(account=town.ben_wallet)
    run = demurrage_charge(currency=currency, month=OCTOBER, now=EARLY_NOVEMBER)
    assert _fees() == {"member-ana": 200}
    assert run.accounts == 1


def test_the_officer_previews_then_charges_with_the_command(town) -> None:
    _demurrage(town)
    _issue(town, town.ana_wallet, 25_000)
    out = io.StringIO()
    call_command("currency", "demurrage", "--month", "2026-10", "--preview", stdout=out)
    assert out.getvalue().splitlines() == ["member-ana: 20000 -> 200", "1 account(s), 200 in all"]
    assert not Transfer.objects.filter(code="demurrage").exists()
    for _ in range(2):
        out = io.StringIO()
        call_command("currency", "demurrage", "--month", "2026-10", stdout=out)
        assert out.getvalue().strip() == "2026-10: 1 account(s) charged, 200 in all"
    assert town.balance(town.ana_wallet) == 24_800


def test_the_command_refuses_a_malformed_month(town) -> None:
    with pytest.raises(CommandError, match="not a month"):
        call_command("currency", "demurrage", "--month", "October")
