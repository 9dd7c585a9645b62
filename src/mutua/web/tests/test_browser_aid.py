"""Mutual aid journeys in a real browser against the served demo community.

The demo's pantry (`aid.demo`) gives these journeys their data: stock on the shelves, new
requests waiting for a run, and a delivery route for the `volunteer` login. The second driver is
made here, through the pages, as a community admin would: the garden steward also volunteers at
the pantry for the length of one test, and gives the role back at the end.
"""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from mutua.web.tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_url("**/")


def test_a_household_member_asks_for_the_standard_box(page) -> None:
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ask for aid").click()
    page.wait_for_url("**/aid/requests/new/")
    assert page.get_by_label("The standard box").is_checked()
    page.get_by_label("Pick-up or delivery").select_option("pick_up")
    page.get_by_label("Anything we should know (optional)").fill("Mornings are best.")
    screenshot(page, "aid-ask")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/aid/requests/mine/")
    assert page.get_by_text(re.compile(r"Request #\d+ for Delgado household is in")).is_visible()
    newest = page.locator("main section").first
    assert newest.get_by_test_id("request-status").inner_text() == "New"
    assert newest.get_by_text("Mornings are best.").is_visible()
    screenshot(page, "aid-my-requests")


def test_a_coordinator_previews_and_commits_an_allocation(page) -> None:
    sign_in(page, "coordinator")
    page.wait_for_url("**/dashboard/coordinator/")
    screenshot(page, "aid-coordinator-dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Allocation").click()
    page.wait_for_url("**/aid/runs/")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Pick-up date").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Preview the allocation").click()
    page.wait_for_url(re.compile(r".*/aid/runs/[0-9a-f-]{36}/$"))
    assert page.get_by_test_id("run-status").inner_text() == "Preview"
    rows = page.get_by_test_id("run-row")
    assert rows.count() >= 1
    assert re.search(r"#\d+", rows.first.inner_text())
    assert re.search(r"\d+%", rows.first.inner_text())
    screenshot(page, "aid-run-preview")
    page.get_by_role("button", name="Commit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("run-status").inner_text() == "Committed"
    page.get_by_role("link", name="Print the pick lists").click()
    page.wait_for_url("**/pick-lists/")
    assert page.locator("main section").count() >= 1
    screenshot(page, "aid-pick-lists")


@pytest.fixture
def second_driver(browser, served_demo) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The garden steward volunteers at the pantry too, for one test (granted by the admin)."""
    context = browser.new_context(base_url=served_demo)
    admin = context.new_page()
    sign_in(admin, "admin")
    admin.wait_for_url("**/dashboard/**")
    admin.goto("/community/members/steward/")
    admin.get_by_role("combobox", name="Role").select_option("volunteer")
    admin.get_by_role("combobox", name="Organization").select_option(label="Riverbend Mutual Aid")
    admin.get_by_role("button", name="Give the role").click()
    admin.wait_for_load_state()
    try:
        yield "steward"
    finally:
        admin.goto("/community/members/steward/")
        admin.get_by_role("button", name="Remove the role Volunteer").click()
        admin.wait_for_load_state()
        context.close()


def test_a_driver_delivers_and_another_driver_cannot_see_the_route(page, second_driver) -> None:
    sign_in(page, "volunteer")
    page.wait_for_url("**/dashboard/volunteer/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My routes").click()
    page.locator("main a[href^='/aid/routes/']").first.click()
    page.wait_for_url(re.compile(r".*/aid/routes/[0-9a-f-]{36}/$"))
    route_url = page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("My route")
    assert page.get_by_role("img", name=re.compile("Drawing of the route")).is_visible()
    addresses = page.get_by_test_id("address")
    assert addresses.count() >= 1 and "Riverbend" in addresses.first.inner_text()
    screenshot(page, "aid-my-route")
    button = page.get_by_role("button", name=re.compile(r"Stop \d+ delivered")).first
    stop = re.search(r"Stop (\d+)", button.inner_text()).group(1)  # type: ignore[union-attr]
    button.click()
    page.wait_for_url(route_url)
    assert page.get_by_text(f"Stop {stop} delivered.").is_visible()
    assert page.get_by_role("button", name=f"Stop {stop} delivered", exact=True).count() == 0
    screenshot(page, "aid-my-route-delivered")
    sign_out(page)

    sign_in(page, second_driver)
    page.wait_for_url("**/dashboard/volunteer/")
    response = page.goto(route_url)
    assert response.status == 404
    assert "Riverbend" not in page.locator("main").inner_text()
    screenshot(page, "aid-route-other-driver")


def test_the_coordinator_sees_routes_with_cross_streets_only(page) -> None:
    sign_in(page, "coordinator")
    page.wait_for_url("**/dashboard/coordinator/")
    page.goto("/aid/routes/")
    page.locator("main table a[href^='/aid/routes/']").first.click()
    assert page.get_by_text("Only the driver sees the addresses").is_visible()
    assert page.get_by_test_id("address").count() == 0
    assert page.locator("main svg").count() == 0
    screenshot(page, "aid-route-coordinator")
    page.goto("/aid/report/")
    assert page.get_by_role("img").count() >= 5
    screenshot(page, "aid-report")
    page.goto("/aid/stock/")
    screenshot(page, "aid-stock")
