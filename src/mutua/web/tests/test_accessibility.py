"""Accessibility: axe-core's WCAG 2.0 and 2.1 A and AA rules on every page of the web shell.

axe-core comes bundled in `axe-playwright-python`, so nothing is downloaded at run time. Each
visitor (a signed-in role, or nobody, at a desktop or a phone viewport) gets one browser context
for the whole module and signs in once; each page, and each form showing its errors, is then one
test, so a failure names the page and lists every violation with the elements to fix. A rule is
never switched off for the whole site: a known violation is excused for one page only, in
`KNOWN_VIOLATIONS`, with the reason.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from mutua.web.tests.conftest import sign_in

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations", "incomplete"],
}
# axe only asks for a review when an ARIA attribute names an id missing from the page, in case a
# script adds it later. Mutua's pages are whole when the server sends them: a dangling id is a bug.
FAIL_WHEN_INCOMPLETE = {"aria-valid-attr-value"}
VIEWPORTS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 390, "height": 844}}
HOUSEHOLD = "{household}"  # stands for the first household in the coordinator's list
ACCOUNT = "{account}"  # stands for the first account in the visitor's list of accounts
ROUTE = "{route}"  # stands for the first of the visitor's own delivery routes
RUN = "{run}"  # stands for the latest allocation run
CYCLE = "{cycle}"  # stands for the co-op's open order cycle
ORDER = "{order}"  # stands for the visitor's latest co-op order
PROGRAM = "{program}"  # stands for the first workshop program listed
# placeholder -> (the page that lists them, the start of their links)
FIRST_LINKS = {
    ROUTE: ("/aid/routes/mine/", "/aid/routes/"),
    RUN: ("/aid/runs/", "/aid/runs/"),
    CYCLE: ("/coop/", "/coop/cycles/"),
    ORDER: ("/coop/", "/coop/orders/"),
    PROGRAM: ("/learning/", "/learning/programs/"),
}

# (visitor, path, rule id) -> why it is excused. Only for violations that sit in a template this
# module's authors may not change; each names the template so its owner can fix it and remove it.
KNOWN_VIOLATIONS: dict[tuple[str, str, str], str] = {}

# A visitor is a demo handle, or "anonymous", optionally followed by "@phone".
PAGES = [
    pytest.param("anonymous", "/", 200, id="home"),
    pytest.param("anonymous", "/accounts/login/", 200, id="sign-in"),
    pytest.param("anonymous", "/accounts/password_reset/", 200, id="password-reset"),
    pytest.param("anonymous", "/no-such-page/", 404, id="not-found"),
    pytest.param("anonymous", "/c/riverbend/join/", 200, id="ask-to-join"),
    pytest.param("member", "/dashboard/member/", 200, id="member-dashboard"),
    pytest.param("coordinator", "/dashboard/coordinator/", 200, id="coordinator-dashboard"),
    pytest.param("admin", "/dashboard/admin/", 200, id="admin-dashboard"),
    pytest.param("volunteer", "/dashboard/volunteer/", 200, id="team-dashboard"),
    pytest.param("artist", "/dashboard/artist/", 200, id="land-trusts-dashboard"),
    pytest.param("member", "/community/members/", 200, id="members"),
    pytest.param("admin", "/community/members/member/", 200, id="member-roles"),
    pytest.param("member", "/community/organizations/", 200, id="organizations"),
    pytest.param("coordinator", "/community/households/", 200, id="households"),
    pytest.param("coordinator", "/community/households/new/", 200, id="household-form"),
    pytest.param("coordinator", f"/community/households/{HOUSEHOLD}/", 200, id="household"),
    pytest.param("coordinator", f"/community/households/{HOUSEHOLD}/needs/", 200, id="needs-form"),
    pytest.param("coordinator", "/community/invitations/", 200, id="invitations"),
    pytest.param("coordinator", "/community/join-requests/", 200, id="join-requests"),
    pytest.param("admin", "/community/audit/", 200, id="audit-log"),
    pytest.param("member", "/community/profile/", 200, id="profile"),
    pytest.param("member", "/ledger/accounts/", 200, id="accounts"),
    pytest.param("member", f"/ledger/accounts/{ACCOUNT}/", 200, id="account"),
    pytest.param("officer", "/ledger/accounts/", 200, id="accounts-officer"),
    pytest.param("member@phone", f"/ledger/accounts/{ACCOUNT}/", 200, id="account-phone"),
    pytest.param("member@phone", "/dashboard/member/", 200, id="member-dashboard-phone"),
    pytest.param("member@phone", "/currency/wallet/", 200, id="wallet-phone"),
    pytest.param("member", "/currency/wallet/", 200, id="wallet"),
    pytest.param("member", "/pay/bluebird-bakery/?amount=2.50", 200, id="pay-link"),
    pytest.param("merchant", "/currency/qr/bluebird-bakery/", 200, id="qr"),
    pytest.param("officer", "/currency/desk/", 200, id="desk"),
    pytest.param("officer", "/currency/report/", 200, id="currency-report"),
    pytest.param("anonymous", "/c/riverbend/transparency/", 200, id="transparency"),
    pytest.param("anonymous@phone", "/c/riverbend/transparency/", 200, id="transparency-phone"),
    pytest.param(
        "coordinator@phone", f"/community/households/{HOUSEHOLD}/", 200, id="household-phone"
    ),
    pytest.param("coordinator", "/aid/stock/", 200, id="aid-stock"),
    pytest.param("coordinator", "/aid/intake/", 200, id="aid-intake"),
    pytest.param("coordinator", "/aid/requests/", 200, id="aid-requests"),
    pytest.param("coordinator", "/aid/runs/", 200, id="aid-runs"),
    pytest.param("coordinator", f"/aid/runs/{RUN}/", 200, id="aid-run"),
    pytest.param("coordinator", "/aid/routes/", 200, id="aid-routes"),
    pytest.param("coordinator", "/aid/report/", 200, id="aid-report"),
    pytest.param("coordinator", "/aid/offers/", 200, id="aid-offers"),
    pytest.param("volunteer", "/aid/pickups/", 200, id="aid-pickups"),
    pytest.param("volunteer", "/aid/shifts/", 200, id="aid-shifts"),
    pytest.param("volunteer", "/aid/requests/phone/", 200, id="aid-phone-request"),
    pytest.param("volunteer", f"/aid/routes/{ROUTE}/", 200, id="aid-my-route"),
    pytest.param("volunteer@phone", f"/aid/routes/{ROUTE}/", 200, id="aid-my-route-phone"),
    pytest.param("member", "/aid/requests/new/", 200, id="aid-ask"),
    pytest.param("member@phone", "/aid/requests/new/", 200, id="aid-ask-phone"),
    pytest.param("member", "/aid/requests/mine/", 200, id="aid-my-requests"),
    pytest.param("member", "/coop/", 200, id="coop-home"),
    pytest.param("member", f"/coop/cycles/{CYCLE}/", 200, id="coop-cycle"),
    pytest.param("member@phone", f"/coop/cycles/{CYCLE}/", 200, id="coop-cycle-phone"),
    pytest.param("member", f"/coop/orders/{ORDER}/", 200, id="coop-order"),
    pytest.param("coop", f"/coop/cycles/{CYCLE}/", 200, id="coop-cycle-staff"),
    pytest.param("coordinator", "/coop/aid/", 200, id="coop-aid"),
    pytest.param("member", "/gardens/", 200, id="gardens"),
    pytest.param("member", "/gardens/mine/", 200, id="gardens-mine"),
    pytest.param("member", "/learning/", 200, id="learning"),
    pytest.param("member", f"/learning/programs/{PROGRAM}/", 200, id="learning-program"),
    pytest.param("member", "/learning/mine/", 200, id="learning-mine"),
    pytest.param("member", "/learning/calendar/", 200, id="learning-calendar"),
    pytest.param("member@phone", "/learning/calendar/", 200, id="learning-calendar-phone"),
]

# Submitted as they stand, with these fields filled in by label, each form shows its errors.
FORMS_WITH_ERRORS = [
    pytest.param(
        "anonymous",
        "/accounts/login/",
        {"Handle": "nobody-here", "Password": "not the password"},
        id="sign-in-error",
    ),
    pytest.param("anonymous", "/c/riverbend/join/", {}, id="ask-to-join-errors"),
    pytest.param("member", "/pay/bluebird-bakery/", {"Amount": "-1"}, id="pay-link-errors"),
    pytest.param("coordinator", "/aid/runs/", {"Pick-up date": ""}, id="aid-run-errors"),
    pytest.param("member", "/aid/offers/", {}, id="aid-offer-errors"),
]

AXE = Axe()


def axe_violations(page, visitor: str, path: str) -> list[dict[str, Any]]:
    """The page's WCAG violations, less those excused in `KNOWN_VIOLATIONS`."""
    results = AXE.run(page, options=AXE_OPTIONS).response
    found = results["violations"] + [
        r for r in results["incomplete"] if r["id"] in FAIL_WHEN_INCOMPLETE
    ]
    return [v for v in found if (visitor, path, v["id"]) not in KNOWN_VIOLATIONS]


