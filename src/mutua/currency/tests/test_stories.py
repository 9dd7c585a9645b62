"""Worked examples: a day at Riverbend's credit union, told in local cents and dollar cents."""

import re

import pytest

from mutua.core.errors import MutuaError, NotFound, Refused
from mutua.core.ids import new_id
from mutua.currency import selectors, services
from mutua.currency.models import CreditLimitChange, Exchange
from mutua.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db


def test_ana_buys_local_dollars_at_95_cents(town) -> None:
    exchange = town.exchange_in(town.ana_wallet, 1_900)  # $19.00
    assert (exchange.dollars, exchange.local) == (1_900, 2_000)  # 20.00 local dollars
    assert town.balance(town.ana_wallet) == 2_000
    assert selectors.reserve_and_outstanding(currency=town.currency) == (1_900, 2_000)
    assert ledger_verify() == []


def test_a_fraction_of_a_local_cent_stays_in_the_reserve(town) -> None:
    town.exchange_in(town.ana_wallet, 100)  # $1.00 buys 105.26... local cents: 105
    assert town.balance(town.ana_wallet) == 105
    assert selectors.reserve_and_outstanding(currency=town.currency) == (100, 105)


def test_the_bakery_redeems_less_a_fee_that_goes_to_the_community_fund(town) -> None:
    town.exchange_in(town.ana_wallet, 9_500)  # 100.00 local dollars
    town.pay(town.ana, "bakery", 10_000)
    exchange = town.exchange_out(town.bakery_wallet, 10_000)
    # 5.00 fee to the fund, 95.00 retired, paid 95.00 x 0.95 = $90.25
    assert (exchange.fee, exchange.dollars) == (500, 9_025)
    assert town.balance(town.bakery_wallet) == 0
    assert town.balance(town.currency.community_fund) == 500
    reserve, outstanding = selectors.reserve_and_outstanding(currency=town.currency)
    assert (reserve, outstanding) == (475, 500)  # still 95% backed
    assert ledger_verify() == []


def test_a_retried_exchange_happens_once(town) -> None:
    same = new_id()
    for _ in range(2):
        services.exchange_in(
            currency=town.currency,
            officer=town.officer,
            account=town.ana_wallet,
            dollars=950,
            id=same,
        )
    assert town.balance(town.ana_wallet) == 1_000
    assert Exchange.objects.count() == 1


def test_members_do_not_redeem(town) -> None:
    town.exchange_in(town.ana_wallet, 950)
    with pytest.raises(Refused, match="merchants and organizations"):
        town.exchange_out(town.ana_wallet, 500)
    assert town.balance(town.ana_wallet) == 1_000


def test_an_exchange_below_the_minimum_backing_is_refused_and_changes_nothing(town) -> None:
    from mutua.community.roles import OrganizationKind
    from mutua.community.tests.factories import OrganizationFactory

    coop = OrganizationFactory(
        community=town.community, kind=OrganizationKind.FOOD_COOP, slug="coop"
    )
    coop_wallet = services.wallet_open(
        currency=town.currency, officer=town.officer, organization=coop
    )
    town.exchange_in(town.ana_wallet, 19_000)  # 200.00 local dollars, $190 reserve: 95%
    town.pay(town.ana, "bakery", 20_000)
    services.credit_limit_set(
        currency=town.currency,
        officer=town.officer,
        account=town.bakery_wallet,
        limit=5_000,
        reason="Spring stock",
    )
    town.pay(town.carla, "ben", 25_000, from_account=town.bakery_wallet)  # draws 50.00
    town.pay(town.ben, "coop", 25_000)
    # 250.00 outstanding (the co-op's), $190 reserve: 76%, below the 90% minimum already.
    with pytest.raises(
        Refused, match=re.escape("to 64.35%, below the community's minimum of 90.00%")
    ):
        town.exchange_out(coop_wallet, 10_000)  # would leave $99.75 for 155.00: 64.35%
    assert selectors.reserve_and_outstanding(currency=town.currency) == (19_000, 25_000)
    assert town.balance(coop_wallet) == 25_000
    assert Exchange.objects.count() == 1


