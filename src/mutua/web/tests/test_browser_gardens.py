"""The community garden journey in a real browser against the served demo community.

Each main page is also held to WCAG 2.1 AA with axe-core, as `test_accessibility` holds the
others. The demo's Mill Street garden (`gardens.demo`) gives it its data: a plot map, a season, plot
holders and a waitlist. The `member` login (Rosa Delgado) has not applied yet: she joins the list,
the `steward` offers her a free plot, she accepts and pays the season's fee from her wallet, and
the steward logs a harvest that goes to the pantry, then reads the report.
"""

import re

import pytest

from mutua.web.tests.conftest import screenshot, sign_in
from mutua.web.tests.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser


def shown(page, visitor: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshot the page, and hold it to WCAG 2.1 AA as the accessibility suite does."""
    screenshot(page, name)
    path = "/" + page.url.split("//", 1)[-1].split("/", 1)[-1]
    found = axe_violations(page, visitor, path)
    if violations := found:
        pytest.fail(describe(violations, f"{name} as {visitor}"), pytrace=False)


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_url("**/")


def open_mill_street(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gardens").click()
    page.wait_for_url("**/gardens/")
    page.get_by_role("link", name="Mill Street Community Garden").click()
    page.wait_for_url(re.compile(r".*/gardens/[0-9a-f-]{36}/$"))


def test_a_member_applies_is_offered_a_plot_pays_and_the_harvest_feeds_the_pantry(page) -> None:
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    open_mill_street(page)
    assert page.get_by_role("img", name="Plot map of Mill Street Community Garden").is_visible()
    assert page.get_by_test_id("plot").count() == 16
    shown(page, "member", "gardens-garden")
    page.get_by_label("Our household has no garden of its own").check()
    page.get_by_role("button", name="Join the waitlist").click()
    page.wait_for_url("**/gardens/mine/")
    assert page.get_by_text("You are on the waitlist").is_visible()
    assert page.get_by_test_id("application-status").first.inner_text() == "Waiting"
    sign_out(page)

    sign_in(page, "steward")
    page.wait_for_url("**/dashboard/**")
    open_mill_street(page)
    page.get_by_role("link", name="Waitlist").click()
    page.wait_for_url("**/waitlist/")
    # Households without a garden go first: Rosa is in line, her name on the list.
    assert page.get_by_test_id("waitlist-row").filter(has_text="Rosa Delgado").count() == 1
    page.get_by_label("Offer to").select_option(label="Rosa Delgado")
    plot = page.get_by_role("combobox", name=re.compile(r"^Plot"))
    label = plot.locator("option").first.inner_text()
    shown(page, "steward", "gardens-waitlist")
    page.get_by_role("button", name="Offer the plot").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Plot {label} offered to Rosa Delgado.").is_visible()
    sign_out(page)

    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My garden plots").click()
    offer = page.get_by_test_id("offer")
    assert "15.00 local dollars from your wallet" in offer.inner_text()
    shown(page, "member", "gardens-offer")
    offer.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Plot {label} is yours this season.").is_visible()
    assert page.get_by_test_id("my-plot").filter(has_text=f"Plot {label}").count() == 1
    shown(page, "member", "gardens-mine")
    sign_out(page)

    sign_in(page, "steward")
    page.wait_for_url("**/dashboard/**")
    open_mill_street(page)
    page.get_by_role("link", name="Harvest log").click()
    page.get_by_label("Crop").select_option(label="Tomatoes")
    page.get_by_label("Weight (grams)").fill("1200")
    page.get_by_label("Give it to the pantry").check()
    page.get_by_role("button", name="Log it").click()
    page.wait_for_load_state()
    assert page.get_by_text("Logged, and 2 units went to the pantry.").is_visible()
    shown(page, "steward", "gardens-harvests")
    page.get_by_role("link", name="Work days").click()
    page.wait_for_url("**/workdays/")
    assert page.get_by_test_id("task-row").count() >= 3
    shown(page, "steward", "gardens-workdays")
    page.get_by_role("link", name="Report").click()
    page.wait_for_url("**/report/")
    assert page.get_by_role("img").count() >= 3
    shown(page, "steward", "gardens-report")