def describe(violations: list[dict[str, Any]], where: str) -> str:
    """One paragraph per violation: rule, impact, what it asks, and the first elements at fault."""
    lines = [f"{where}: {len(violations)} accessibility violation(s)"]
    for v in violations:
        nodes = v["nodes"]
        targets = [" ".join(map(str, node["target"])) for node in nodes[:3]]
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        lines.append(f"    at: {' | '.join(targets)}{more}")
        if nodes and nodes[0].get("failureSummary"):
            lines.append("    " + nodes[0]["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_meets_wcag(page, visitor: str, path: str, where: str) -> None:
    if violations := axe_violations(page, visitor, path):
        pytest.fail(describe(violations, where), pytrace=False)


@pytest.fixture(scope="module")
def visitor_context(browser, served_demo) -> Iterator[Callable[[str], Any]]:
    """One browser context per visitor, signed in on first use and kept for the module."""
    contexts: dict[str, Any] = {}

    def context_for(visitor: str) -> Any:
        if visitor not in contexts:
            handle, _, device = visitor.partition("@")
            viewport = VIEWPORTS[device or "desktop"]
            context = browser.new_context(base_url=served_demo, viewport=viewport)
            context.set_default_timeout(15_000)
            if handle != "anonymous":
                page = context.new_page()
                sign_in(page, handle)
                page.wait_for_url("**/dashboard/**")
                page.close()
            contexts[visitor] = context
        return contexts[visitor]

    yield context_for
    for context in contexts.values():
        context.close()


@pytest.fixture
def visitor_page(visitor_context, visitor):
    page = visitor_context(visitor).new_page()
    yield page
    page.close()


def first_household_id(page) -> str:
    page.goto("/community/households/")
    href = page.locator("table a[href^='/community/households/']").first.get_attribute("href")
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def first_account_id(page) -> str:
    page.goto("/ledger/accounts/")
    href = page.locator("table a[href^='/ledger/accounts/']").first.get_attribute("href")
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def first_link_id(page, listing: str, prefix: str) -> str:
    page.goto(listing)
    href = page.locator(f"main a[href^='{prefix}']").first.get_attribute("href")
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def choose_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator(".language button[type=submit]").click()
    page.locator(f"html[lang={code}]").wait_for(state="attached")


@pytest.mark.parametrize(("visitor", "path", "status"), PAGES)
def test_the_page_meets_wcag_aa(visitor_page, visitor, path, status) -> None:
    url = path.replace(HOUSEHOLD, first_household_id(visitor_page)) if HOUSEHOLD in path else path
    url = url.replace(ACCOUNT, first_account_id(visitor_page)) if ACCOUNT in url else url
    for placeholder, (listing, prefix) in FIRST_LINKS.items():
        if placeholder in url:
            url = url.replace(placeholder, first_link_id(visitor_page, listing, prefix))
    response = visitor_page.goto(url)
    assert response.status == status, f"{url} as {visitor} answered {response.status}"
    assert_meets_wcag(visitor_page, visitor, path, f"{url} as {visitor}")


@pytest.mark.parametrize(("visitor", "path", "fields"), FORMS_WITH_ERRORS)
def test_a_form_showing_its_errors_meets_wcag_aa(visitor_page, visitor, path, fields) -> None:
    visitor_page.goto(path)
    for label, value in fields.items():
        visitor_page.get_by_label(label).fill(value)
    visitor_page.locator("main form button[type=submit]").click()
    visitor_page.locator("main .form-errors, main .error").first.wait_for()
    assert_meets_wcag(visitor_page, visitor, path, f"{path} showing its errors")


def test_the_spanish_member_dashboard_meets_wcag_aa(browser, served_demo) -> None:
    context = browser.new_context(base_url=served_demo, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    try:
        choose_language(page, "es")
        violations = axe_violations(page, "member", "/dashboard/member/")
    finally:
        # The language form also saves the member's preference; the other tests expect English.
        choose_language(page, "en")
        context.close()
    if violations:
        pytest.fail(describe(violations, "/dashboard/member/ in Spanish as member"), pytrace=False)
