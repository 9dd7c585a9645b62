"""User journeys in a real browser against the served demo community."""

import re

import pytest

from mutua.web.tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

LOGINS = [
    ("member", "member", "Member"),
    ("volunteer", "volunteer", "Volunteer"),
    ("coordinator", "coordinator", "Aid coordinator"),
    ("coop", "coop_staff", "Co-op staff"),
    ("steward", "garden_steward", "Garden steward"),
    ("educator", "educator", "Educator"),
    ("officer", "cu_officer", "Credit union officer"),
    ("artist", "artist", "Artist"),
    ("investor", "investor", "Investor"),
    ("clt", "clt_steward", "CLT steward"),
    ("merchant", "merchant", "Merchant"),
    ("admin", "admin", "Community admin"),
]


@pytest.mark.parametrize(("handle", "role", "label"), LOGINS)
def test_every_demo_login_reaches_its_dashboard(page, handle, role, label) -> None:
    sign_in(page, handle)
    page.wait_for_url(f"**/dashboard/{role}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"{label} dashboard"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name=label).count() >= 1
    screenshot(page, f"dashboard-{role}")


def test_the_operator_reaches_the_django_admin(page) -> None:
    sign_in(page, "operator")
    page.wait_for_url("**/admin/")
    assert "Mutua operator admin" in page.content()


def test_a_member_cannot_open_a_coordinator_page(page) -> None:
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    response = page.goto("/dashboard/coordinator/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot open this page"
    screenshot(page, "forbidden")


def test_a_wrong_password_says_so(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Handle").fill("member")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("do not match").is_visible()


def test_switching_to_spanish(page) -> None:
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Tu hogar").is_visible()
    screenshot(page, "dashboard-member-es")
    # Back to English: the switch is remembered for the member, and other journeys read English.
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_coordinator_sees_a_households_needs_on_a_phone(browser, served_demo) -> None:
    context = browser.new_context(base_url=served_demo, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, "coordinator")
    page.wait_for_url("**/dashboard/coordinator/")
    page.goto("/community/households/")
    page.locator("table").get_by_role("link").first.click()
    assert page.get_by_role("heading", name=re.compile("Private needs")).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "household-phone")
    context.close()


def test_a_member_reads_her_wallet_and_statement(page) -> None:
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    page.locator("nav a[href='/ledger/accounts/']").click()
    page.locator("table").get_by_role("link").first.click()
    page.wait_for_url("**/ledger/accounts/*/")
    assert page.get_by_role("heading", name="Statement").is_visible()
    assert page.locator("tbody tr").count() >= 1
    screenshot(page, "account")
    with page.expect_download() as download:
        page.locator("button[name=format][value=csv]").click()
    assert download.value.suggested_filename.startswith("statement-")
