"""Properties: exchanges keep the reserve book and the outstanding supply consistent, and the LM3
of the issue's worked example comes out of the real ledger and report."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.community.tests.factories import CommunityFactory
from mutua.core.errors import MutuaError
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.currency import rates, selectors
from mutua.currency.models import Exchange, ExchangeKind
from mutua.currency.tests.conftest import town_open
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.selectors import ledger_verify

rate_bps = st.integers(min_value=1, max_value=20_000)
fee_bps = st.integers(min_value=0, max_value=9_999)
cents = st.integers(min_value=0, max_value=10**12)


@given(local=cents, rate=rate_bps, fee=fee_bps)
def test_a_redemption_splits_exactly_and_never_pays_above_the_rate(local, rate, fee) -> None:
    paid = rates.redemption(local=local, rate_bps=rate, fee_bps=fee)
    assert paid.fee + paid.retired == local
    assert 0 <= paid.fee <= local * fee / 10_000
    assert 0 <= paid.dollars <= paid.retired * rate / 10_000


@given(dollars=cents, rate=rate_bps)
def test_issuance_never_issues_more_than_the_dollars_buy(dollars, rate) -> None:
    local = rates.issued_for(dollars=dollars, rate_bps=rate)
    assert local * rate <= dollars * 10_000 < (local + 1) * rate


steps = st.lists(
    st.tuples(st.sampled_from(["in", "out", "pay"]), st.integers(min_value=1, max_value=50_000)),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=25)
@given(steps=steps)
def test_exchanges_keep_the_reserve_and_the_supply_consistent(steps) -> None:
    """After any sequence of exchanges and payments (some refused): the reserve holds exactly
    the dollars in less the dollars out, what is outstanding is what was issued less what was
    retired, and the books verify."""
    with transaction.atomic():  # each example starts from empty books
        _exchanges_check(steps)
        transaction.set_rollback(True)


def _exchanges_check(steps: list[tuple[str, int]]) -> None:
    community = CommunityFactory()
    with community_scope(community.id):
        town = town_open(community)
        town.currency.min_backing_bps = 0
        town.currency.save()
        for kind, amount in steps:
            try:
                if kind == "in":
                    town.exchange_in(town.ana_wallet, amount)
                elif kind == "out":
                    town.exchange_out(town.bakery_wallet, amount)
                else:
                    town.pay(town.ana, "bakery", amount)
            except MutuaError:
                pass  # refused: it must have changed nothing, which the totals below check
        ins = Exchange.objects.filter(kind=ExchangeKind.IN)
        outs = Exchange.objects.filter(kind=ExchangeKind.OUT)
        reserve, outstanding = selectors.reserve_and_outstanding(currency=town.currency)
        assert reserve == sum(e.dollars for e in ins) - sum(e.dollars for e in outs)
        assert outstanding == sum(e.local for e in ins) - sum(e.local - e.fee for e in outs)
        assert ledger_verify() == []


@pytest.mark.django_db
def test_the_worked_example_gives_an_lm3_of_1_78_from_the_ledger(town) -> None:
    """100 issued to Ana; Ana pays Ben 60; Ben, who held 40 of older money, pays Carla's bakery 30
    and redeems 50: R1 = 100, R2 = 60, R3 = 30 x 60/100 = 18, LM3 = 1.78."""
    c, start = town.currency, datetime(2026, 10, 1, 9, tzinfo=UTC)

    def move(at: datetime, debit, credit, amount: int) -> None:  # type: ignore[no-untyped-def]
        request = TransferRequest(
            new_id(), debit_account_id=debit.id, credit_account_id=credit.id, amount=amount
        )
        ledger.transfers_create(community=town.community, requests=[request], now=at)

    move(start - timedelta(days=3), c.issuance, town.ben_wallet, 40)  # before the window
    move(start, c.issuance, town.ana_wallet, 100)
    move(start + timedelta(hours=1), town.ana_wallet, town.ben_wallet, 60)
    move(start + timedelta(hours=2), town.ben_wallet, town.bakery_wallet, 30)
    move(start + timedelta(hours=3), town.ben_wallet, c.issuance, 50)
    found = selectors.report(
        currency=c, since=start.replace(hour=0), until=start.replace(hour=0) + timedelta(days=1)
    )
    assert (found.r1, found.r2, found.r3, found.lm3) == (100, 60, 18, 1.78)
    assert (found.volume, found.redemptions, found.active_accounts) == (90, 50, 3)