def test_an_exchange_in_that_raises_a_low_ratio_is_allowed(town) -> None:
    town.currency.rate_bps = 10_000  # one dollar buys one local dollar
    town.currency.save()
    services.credit_limit_set(
        currency=town.currency,
        officer=town.officer,
        account=town.bakery_wallet,
        limit=10_000,
        reason="Opening day",
    )
    town.pay(town.carla, "ben", 10_000, from_account=town.bakery_wallet)  # 0% backed
    town.exchange_in(town.ana_wallet, 10_000)  # 50%: below the minimum, but better
    assert selectors.reserve_and_outstanding(currency=town.currency) == (10_000, 20_000)


def test_a_credit_line_change_is_logged_with_who_why_and_both_limits(town) -> None:
    change = services.credit_limit_set(
        currency=town.currency,
        officer=town.officer,
        account=town.bakery_wallet,
        limit=20_000,
        reason="Harvest festival stock",
    )
    services.credit_limit_set(
        currency=town.currency,
        officer=town.officer,
        account=town.bakery_wallet,
        limit=5_000,
        reason="Festival over",
    )
    changes = list(
        CreditLimitChange.objects.order_by("changed_at").values_list(
            "old_limit", "new_limit", "reason", "changed_by__handle"
        )
    )
    assert changes == [
        (0, 20_000, "Harvest festival stock", "olu"),
        (20_000, 5_000, "Festival over", "olu"),
    ]
    assert change.account_id == town.bakery_wallet.id


def test_a_line_cannot_drop_below_what_is_drawn_on_it(town) -> None:
    services.credit_limit_set(
        currency=town.currency,
        officer=town.officer,
        account=town.bakery_wallet,
        limit=20_000,
        reason="Stock",
    )
    town.pay(town.carla, "ana", 15_000, from_account=town.bakery_wallet)
    with pytest.raises(MutuaError, match=re.escape("already uses 150.00")):
        services.credit_limit_set(
            currency=town.currency,
            officer=town.officer,
            account=town.bakery_wallet,
            limit=10_000,
            reason="Less",
        )


def test_members_get_no_credit_line(town) -> None:
    with pytest.raises(MutuaError, match="merchants"):
        services.credit_limit_set(
            currency=town.currency,
            officer=town.officer,
            account=town.ana_wallet,
            limit=1_000,
            reason="Please",
        )


@pytest.mark.parametrize(
    ("handle", "amount", "error", "message"),
    [
        ("ben", 2_001, Refused, "not enough money"),
        ("ana", 100, MutuaError, "cannot pay yourself"),
        ("nobody", 100, NotFound, "No one here"),
        ("ben", 0, Refused, "more than zero"),
        ("ben", -5, Refused, "more than zero"),
    ],
)
def test_bad_payments_are_refused_and_move_nothing(town, handle, amount, error, message) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    with pytest.raises(error, match=message):
        town.pay(town.ana, handle, amount)
    assert (town.balance(town.ana_wallet), town.balance(town.ben_wallet)) == (2_000, 0)


def test_ana_pays_the_bakery_by_its_handle_and_ben_by_his(town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    town.pay(town.ana, "bakery", 1_250, memo="Sourdough")
    town.pay(town.ana, "@Ben", 250)
    assert [town.balance(w) for w in (town.ana_wallet, town.bakery_wallet, town.ben_wallet)] == [
        500,
        1_250,
        250,
    ]


def test_a_payment_request_is_paid_once_or_declined(town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    asked = services.payment_request_create(
        requester=town.carla,
        payer_handle="ana",
        amount=800,
        memo="Cake",
        to_account=town.bakery_wallet,
    )
    paid = services.payment_request_answer(payer=town.ana, request=asked, accept=True)
    assert paid.status == "paid" and town.balance(town.bakery_wallet) == 800
    with pytest.raises(MutuaError, match="answered already"):
        services.payment_request_answer(payer=town.ana, request=asked, accept=True)
    again = services.payment_request_create(requester=town.ben, payer_handle="ana", amount=50)
    assert services.payment_request_answer(payer=town.ana, request=again, accept=False).status == (
        "declined"
    )
    assert town.balance(town.ana_wallet) == 1_200
