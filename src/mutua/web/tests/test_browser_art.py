"""Art for land in a real browser, the whole story, against the served demo community
(`art.demo`): the artist registers a work in her studio, uploads its photo, publishes it and
hands it to the land trust's steward, who confirms; the investor buys an edition (the chain mints
it when the sale commits, in the serving worker's in-process chain), lists it, and the collector
buys it from him. The trust's public page then shows what it has received, to the cent the sum of
the ledger's `art_trust_payout` transfers into its wallet, read from the served database.

The gallery, the artwork and the trust page are held to WCAG 2.1 AA with axe-core and saved as
screenshots.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mutua.art.tests.conftest import png_bytes
from mutua.core.tests.databases import run_mutua
from mutua.web.tests.conftest import screenshot, sign_in
from mutua.web.tests.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

TRUST = "Riverbend Community Land Trust"
# What the ledger paid into the trust's wallet from art sales, in local cents.
PAYOUTS = """
from django.db.models import Sum
from mutua.art.models import LandTrust
from mutua.core.tenancy import scopes_disabled
from mutua.currency.selectors import currency_of, wallet_of
from mutua.ledger.models import Transfer
with scopes_disabled():
    trust = LandTrust.objects.select_related("organization__community").get()
    wallet = wallet_of(currency=currency_of(trust.organization.community),
                       organization=trust.organization)
    print(Transfer.objects.filter(credit_account=wallet, code="art_trust_payout")
          .aggregate(total=Sum("amount"))["total"])
