"""Local-dollar journeys in a real browser against the served demo community."""

import re

import pytest

from mutua.web.tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_member_pays_the_bakery_by_its_qr_link(page) -> None:
    sign_in(page, "merchant")
    page.wait_for_url("**/dashboard/merchant/")
    page.goto("/currency/qr/bluebird-bakery/?amount=2.50")
    pay_link = page.locator("a.pay-link").get_attribute("href")
    assert pay_link is not None and pay_link.endswith("/pay/bluebird-bakery/?amount=2.50")
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "currency-qr")
    page.get_by_role("button", name=re.compile("Sign out")).click()

    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    page.goto(pay_link)
    assert page.get_by_role("heading", level=1).inner_text() == "Pay Bluebird Bakery"
    assert page.get_by_label("Amount").input_value() == "2.50"
    page.get_by_label("What for (optional)").fill("Two bagels")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url("**/currency/receipts/**")
    assert page.get_by_test_id("receipt-amount").inner_text().startswith("2.50")
    assert page.get_by_text("Bluebird Bakery").is_visible()
    screenshot(page, "currency-receipt")


def test_an_officer_exchanges_dollars_in_and_sees_the_ratio_move(page) -> None:
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard/cu_officer/")
    page.goto("/currency/desk/")
    before = page.get_by_test_id("backing").inner_text()
    form = page.locator("form", has=page.get_by_role("button", name="Record and issue"))
    form.get_by_label("Wallet").fill("member")
    form.get_by_label("Dollars received").fill("1900.00")
    form.get_by_role("button", name="Record and issue").click()
    page.wait_for_url("**/currency/desk/")
    assert page.get_by_text("issued 2,000.00 local dollars").is_visible()
    after = page.get_by_test_id("backing").inner_text()
    assert after != before, (before, after)
    screenshot(page, "currency-desk")


def test_the_public_page_shows_the_charts_without_signing_in(page) -> None:
    page.goto("/c/riverbend/transparency/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Riverbend")
    assert page.get_by_role("img").count() >= 3  # the SVG charts
    assert page.get_by_test_id("lm3").inner_text() != "—"
    fingerprints = page.get_by_role("region", name="Published fingerprints of the books")
    assert fingerprints.get_by_role("row").count() > 1
    screenshot(page, "currency-transparency")
