"""Local-dollar pages: the wallet, pay links and receipts, the desk, the report, the public page."""

import re

import pytest

from mutua.core.tenancy import community_scope
from mutua.currency.models import CreditLimitChange, Exchange
from mutua.ledger.models import Transfer

pytestmark = pytest.mark.django_db


def _once(content: bytes, prefix: str = "pay") -> str:
    found = re.search(rf'name="{prefix}-once" value="([0-9a-f-]+)"'.encode(), content)
    assert found, "the form carries its id"
    return found.group(1).decode()


def test_ana_pays_the_bakery_from_her_wallet_and_gets_a_receipt(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    client.force_login(town.ana)
    page = client.get("/currency/wallet/")
    assert page.status_code == 200 and b"20.00" in page.content
    form = {
        "action": "pay",
        "pay-once": _once(page.content),
        "pay-to": "bakery",
        "pay-amount": "12.50",
        "pay-memo": "Sourdough",
    }
    paid = client.post("/currency/wallet/", form)
    assert paid.status_code == 302 and "/currency/receipts/" in paid["Location"]
    again = client.post("/currency/wallet/", form)  # a double click pays once
    assert again["Location"] == paid["Location"]
    receipt = client.get(paid["Location"])
    assert b"12.50" in receipt.content and b"Bluebird Bakery" in receipt.content
    with community_scope(town.community.id):
        assert town.balance(town.ana_wallet) == 750
        assert Transfer.objects.filter(code="payment").count() == 1


@pytest.mark.parametrize(
    ("to", "amount", "message"),
    [
        ("bakery", "25.00", b"not enough money"),
        ("ana", "1.00", b"cannot pay yourself"),
        ("nobody", "1.00", b"No one here"),
        ("bakery", "-3", b"more than zero"),
        ("bakery", "1.005", b"like 12.50"),
        ("bakery", "twelve", b"like 12.50"),
    ],
)
def test_a_bad_payment_shows_why_and_moves_nothing(client, town, to, amount, message) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    client.force_login(town.ana)
    page = client.get("/currency/wallet/")
    form = {"action": "pay", "pay-once": _once(page.content), "pay-to": to, "pay-amount": amount}
    refused = client.post("/currency/wallet/", form)
    assert refused.status_code == 422 and message in refused.content
    with community_scope(town.community.id):
        assert town.balance(town.ana_wallet) == 2_000


def test_a_pay_link_with_an_amount_pays_the_merchant(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    client.force_login(town.ana)
    page = client.get("/pay/bakery/?amount=4.75&memo=Bagels")
    assert page.status_code == 200 and b"Bluebird Bakery" in page.content
    assert b'value="4.75"' in page.content
    found = re.search(rb'name="once" value="([0-9a-f-]+)"', page.content)
    assert found
    paid = client.post(
        "/pay/bakery/", {"once": found.group(1).decode(), "to": "bakery", "amount": "4.75"}
    )
    assert paid.status_code == 302
    with community_scope(town.community.id):
        assert town.balance(town.bakery_wallet) == 475


def test_the_merchant_prints_a_qr_code_of_the_pay_link(client, town) -> None:
    client.force_login(town.carla)
    page = client.get("/currency/qr/bakery/?amount=3.00")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"/pay/bakery/?amount=3.00" in page.content


def test_a_receipt_is_for_the_payer_the_payee_and_officers_only(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    with community_scope(town.community.id):
        outcome = town.pay(town.ana, "bakery", 100)
    url = f"/currency/receipts/{outcome.id}/"
    for who, status in ((town.ana, 200), (town.carla, 200), (town.officer, 200), (town.ben, 404)):
        client.force_login(who)
        assert client.get(url).status_code == status, who.handle


def test_ben_asks_ana_and_she_pays_from_her_wallet(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    client.force_login(town.ben)
    asked = client.post(
        "/currency/wallet/", {"action": "ask", "ask-payer": "ana", "ask-amount": "3.00"}
    )
    assert asked.status_code == 302
    client.force_login(town.ana)
    page = client.get("/currency/wallet/")
    assert b"asks for" in page.content
    request_id = re.search(rb'name="request" value="([0-9a-f-]+)"', page.content).group(1)  # type: ignore[union-attr]
    paid = client.post("/currency/wallet/", {"action": "accept", "request": request_id.decode()})
    assert paid.status_code == 302 and "/currency/receipts/" in paid["Location"]
    with community_scope(town.community.id):
        assert town.balance(town.ben_wallet) == 300


def test_the_desk_is_for_officers(client, town) -> None:
    client.force_login(town.ana)
    assert client.get("/currency/desk/").status_code == 403
    assert client.get("/currency/report/").status_code == 403


def test_an_officer_exchanges_dollars_in_and_sees_the_backing(client, town) -> None:
    client.force_login(town.officer)
    page = client.get("/currency/desk/")
    assert page.status_code == 200
    once = _once(page.content, "in")
    done = client.post(
        "/currency/desk/",
        {"action": "exchange_in", "in-once": once, "in-wallet": "ana", "in-dollars": "95.00"},
    )
    assert done.status_code == 302
    page = client.get("/currency/desk/")
    assert b"95.00%" in page.content and b"100.00" in page.content
    with community_scope(town.community.id):
        assert Exchange.objects.count() == 1


def test_an_officer_sets_a_credit_line_with_a_reason(client, town) -> None:
    client.force_login(town.officer)
    done = client.post(
        "/currency/desk/",
        {
            "action": "credit_limit",
            "limit-wallet": "bakery",
            "limit-limit": "200.00",
            "limit-reason": "Spring stock",
        },
    )
    assert done.status_code == 302
    with community_scope(town.community.id):
        change = CreditLimitChange.objects.get()
    assert (change.new_limit, change.reason) == (20_000, "Spring stock")


def test_the_report_has_the_figures_and_charts(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    with community_scope(town.community.id):
        town.pay(town.ana, "bakery", 1_000)
    client.force_login(town.officer)
    page = client.get("/currency/report/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"20.00" in page.content and b"LM3" in page.content


def test_the_public_page_opens_without_signing_in(client, town) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    page = client.get("/c/riverbend/transparency/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"backing ratio" in page.content
    assert client.get("/c/nowhere/transparency/").status_code == 404


def test_an_officer_changes_the_settings_and_bad_values_change_nothing(client, town) -> None:
    client.force_login(town.officer)
    form = {
        "action": "settings",
        "settings-rate": "0.9",
        "settings-redemption_fee": "3",
        "settings-min_backing": "85",
        "settings-demurrage": "6",
        "settings-demurrage_exempt": "50",
        "settings-demurrage_fund": "aid_fund",
    }
    assert client.post("/currency/desk/", form).status_code == 302
    town.currency.refresh_from_db()
    assert (town.currency.rate_bps, town.currency.redemption_fee_bps) == (9_000, 300)
    assert (town.currency.demurrage_bps, town.currency.demurrage_exempt) == (600, 5_000)
    refused = client.post("/currency/desk/", {**form, "settings-redemption_fee": "100"})
    assert refused.status_code == 200 and b"under 100%" in refused.content
    town.currency.refresh_from_db()
    assert town.currency.redemption_fee_bps == 300
    client.force_login(town.carla)
    assert client.post("/currency/desk/", form).status_code == 403


def test_the_desk_previews_demurrage_and_refuses_a_month_not_over(client, town) -> None:
    town.currency.demurrage_bps = 1_200
    town.currency.save()
    client.force_login(town.officer)
    page = client.get("/currency/desk/?demurrage-month=2999-01")
    assert b"is not over" in page.content
    page = client.get("/currency/desk/?demurrage-month=2020-01")
    assert page.status_code == 200 and b"Nobody would pay anything." in page.content