"""


@pytest.fixture
def people(browser, served_demo):  # type: ignore[no-untyped-def]
    """A signed-in browser page for each demo login, by handle ("" for a visitor)."""
    contexts: list[Any] = []

    def signed_in(handle: str) -> Any:
        context = browser.new_context(base_url=served_demo, viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if handle:
            sign_in(page, handle)
            page.wait_for_url("**/dashboard/**")
        return page

    yield signed_in
    for context in contexts:
        context.close()


def shown(page: Any, name: str) -> Path:
    """Save a screenshot of the page and hold it to WCAG 2.1 AA."""
    path = screenshot(page, f"art-{name}")
    route = "/" + page.url.split("//", 1)[-1].split("/", 1)[-1]
    if violations := axe_violations(page, "art", route):
        pytest.fail(describe(violations, name), pytrace=False)
    return path


def message(page: Any) -> str:
    return str(page.locator(".messages").inner_text())


def test_a_work_is_registered_handed_to_the_trust_sold_and_resold(people, served_demo_env) -> None:  # type: ignore[no-untyped-def]
    ada = people("artist")
    ada.get_by_role("link", name="My studio").click()
    ada.wait_for_url("**/art/studio/")
    form = ada.get_by_role("region", name="Register a work")
    for label, value in {
        "Title": "Heron at Dawn",
        "Type of object": "watercolour",
        "Maker": "Imani Clarke",
        "Date or period": "2026",
        "Materials and techniques": "watercolour on cotton paper",
        "Measurements": "30 x 40 cm",
        "Editions": "4",
        "Price of an edition (local dollars)": "250.00",
        "Artist's part of a first sale (%)": "60",
        "Resale royalty (%, on a resale price)": "10",
    }.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Register the work").click()
    ada.wait_for_url(re.compile(r".*/art/studio/#work-[0-9a-f-]{36}$"))
    assert "Heron at Dawn is registered" in message(ada)
    work = ada.locator("article", has=ada.get_by_role("link", name="Heron at Dawn"))
    work.get_by_label("Photo (JPEG, PNG or WebP, 8 MB at most)").set_input_files(
        files=[
            {"name": "heron.png", "mimeType": "image/png", "buffer": png_bytes((40, 90, 120), 240)}
        ]
    )
    work.get_by_label("Caption (optional)").fill("the whole sheet")
    work.get_by_role("button", name="Upload the photo").click()
    ada.wait_for_load_state()
    assert "Photo added" in message(ada)
    work.get_by_role("button", name="Publish Heron at Dawn").click()
    ada.wait_for_load_state()
    assert "Heron at Dawn is in the gallery" in message(ada)

    work.get_by_text("Hand the work over").click()
    work.get_by_label("Hand it to (their handle)").fill("clt")
    work.get_by_label("On behalf of (optional)").select_option(label=TRUST)
    work.get_by_label("Where").fill("Riverbend CLT office")
    work.get_by_label("When").fill("2026-05-04T10:30")
    work.get_by_label("The work's condition").fill("excellent, unframed")
    work.get_by_role("button", name="Record the hand-off").click()
    ada.wait_for_load_state()
    assert "it counts once" in message(ada)
    shown(ada, "studio")

    ruth = people("clt")
    ruth.goto("/art/mine/")
    # The demo left one hand-off of its own waiting for her too.
    assert ruth.get_by_test_id("handoff-waiting").count() == 2
    shown(ruth, "mine")
    ruth.get_by_test_id("handoff-waiting").filter(has_text="Heron at Dawn").get_by_role(
        "button", name="Confirm the hand-off"
    ).click()
    ruth.wait_for_load_state()
    assert "Hand-off confirmed" in message(ruth)

    ivan = people("investor")
    ivan.get_by_role("navigation", name="Main").get_by_role("link", name="Art for land").click()
    ivan.wait_for_url("**/art/c/riverbend/")
    ivan.get_by_role("link", name="Heron at Dawn").click()
    ivan.wait_for_url(re.compile(r".*/art/c/riverbend/works/[0-9a-f-]{36}/$"))
    work_url = ivan.url
    ivan.get_by_role("button", name="Buy edition 1 for 250.00").click()
    ivan.wait_for_load_state()
    assert f"Edition 1 is yours: 150.00 to the artist, 100.00 to {TRUST}." in message(ivan)
    # The mint ran on the sale's commit, in the server's thread, before the page came back.
    edition = ivan.get_by_test_id("edition-1")
    assert re.fullmatch(r"minted: token #\d+", edition.get_by_test_id("chain-state").inner_text())
    edition.get_by_label("Asking price for edition 1 (local dollars)").fill("400")
    edition.get_by_role("button", name="List for sale").click()
    ivan.wait_for_load_state()
    assert "Edition 1 is for sale at 400.00." in message(ivan)

    bea = people("collector")
    bea.goto(work_url)
    bea.get_by_role("button", name="Buy edition 1 for 400.00").click()
    bea.wait_for_load_state()
    # 10 % of 400.00 is 40.00; the credit union's 20 % of it, 8.00, goes on to the trust.
    assert f"8.00 of its royalty goes to {TRUST}" in message(bea)
    row = bea.get_by_test_id("edition-1")
    assert row.get_by_role("cell").first.inner_text() == "Noor Haddad"
    assert "minted: token #" in row.get_by_test_id("chain-state").inner_text()
    assert bea.get_by_test_id("custodian").inner_text() == f"Ruth Abernathy, for {TRUST}"
    assert bea.get_by_test_id("provenance-verified").is_visible()
    shown(bea, "artwork")

    visitor = people("")
    visitor.goto("/art/c/riverbend/")
    assert visitor.get_by_test_id("artwork-card").count() == 7  # the demo's six and this one
    shown(visitor, "gallery")
    visitor.get_by_role("link", name=TRUST).first.click()
    visitor.wait_for_url(re.compile(r".*/art/c/riverbend/trusts/[0-9a-f-]{36}/$"))
    raised = Decimal(visitor.get_by_test_id("trust-raised").inner_text().replace(",", ""))
    payouts = int(run_mutua("shell", "-c", PAYOUTS, env=served_demo_env).split()[-1])
    assert raised == Decimal(payouts).scaleb(-2)
    shown(visitor, "trust")
