"""The food co-op in a real browser against the served demo community (`coop.demo`): a member
orders from the open cycle and sees the total held on her wallet; co-op staff take her aid
voucher at the till by its code, without ever seeing her name."""

import re

import pytest

from mutua.web.tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_member_orders_and_the_coop_takes_her_voucher(browser, served_demo) -> None:  # type: ignore[no-untyped-def]
    member = browser.new_context(base_url=served_demo).new_page()
    sign_in(member, "member")
    member.wait_for_url("**/dashboard/member/")
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Food co-op").click()
    member.wait_for_url("**/coop/")
    code = member.get_by_test_id("voucher-code").first.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert member.get_by_test_id("solidarity").is_visible()
    member.get_by_role("link", name="Riverbend Food Co-op: Week 48").click()
    assert member.get_by_test_id("cycle-state").inner_text() == "open for orders"
    member.get_by_label("Units of Potatoes").fill("2")
    screenshot(member, "coop-cycle")
    member.get_by_role("button", name="Order and hold the total on my wallet").click()
    member.wait_for_url(re.compile(r".*/coop/orders/[0-9a-f-]{36}/$"))
    assert member.get_by_test_id("order-status").inner_text() == "Placed (paid by a hold)"
    assert member.get_by_test_id("order-total").inner_text() == "9.00"
    assert member.get_by_text("the aid fund pays 25 %").is_visible()
    screenshot(member, "coop-order")

    staff = browser.new_context(base_url=served_demo).new_page()
    sign_in(staff, "coop")
    staff.wait_for_url("**/dashboard/**")
    staff.goto("/coop/")
    staff.get_by_role("link", name="voucher desk").click()
    staff.get_by_label("Voucher code").fill(code.lower().replace("-", " "))
    staff.get_by_label("Amount to take").fill("5.00")
    staff.get_by_role("button", name="Take it").click()
    staff.wait_for_load_state()
    assert staff.get_by_text(f"5.00 taken from voucher {code}.").is_visible()
    assert staff.get_by_text("Rosa Delgado").count() == 0
    screenshot(staff, "coop-voucher-desk")
