"""The aid group at the co-op, as stories: solidarity prices paid from the aid fund, bulk orders
that arrive in the pantry as lots, and vouchers that only the co-op can take and that expire back
to the fund. The co-op never learns who holds a voucher or why."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from mutua.aid.models import Lot, StockLevel
from mutua.coop import selectors, services
from mutua.coop.models import Order, Voucher, VoucherSpend
from mutua.coop.tests.conftest import Coop, fund
from mutua.core.errors import Forbidden, Gone, MutuaError, NotFound, Refused
from mutua.core.models import AuditEntry
from mutua.core.tenancy import scopes_disabled
from mutua.ledger.models import Account


def posted(account_id: object) -> int:
    return Account.objects.get(pk=account_id).balance_posted


def test_a_referred_household_pays_the_solidarity_price_and_the_fund_the_rest(coop: Coop) -> None:
    services.referral_set(actor=coop.pantry.cora, member=coop.rosa, discount_bps=3000, now=coop.now)
    fund = coop.currency.aid_fund_id
    order = coop.order(coop.rosa, (coop.oats, 3))  # 9.99
    assert (order.fund_share, order.member_share) == (299, 700)  # 30 % rounded down: 2.99
    line = order.lines.get()
    services.order_pickup(
        actor=coop.cass, order=order, delivered={line.pk: 2}, now=coop.cycle.closes_at
    )
    # Two delivered: 6.66, of which the fund pays 1.99 and Rosa 4.67; the co-op gets all of it.
    assert posted(coop.coop_wallet.pk) == 666
    assert posted(coop.rosa_wallet.pk) == 5000 - 467
    assert posted(fund) == 50000 - 199
    assert Account.objects.get(pk=fund).debits_pending == 0


def test_a_referral_ends_and_full_prices_return(coop: Coop) -> None:
    cora, start = coop.pantry.cora, coop.now - timedelta(hours=1)
    services.referral_set(actor=cora, member=coop.rosa, discount_bps=5000, now=start)
    assert coop.order(coop.rosa, (coop.apples, 2)).fund_share == 150
    services.referral_end(actor=cora, member=coop.rosa, now=coop.now)
    assert coop.order(coop.rosa, (coop.bread, 1)).fund_share == 0


def test_only_aid_coordinators_refer(coop: Coop) -> None:
    for outsider in (coop.cass, coop.pantry.dev, coop.rosa):
        with pytest.raises(Forbidden):
            services.referral_set(actor=outsider, member=coop.rosa, discount_bps=1000)
    with pytest.raises(MutuaError):
        services.referral_set(actor=coop.pantry.cora, member=coop.rosa, discount_bps=10_001)


def test_a_bulk_order_is_paid_by_the_fund_and_arrives_as_pantry_lots(coop: Coop) -> None:
    pantry, fund = coop.pantry, coop.currency.aid_fund_id
    order = coop.order(pantry.cora, (coop.oats, 10), (coop.apples, 4), for_aid_group=True)
    assert order.buyer_organization_id == pantry.group.pk
    assert Account.objects.get(pk=fund).debits_pending == 3330 + 600
    oats, apples = (order.lines.get(offer__product=p) for p in (coop.oats, coop.apples))
    best_before = pantry.today + timedelta(days=200)
    services.bulk_order_receive(
        actor=pantry.cora,
        order=order,
        arrivals=[
            services.Arrival(oats.pk, 8, pantry.rice.pk, pantry.shelf.pk, best_before),
            services.Arrival(apples.pk, 0),
        ],
        now=coop.cycle.closes_at + timedelta(hours=2),
    )
    assert posted(fund) == 50000 - 8 * 333
    assert posted(coop.coop_wallet.pk) == 8 * 333
    lot = Lot.objects.get(item=pantry.rice)
    assert lot.expires == best_before
    assert lot.intake.seller_id == coop.org.pk and lot.intake.amount == 8 * 333
    assert StockLevel.objects.get(lot=lot, location=pantry.shelf).on_hand == 8
    order.refresh_from_db()
    assert order.received_at is not None


def test_a_bulk_order_without_its_pantry_item_receives_nothing(coop: Coop) -> None:
    pantry = coop.pantry
    order = coop.order(pantry.cora, (coop.oats, 2), for_aid_group=True)
    line = order.lines.get()
    with pytest.raises(MutuaError) as error:
        services.bulk_order_receive(
            actor=pantry.cora,
            order=order,
            arrivals=[services.Arrival(line.pk, 2, None, pantry.shelf.pk)],
            now=coop.cycle.closes_at,
        )
    assert "arrivals.0.item" in error.value.fields
    order.refresh_from_db()
    assert order.status == "placed" and not Lot.objects.exists()
    assert posted(coop.coop_wallet.pk) == 0


def test_only_coordinators_order_for_the_aid_group(coop: Coop) -> None:
    with pytest.raises(Forbidden):
        coop.order(coop.pantry.dev, (coop.oats, 1), for_aid_group=True)
    with pytest.raises(Forbidden):
        coop.order(coop.cass, (coop.oats, 1), for_aid_group=True)
    assert not Order.objects.exists()


def _voucher(coop: Coop, amount: int = 2500, days: int = 30) -> Voucher:
    return services.voucher_issue(
        actor=coop.pantry.cora,
        coop=coop.org,
        holder=coop.rosa,
        amount=amount,
        expires_at=coop.now + timedelta(days=days),
        reason="Lost hours at work",
        now=coop.now,
    )


def test_a_voucher_is_spent_at_its_coop_and_the_rest_expires_to_the_fund(coop: Coop) -> None:
    fund = coop.currency.aid_fund_id
    voucher = _voucher(coop)
    assert posted(fund) == 50000 - 2500
    # Rosa reads the code out loud; Cass types it as heard.
    services.voucher_redeem(
        actor=coop.cass, coop=coop.org, code=voucher.code.lower().replace("-", " "), amount=1800
    )
    voucher.refresh_from_db()
    assert voucher.remaining == 700
    assert posted(coop.coop_wallet.pk) == 1800

    assert services.vouchers_expire(community=coop.community, now=voucher.expires_at) == 1
    voucher.refresh_from_db()
    assert (voucher.remaining, voucher.returned) == (0, 700)
    assert posted(fund) == 50000 - 1800
    assert posted(services.vouchers_account(coop.currency).pk) == 0
    assert services.vouchers_expire(community=coop.community, now=voucher.expires_at) == 0
    with pytest.raises(Gone):
        services.voucher_redeem(actor=coop.cass, coop=coop.org, code=voucher.code, amount=1)


def test_a_voucher_cannot_be_spent_at_another_coop(coop: Coop) -> None:
    voucher = _voucher(coop)
    with pytest.raises(Refused) as refused:
        services.voucher_redeem(actor=coop.hana, coop=coop.hilltop, code=voucher.code, amount=100)
    assert refused.value.code == "wrong_merchant"
    with pytest.raises(Forbidden):  # and Hana is not staff of Canal Street
        services.voucher_redeem(actor=coop.hana, coop=coop.org, code=voucher.code, amount=100)
    voucher.refresh_from_db()
    assert voucher.remaining == 2500 and not VoucherSpend.objects.exists()
    assert posted(coop.hilltop_wallet.pk) == 0


def test_a_voucher_gives_no_more_than_is_left(coop: Coop) -> None:
    voucher = _voucher(coop, amount=500)
    with pytest.raises(Refused) as refused:
        services.voucher_redeem(actor=coop.cass, coop=coop.org, code=voucher.code, amount=501)
    assert refused.value.code == "exceeds_voucher"
    with pytest.raises(NotFound):
        services.voucher_redeem(actor=coop.cass, coop=coop.org, code="ZZZZ-ZZZZ", amount=1)
    voucher.refresh_from_db()
    assert voucher.remaining == 500


def test_the_coop_sees_codes_and_amounts_never_holders(coop: Coop) -> None:
    voucher = _voucher(coop)
    seen = selectors.vouchers_for_coop(actor=coop.cass, coop=coop.org)
    assert [(v["code"], v["amount"], v["remaining"]) for v in seen] == [(voucher.code, 2500, 2500)]
    assert all(set(v) == set(selectors.COOP_VOUCHER_FIELDS) for v in seen)
    with pytest.raises(Forbidden):
        selectors.vouchers_with_holders(actor=coop.cass)
    before = AuditEntry.objects.filter(action="coop.voucher.holders_viewed").count()
    held = selectors.vouchers_with_holders(actor=coop.pantry.cora)
    assert held[0].holder == coop.rosa and held[0].reason == "Lost hours at work"
    assert AuditEntry.objects.filter(action="coop.voucher.holders_viewed").count() == before + 1
    assert [v.code for v in selectors.my_vouchers(member=coop.rosa)] == [voucher.code]
    assert selectors.my_vouchers(member=coop.pat) == []


def test_a_voucher_the_fund_cannot_cover_is_refused(coop: Coop) -> None:
    with pytest.raises(Refused):
        _voucher(coop, amount=50001)
    assert not Voucher.objects.exists()
    with pytest.raises(Forbidden):
        services.voucher_issue(
            actor=coop.cass,
            coop=coop.org,
            holder=coop.rosa,
            amount=100,
            expires_at=coop.now + timedelta(days=1),
        )


def test_the_daily_command_expires_vouchers(coop: Coop) -> None:
    voucher = services.voucher_issue(
        actor=coop.pantry.cora,
        coop=coop.org,
        holder=coop.rosa,
        amount=900,
        expires_at=coop.now - timedelta(minutes=1),
        now=coop.now - timedelta(hours=1),
    )
    out = StringIO()
    with scopes_disabled():
        call_command("coop", "vouchers-expire", stdout=out)
    assert "riverbend: 1 voucher(s) expired" in out.getvalue()
    voucher.refresh_from_db()
    assert voucher.returned == 900


def test_a_voucher_funded_by_another_account_expires_back_to_it(coop: Coop) -> None:
    """A school's attendance reward, say: its wallet pays, and gets back what was not spent."""
    school_wallet = coop.pat_wallet  # any account of the community's local dollar will do
    fund(coop.currency, school_wallet.pk, 1000)
    fund_before = posted(coop.currency.aid_fund_id)
    terms = services.VoucherTerms(coop.org, coop.rosa, 600, coop.now + timedelta(days=2))
    voucher = services.voucher_fund(
        funder_id=school_wallet.pk, actor=coop.cass, terms=terms, now=coop.now
    )
    assert posted(school_wallet.pk) == 1200 - 600
    services.voucher_redeem(actor=coop.cass, coop=coop.org, code=voucher.code, amount=250)
    services.vouchers_expire(community=coop.community, now=voucher.expires_at)
    assert posted(school_wallet.pk) == 1200 - 250
    assert posted(coop.currency.aid_fund_id) == fund_before  # the aid fund was never involved
