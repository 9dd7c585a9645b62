"""Workshop journeys in a real browser against the served demo community.

The demo's month of workshops (`learning.demo`) gives these journeys their data: upcoming sessions
with seats left, a full session with a waitlist, and yesterday's cooking session whose attendance
sheet the `educator` login has not filled in yet.
"""

import re

import pytest

from mutua.web.tests.conftest import screenshot, sign_in
from mutua.web.tests.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser


def shown(page, name: str, visitor: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshot the page, and hold it to WCAG 2.1 AA as `test_accessibility` does."""
    screenshot(page, name)
    violations = axe_violations(page, visitor, name)
    assert not violations, describe(violations, name)


def test_a_member_registers_with_her_child_and_finds_it_in_her_workshops(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    main_menu = page.get_by_role("navigation", name="Main")
    main_menu.get_by_role("link", name="Workshops", exact=True).click()
    page.wait_for_url("**/learning/")
    shown(page, "learning-programs", "member")
    coming = page.get_by_role("region", name="Coming up")
    coming.get_by_role("link", name="Seed to supper").first.click()
    page.wait_for_url(re.compile(r".*/learning/sessions/[0-9a-f-]{36}/$"))
    left_before = page.get_by_test_id("seats-left").inner_text()
    page.get_by_label("How many people (you and your children)").fill("2")
    page.get_by_label("Who is coming (optional)").fill("Rosa and Lucía (9)")
    shown(page, "learning-session", "member")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_text("You are registered. See you there!").is_visible()
    assert page.get_by_test_id("my-status").inner_text() == "You are registered (2 seats)."
    assert page.get_by_test_id("seats-left").inner_text() != left_before

    workshops_menu = page.get_by_role("navigation", name="Workshops")
    workshops_menu.get_by_role("link", name="My workshops").click()
    page.wait_for_url("**/learning/mine/")
    mine = page.get_by_test_id("my-workshop").filter(has_text="Seed to supper")
    assert mine.count() >= 1
    assert "webcal" not in page.get_by_test_id("feed-mine").input_value()
    assert page.get_by_test_id("feed-mine").input_value().endswith("/mine.ics")
    shown(page, "learning-mine", "member")
    page.get_by_role("navigation", name="Workshops").get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/learning/calendar/")
    assert page.get_by_test_id("calendar-session").count() >= 4
    shown(page, "learning-calendar", "member")


def test_the_educator_checks_people_in_and_the_credit_is_paid(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "educator")
    page.wait_for_url("**/dashboard/**")
    main_menu = page.get_by_role("navigation", name="Main")
    main_menu.get_by_role("link", name="Workshops", exact=True).click()
    page.wait_for_url("**/learning/")
    page.get_by_test_id("recent-session").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/learning/sessions/[0-9a-f-]{36}/attendance/$"))
    assert page.get_by_test_id("present").inner_text() == "0"
    shown(page, "learning-attendance", "educator")
    rows = page.get_by_test_id("roster-row")
    assert rows.count() >= 2
    button = rows.first.get_by_role("button", name=re.compile(r"^Check in "))
    name = button.inner_text().removeprefix("Check in ")
    button.click()
    page.wait_for_load_state()
    assert page.get_by_text(f"{name} is checked in.").is_visible()
    assert page.get_by_test_id("present").inner_text() != "0"
    assert rows.first.get_by_text("2.00 paid").is_visible()
    shown(page, "learning-attendance-checked-in", "educator")
