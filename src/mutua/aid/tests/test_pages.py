"""The mutual aid pages through Django's test client: who may open what, forms that refuse bad
input (400, nothing changes), the fence between communities, and drivers who see only their own
stops' addresses, and only until two days after delivery.

Runs are written as the allocator would store them (`stored_run`), so these tests read the pages,
not the allocator's decisions (those are `test_distribution`'s)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mutua.aid import selectors, services
from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    BoxLine,
    DeliveryRoute,
    DeliveryStop,
    HoursLog,
    Intake,
    Item,
    Location,
    Offer,
    Shift,
    StockCount,
    StockLevel,
    StockMovement,
)
from mutua.aid.services.distribution import line_label
from mutua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PEOPLE = {"cora": "cora", "dev": "dev", "gus": "gus", "rosa": "rivera_member"}


def person(pantry, who: str):
    return getattr(pantry, PEOPLE[who])


def wish(quantity, item=None, category=""):
    return services.LineWish(quantity=quantity, item=item, category=category)


def ask(pantry, household, *lines, fulfilment="pick_up"):
    return services.request_create(
        actor=pantry.cora, household=household, lines=list(lines), fulfilment=fulfilment
    )


def stored_run(pantry, request, lot, place, quantity, *, fill_rate=1.0) -> AllocationRun:
    """A preview as `services.run_preview` stores it: one request, one pick of `lot` in `place`."""
    return AllocationRun.objects.create(
        community=pantry.community,
        pickup=pantry.today,
        rule_version="test-1",
        inputs={},
        result={
            "requests": [
                {
                    "request": str(request.pk),
                    "tier": 1 if request.urgent else 2,
                    "fill_rate": fill_rate,
                    "picks": [
                        {
                            "line": line_label(request, 1),
                            "item": str(lot.item_id),
                            "lot": f"{lot.pk}@{place.pk}",
                            "quantity": quantity,
                        }
                    ],
                    "explanation": ["Urgent medical need: served in the first tier."],
                }
            ]
        },
        created_by=pantry.cora,
    )


def packed(pantry, household, *, fulfilment="pick_up", units=3):
    """A request of `household` for rice, allocated and packed."""
    lot = pantry.receive(pantry.rice, 10)
    request = ask(pantry, household, wish(units, pantry.rice), fulfilment=fulfilment)
    services.run_commit(
        actor=pantry.cora, run=stored_run(pantry, request, lot, pantry.shelf, units)
    )
    request.refresh_from_db()
    return request


def on_shelves(item) -> int:
    return sum(
        lv.on_hand
        for lv in StockLevel.objects.filter(lot__item=item).exclude(location__kind="held")
    )


# --- who may open what ---------------------------------------------------------------------------

ACCESS = [
    ("/aid/stock/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/intake/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/requests/", {"cora": 200, "dev": 403, "gus": 403, "rosa": 403}),
    ("/aid/requests/new/", {"rosa": 200, "dev": 302, "gus": 403}),
    ("/aid/requests/phone/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/requests/mine/", {"rosa": 200, "gus": 200}),
    ("/aid/offers/", {"cora": 200, "dev": 200, "gus": 200, "rosa": 200}),
    ("/aid/runs/", {"cora": 200, "dev": 403, "rosa": 403}),
    ("/aid/pickups/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/routes/", {"cora": 200, "dev": 403, "rosa": 403}),
    ("/aid/routes/mine/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/shifts/", {"cora": 200, "dev": 200, "gus": 403, "rosa": 403}),
    ("/aid/report/", {"cora": 200, "dev": 403, "gus": 403, "rosa": 403}),
]


@pytest.mark.parametrize(("path", "expected"), ACCESS, ids=[a[0] for a in ACCESS])
def test_each_page_opens_for_its_roles_only(client, pantry, path, expected) -> None:
    for who, status in expected.items():
        client.force_login(person(pantry, who))
        assert client.get(path).status_code == status, (path, who)


def test_signed_out_visitors_are_sent_to_sign_in(client, pantry) -> None:
    answer = client.get("/aid/stock/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_navigation_shows_each_person_their_aid_pages(client, pantry) -> None:
    client.force_login(pantry.rivera_member)
    page = client.get("/aid/offers/").content.decode()
    assert "Ask for aid" in page and "Pantry stock" not in page
    client.force_login(pantry.gus)  # a garden volunteer is no pantry volunteer
    page = client.get("/aid/offers/").content.decode()
    assert "Pantry stock" not in page and "Ask for aid" not in page
    client.force_login(pantry.dev)
    page = client.get("/aid/offers/").content.decode()
    assert "Pantry stock" in page and "My routes" in page and "Aid report" not in page
    client.force_login(pantry.cora)
    page = client.get("/aid/offers/").content.decode()
    assert "Aid report" in page and "Allocation" in page


# --- stock ---------------------------------------------------------------------------------------


def test_the_stock_page_shows_levels_low_stock_and_quarantined_lots(client, pantry) -> None:
    pantry.rice.low_stock = 10
    pantry.rice.save()
    pantry.receive(pantry.rice, 4)
    services.stock_receive(  # received ten days ago; expired yesterday
        actor=pantry.cora,
        item=pantry.beans,
        quantity=6,
        location=pantry.shelf,
        expires=pantry.today - timedelta(days=1),
        today=pantry.today - timedelta(days=10),
    )
    client.force_login(pantry.cora)
    page = client.get("/aid/stock/").content.decode()
    assert "low stock" in page
    assert "Dispose of expired stock" in page
    disposed = client.post("/aid/stock/", {"action": "dispose"})
    assert disposed.status_code == 302
    assert on_shelves(pantry.beans) == 0
    assert StockMovement.objects.filter(kind="adjust_out", reason="expired").count() == 1


def test_a_volunteer_receives_stock_but_may_not_add_items(client, pantry) -> None:
    client.force_login(pantry.dev)
    page = client.get("/aid/stock/").content.decode()
    assert "Receive stock" in page and "New item" not in page
    received = client.post(
        "/aid/stock/",
        {
            "action": "receive",
            "receive-item": pantry.rice.pk,
            "receive-quantity": "12",
            "receive-location": pantry.shelf.pk,
            "receive-expires": (pantry.today + timedelta(days=90)).isoformat(),
        },
    )
    assert received.status_code == 302 and on_shelves(pantry.rice) == 12
    refused = client.post(
        "/aid/stock/",
        {
            "action": "item",
            "item-name": "Lentils",
            "item-kind": "food",
            "item-unit": "bag",
            "item-storage": "ambient",
            "item-low_stock": "0",
            "item-unit_value": "1.00",
        },
    )
    assert refused.status_code == 403
    assert not Item.objects.filter(name="Lentils").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"receive-quantity": "0"}, "greater than or equal to 1"),
        ({"receive-quantity": "three"}, "whole number"),
        ({"receive-expires": "2000-01-01"}, "expired food is not taken"),
        ({"receive-location": "00000000-0000-0000-0000-000000000000"}, "valid choice"),
    ],
)
def test_bad_stock_received_shows_why_and_changes_nothing(client, pantry, fields, message) -> None:
    client.force_login(pantry.cora)
    form = {
        "action": "receive",
        "receive-item": pantry.rice.pk,
        "receive-quantity": "5",
        "receive-location": pantry.shelf.pk,
        **fields,
    }
    answer = client.post("/aid/stock/", form)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert StockMovement.objects.count() == 0


def test_milk_cannot_go_on_the_shelf(client, pantry) -> None:
    client.force_login(pantry.cora)
    answer = client.post(
        "/aid/stock/",
        {
            "action": "receive",
            "receive-item": pantry.milk.pk,
            "receive-quantity": "5",
            "receive-location": pantry.shelf.pk,
        },
    )
    assert answer.status_code == 400 and "cold" in answer.content.decode()
    assert StockMovement.objects.count() == 0


def test_the_coordinator_adds_an_item_and_a_place(client, pantry) -> None:
    client.force_login(pantry.cora)
    added = client.post(
        "/aid/stock/",
        {
            "action": "item",
            "item-name": "Lentils",
            "item-kind": "food",
            "item-category": "pulses",
            "item-unit": "500 g bag",
            "item-storage": "ambient",
            "item-diets": ["vegan", "halal"],
            "item-low_stock": "5",
            "item-unit_value": "1.80",
        },
    )
    assert added.status_code == 302
    lentils = Item.objects.get(name="Lentils")
    assert lentils.unit_value == 180 and lentils.diets == ["halal", "vegan"]
    again = client.post(
        "/aid/stock/",
        {
            "action": "item",
            "item-name": "lentils",
            "item-kind": "food",
            "item-unit": "bag",
            "item-storage": "ambient",
            "item-low_stock": "0",
            "item-unit_value": "0",
        },
    )
    assert again.status_code == 400 and "already an item" in again.content.decode()
    place = client.post(
        "/aid/stock/",
        {"action": "location", "location-name": "Chest freezer", "location-kind": "freezer"},
    )
    assert place.status_code == 302
    half = client.post(
        "/aid/stock/",
        {
            "action": "location",
            "location-name": "Church hall",
            "location-kind": "warehouse",
            "location-latitude": "42.45",
        },
    )
    assert half.status_code == 400 and "both coordinates" in half.content.decode()
    located = client.post(
        "/aid/stock/",
        {
            "action": "location",
            "location-name": "Church hall",
            "location-kind": "warehouse",
            "location-latitude": "42.45",
            "location-longitude": "-76.5",
        },
    )
    assert located.status_code == 302
    assert Location.objects.get(name="Church hall").longitude == -76.5


def test_moving_or_adjusting_more_than_is_there_is_refused(client, pantry) -> None:
    lot = pantry.receive(pantry.rice, 4)
    warehouse = services.location_create(
        actor=pantry.cora, community=pantry.community, name="Hall", kind="warehouse"
    )
    client.force_login(pantry.cora)
    key = f"{lot.pk}@{pantry.shelf.pk}"
    too_many = client.post(
        "/aid/stock/",
        {"action": "move", "move-level": key, "move-target": warehouse.pk, "move-quantity": "9"},
    )
    assert too_many.status_code == 400 and "Only 4" in too_many.content.decode()
    no_reason = client.post(
        "/aid/stock/", {"action": "adjust", "adjust-level": key, "adjust-change": "-1"}
    )
    assert no_reason.status_code == 400
    assert on_shelves(pantry.rice) == 4 and StockMovement.objects.count() == 1
    moved = client.post(
        "/aid/stock/",
        {"action": "move", "move-level": key, "move-target": warehouse.pk, "move-quantity": "3"},
    )
    assert moved.status_code == 302
    spoiled = client.post(
        "/aid/stock/",
        {
            "action": "adjust",
            "adjust-level": key,
            "adjust-change": "-1",
            "adjust-reason": "spoiled",
            "adjust-note": "torn bag",
        },
    )
    assert spoiled.status_code == 302
    assert on_shelves(pantry.rice) == 3


def test_volunteers_count_and_the_coordinator_finalizes(client, pantry) -> None:
    lot = pantry.receive(pantry.rice, 10)
    client.force_login(pantry.dev)
    started = client.post("/aid/stock/", {"action": "count", "count-location": pantry.shelf.pk})
    assert started.status_code == 302
    count = StockCount.objects.get()
    assert started["Location"] == f"/aid/stock/counts/{count.pk}/"
    key = f"{lot.pk}@{pantry.shelf.pk}"
    bad = client.post(started["Location"], {"action": "record", "record-level": key})
    assert bad.status_code == 400 and not count.lines.exists()
    recorded = client.post(
        started["Location"], {"action": "record", "record-level": key, "record-counted": "8"}
    )
    assert recorded.status_code == 302
    page = client.get(started["Location"]).content.decode()
    assert "Finalize the count" not in page
    assert client.post(started["Location"], {"action": "finalize"}).status_code == 403
    client.force_login(pantry.cora)
    finalized = client.post(started["Location"], {"action": "finalize"})
    assert finalized.status_code == 302 and finalized["Location"] == "/aid/stock/"
    assert on_shelves(pantry.rice) == 8
    assert StockMovement.objects.filter(kind="count_out", quantity=2).exists()


# --- intake --------------------------------------------------------------------------------------


def _intake_form(pantry, **fields):
    form = {
        "action": "record",
        "donor_name": "St Anne's food drive",
        "donor_kind": "person",
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "40",
        "line-0-item": pantry.rice.pk,
        "line-0-quantity": "20",
        "line-0-location": pantry.shelf.pk,
        "line-0-expires": (pantry.today + timedelta(days=200)).isoformat(),
        "line-1-item": pantry.milk.pk,
        "line-1-quantity": "6",
        "line-1-location": pantry.fridge.pk,
        "line-1-expires": (pantry.today + timedelta(days=7)).isoformat(),
    }
    form.update(fields)
    return form


def test_a_donation_is_received_and_the_donor_gets_a_receipt(client, pantry) -> None:
    client.force_login(pantry.dev)
    done = client.post("/aid/intake/", _intake_form(pantry))
    assert done.status_code == 302
    intake = Intake.objects.get()
    assert done["Location"] == f"/aid/intake/{intake.pk}/"
    receipt = client.get(done["Location"]).content.decode()
    assert "Donation receipt" in receipt and "St Anne" in receipt
    assert re.search(r'data-testid="receipt-number">\s*1\s*<', receipt)
    # 20 rice at 2.50 and 6 milk at 1.50: an estimated 59.00.
    assert re.search(r'data-testid="receipt-total">\s*59\.00\s*<', receipt)
    assert on_shelves(pantry.rice) == 20 and on_shelves(pantry.milk) == 6


def test_a_bad_intake_line_receives_nothing(client, pantry) -> None:
    client.force_login(pantry.dev)
    wrong_place = _intake_form(pantry, **{"line-1-location": pantry.shelf.pk})
    answer = client.post("/aid/intake/", wrong_place)
    assert answer.status_code == 400 and "cold" in answer.content.decode()
    no_donor = client.post("/aid/intake/", _intake_form(pantry, donor_name=""))
    assert (
        no_donor.status_code == 400 and "Say who the goods came from" in no_donor.content.decode()
    )
    assert Intake.objects.count() == 0 and StockMovement.objects.count() == 0


def test_a_volunteer_cannot_record_a_purchase(client, pantry) -> None:
    client.force_login(pantry.dev)
    page = client.get("/aid/intake/").content.decode()
    assert "Paid from the aid fund" not in page
    client.force_login(pantry.cora)
    page = client.get("/aid/intake/").content.decode()
    assert "Paid from the aid fund" in page
    no_seller = client.post("/aid/intake/", _intake_form(pantry, kind="purchase", amount="12.00"))
    assert no_seller.status_code == 400 and Intake.objects.count() == 0


def _csv(client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("intake.csv", text.encode(), content_type="text/csv")
    return client.post(
        "/aid/intake/",
        {
            "action": "import",
            "csv-donor_name": "Riverbend Bakery",
            "csv-donor_kind": "business",
            "csv-file": upload,
        },
    )


def test_a_csv_intake_list_with_bad_rows_lists_them_all_and_receives_nothing(
    client, pantry
) -> None:
    client.force_login(pantry.dev)
    bad = _csv(
        client,
        "item,quantity,expires,location\n"
        "Rice,10,2099-01-01,Shelves\n"
        "Caviar,2,,Shelves\n"
        "Milk,3,2099-01-01,Shelves\n"
        "Black beans,lots,,Shelves\n",
    )
    page = bad.content.decode()
    assert bad.status_code == 400
    assert "line 3" in page and "line 4" in page and "line 5" in page and "line 2:" not in page
    assert Intake.objects.count() == 0 and StockMovement.objects.count() == 0
    good = _csv(client, "item,quantity,expires,location\nRice,10,2099-01-01,Shelves\n")
    assert good.status_code == 302 and on_shelves(pantry.rice) == 10


# --- requests and offers -------------------------------------------------------------------------


def test_a_household_asks_for_the_standard_box_and_follows_it(client, pantry) -> None:
    BoxLine.objects.create(community=pantry.community, item=pantry.rice, per_person=Decimal("0.5"))
    client.force_login(pantry.rivera_member)
    page = client.get("/aid/requests/new/").content.decode()
    assert "Rice" in page  # what the box holds for a household of four
    asked = client.post(
        "/aid/requests/new/",
        {
            "box": "on",
            "fulfilment": "pick_up",
            "note": "Thursday is best",
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-0-category": "canned",
            "line-0-quantity": "2",
        },
    )
    assert asked.status_code == 302 and asked["Location"] == "/aid/requests/mine/"
    request = AidRequest.objects.get()
    assert request.household == pantry.rivera and not request.by_phone
    assert sorted((line.category, line.quantity) for line in request.lines.all()) == [
        ("", 2),
        ("canned", 2),
    ]
    mine = client.get("/aid/requests/mine/").content.decode()
    assert f"Request #{request.number}" in mine and "New" in mine
    cancelled = client.post(
        "/aid/requests/mine/", {"action": "cancel", "cancel-id": str(request.pk)}
    )
    assert cancelled.status_code == 302
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert "Cancelled" in client.get("/aid/requests/mine/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Ask for at least one thing"),
        ({"box": "on"}, "standard box is not set up"),
        ({"line-0-item": "ITEM", "line-0-category": "grains", "line-0-quantity": "1"}, "not both"),
        ({"line-0-item": "ITEM"}, "Say how many"),
    ],
)
def test_a_request_that_asks_for_nothing_clear_is_refused(client, pantry, fields, message) -> None:
    client.force_login(pantry.rivera_member)
    form = {"fulfilment": "pick_up", "line-TOTAL_FORMS": "1", "line-INITIAL_FORMS": "0"}
    form.update({k: str(pantry.rice.pk) if v == "ITEM" else v for k, v in fields.items()})
    answer = client.post("/aid/requests/new/", form)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert AidRequest.objects.count() == 0


def test_a_volunteer_takes_a_request_by_phone(client, pantry) -> None:
    client.force_login(pantry.dev)
    taken = client.post(
        "/aid/requests/phone/",
        {
            "household": pantry.okafor.pk,
            "fulfilment": "delivery",
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-0-item": pantry.beans.pk,
            "line-0-quantity": "3",
        },
    )
    assert taken.status_code == 302
    request = AidRequest.objects.get()
    assert request.household == pantry.okafor and request.by_phone
    assert request.fulfilment == "delivery"
    # Volunteers take requests; only coordinators read them back.
    assert client.get(f"/aid/requests/{request.pk}/").status_code == 403


def test_the_coordinator_reads_a_requests_needs_and_it_is_logged(client, pantry) -> None:
    request = ask(pantry, pantry.rivera, wish(2, pantry.rice))
    client.force_login(pantry.cora)
    page = client.get(f"/aid/requests/{request.pk}/").content.decode()
    assert "Peanuts" in page and "audit-logged" in page
    assert AuditEntry.objects.filter(action="community.household.needs_viewed").count() == 1
    listed = client.get("/aid/requests/?status=new").content.decode()
    assert f"#{request.number}" in listed
    assert (
        f"#{request.number}" not in client.get("/aid/requests/?status=allocated").content.decode()
    )
    # The household sees its own request, but not its needs through this page.
    client.force_login(pantry.rivera_member)
    own = client.get(f"/aid/requests/{request.pk}/").content.decode()
    assert "Peanuts" not in own and "History" in own
    okafors = ask(pantry, pantry.okafor, wish(1, pantry.rice))
    assert client.get(f"/aid/requests/{okafors.pk}/").status_code == 403


def test_anyone_offers_time_and_the_coordinator_closes_it(client, pantry) -> None:
    client.force_login(pantry.gus)
    blank = client.post("/aid/offers/", {"action": "offer", "offer-kind": "time"})
    assert blank.status_code == 400 and Offer.objects.count() == 0
    offered = client.post(
        "/aid/offers/",
        {"action": "offer", "offer-kind": "time", "offer-description": "Saturday driving"},
    )
    assert offered.status_code == 302
    offer = Offer.objects.get()
    assert "Saturday driving" not in client.get("/aid/offers/").content.decode()
    assert client.post("/aid/offers/", {"action": "close", "close-id": offer.pk}).status_code == 403
    client.force_login(pantry.cora)
    assert "Saturday driving" in client.get("/aid/offers/").content.decode()
    closed = client.post("/aid/offers/", {"action": "close", "close-id": offer.pk})
    assert closed.status_code == 302
    offer.refresh_from_db()
    assert not offer.open


# --- allocation runs, pick lists and the pick-up desk --------------------------------------------


def test_a_preview_shows_each_household_and_commits_into_pick_lists(client, pantry) -> None:
    lot = pantry.receive(pantry.rice, 10)
    request = ask(pantry, pantry.rivera, wish(4, pantry.rice))
    run = stored_run(pantry, request, lot, pantry.shelf, 4)
    client.force_login(pantry.cora)
    page = client.get(f"/aid/runs/{run.pk}/").content.decode()
    assert f"#{request.number}" in page and "Rivera household" in page
    assert "100%" in page and "urgent medical" in page and "first tier" in page
    assert "Commit" in page and "Discard" in page
    assert on_shelves(pantry.rice) == 10  # a preview packs nothing
    committed = client.post(f"/aid/runs/{run.pk}/", {"action": "commit"})
    assert committed.status_code == 302
    run.refresh_from_db()
    assert run.status == "committed" and on_shelves(pantry.rice) == 6
    again = client.post(f"/aid/runs/{run.pk}/", {"action": "commit"})
    assert again.status_code == 400 and "already committed" in again.content.decode()
    lists = client.get(f"/aid/runs/{run.pk}/pick-lists/").content.decode()
    assert "Rivera household" in lists and "Shelves" in lists and "Rice" in lists


def test_a_discarded_preview_packs_nothing(client, pantry) -> None:
    lot = pantry.receive(pantry.rice, 10)
    run = stored_run(pantry, ask(pantry, pantry.okafor, wish(2, pantry.rice)), lot, pantry.shelf, 2)
    client.force_login(pantry.cora)
    discarded = client.post(f"/aid/runs/{run.pk}/", {"action": "discard"})
    assert discarded.status_code == 302 and discarded["Location"] == "/aid/runs/"
    run.refresh_from_db()
    assert run.status == "discarded" and on_shelves(pantry.rice) == 10


def test_a_run_for_a_past_day_is_refused(client, pantry) -> None:
    ask(pantry, pantry.okafor, wish(2, pantry.rice))
    client.force_login(pantry.cora)
    answer = client.post(
        "/aid/runs/",
        {"action": "preview", "preview-pickup": (pantry.today - timedelta(days=1)).isoformat()},
    )
    assert answer.status_code == 400 and "cannot be in the past" in answer.content.decode()
    assert AllocationRun.objects.count() == 0


def test_a_run_the_solver_cannot_finish_is_explained_on_the_page(
    client, pantry, solver_fails
) -> None:
    pantry.receive(pantry.rice, 3)
    ask(pantry, pantry.okafor, wish(2, pantry.rice))
    ask(pantry, pantry.rivera, wish(2, pantry.rice))
    client.force_login(pantry.cora)
    answer = client.post(
        "/aid/runs/", {"action": "preview", "preview-pickup": pantry.today.isoformat()}
    )
    # Beside the form, as every error of a posted form is (400: the house rule for pages).
    assert answer.status_code == 400
    assert "could not finish this run, and nothing was stored" in answer.content.decode()
    assert AllocationRun.objects.count() == 0


def test_runs_are_for_coordinators(client, pantry) -> None:
    lot = pantry.receive(pantry.rice, 10)
    run = stored_run(pantry, ask(pantry, pantry.okafor, wish(2, pantry.rice)), lot, pantry.shelf, 2)
    client.force_login(pantry.dev)
    assert client.get(f"/aid/runs/{run.pk}/").status_code == 403
    assert client.post(f"/aid/runs/{run.pk}/", {"action": "commit"}).status_code == 403
    run.refresh_from_db()
    assert run.status == "preview"


def test_the_desk_hands_out_a_pick_up_and_only_coordinators_return_it(client, pantry) -> None:
    request = packed(pantry, pantry.okafor)
    other = packed(pantry, pantry.rivera)
    client.force_login(pantry.dev)
    desk = client.get("/aid/pickups/").content.decode()
    assert f"#{request.number}" in desk and "3 \N{MULTIPLICATION SIGN} Rice" in desk
    assert "Return to stock" not in desk
    refused = client.post("/aid/pickups/", {"action": "release", "release-id": other.pk})
    assert refused.status_code == 403
    handed = client.post("/aid/pickups/", {"action": "pickup", "pickup-id": request.pk})
    assert handed.status_code == 302
    request.refresh_from_db()
    assert request.status == "fulfilled"
    twice = client.post("/aid/pickups/", {"action": "pickup", "pickup-id": request.pk})
    assert twice.status_code == 404
    client.force_login(pantry.cora)
    returned = client.post("/aid/pickups/", {"action": "release", "release-id": other.pk})
    assert returned.status_code == 302
    other.refresh_from_db()
    assert other.status == "new" and on_shelves(pantry.rice) == 17


# --- deliveries ----------------------------------------------------------------------------------


def _plan(client, pantry, *drivers):
    form = {
        "day": pantry.today.isoformat(),
        "depot": pantry.shelf.pk,
        "driver-TOTAL_FORMS": str(max(len(drivers), 1)),
        "driver-INITIAL_FORMS": "0",
    }
    for index, driver in enumerate(drivers):
        form.update(
            {
                f"driver-{index}-driver": driver.pk,
                f"driver-{index}-capacity": "10",
                f"driver-{index}-starts": "10:00",
                f"driver-{index}-ends": "13:00",
            }
        )
    return client.post("/aid/routes/", form)


@pytest.fixture
def routed(client, pantry):
    """Rivera's delivery, packed and routed to Dev."""
    request = packed(pantry, pantry.rivera, fulfilment="delivery")
    client.force_login(pantry.cora)
    planned = _plan(client, pantry, pantry.dev)
    assert planned.status_code == 302, planned.content.decode()
    return DeliveryRoute.objects.get(), request


def test_planning_without_a_driver_is_refused(client, pantry) -> None:
    packed(pantry, pantry.rivera, fulfilment="delivery")
    client.force_login(pantry.cora)
    answer = _plan(client, pantry)
    assert answer.status_code == 400 and "at least one driver" in answer.content.decode()
    assert DeliveryRoute.objects.count() == 0


def test_the_driver_sees_the_address_and_the_coordinator_only_cross_streets(
    client, pantry, routed
) -> None:
    route, _request = routed
    client.force_login(pantry.dev)
    page = client.get(f"/aid/routes/{route.pk}/").content.decode()
    assert "12 Elm Street" in page and "<svg" in page and "Rivera household" in page
    assert AuditEntry.objects.filter(action="aid.stop.address_viewed").exists()
    assert f"/aid/routes/{route.pk}/" in client.get("/aid/routes/mine/").content.decode()
    client.force_login(pantry.cora)
    page = client.get(f"/aid/routes/{route.pk}/").content.decode()
    assert "Elm St &amp; 3rd Ave" in page and "12 Elm Street" not in page
    assert "12 Elm Street" not in client.get("/aid/routes/").content.decode()


def test_another_driver_cannot_open_the_route_or_its_stop(client, pantry, routed) -> None:
    route, request = routed
    stop = route.stops.get()
    client.force_login(pantry.eli)
    assert client.get(f"/aid/routes/{route.pk}/").status_code == 404
    assert client.get(f"/aid/stops/{stop.pk}/").status_code == 404
    assert client.post(f"/aid/stops/{stop.pk}/").status_code == 404
    request.refresh_from_db()
    assert request.status == "out_for_delivery"


def test_the_address_closes_two_days_after_delivery(client, pantry, routed) -> None:
    route, request = routed
    stop = route.stops.get()
    client.force_login(pantry.dev)
    delivered = client.post(f"/aid/stops/{stop.pk}/")
    assert delivered.status_code == 302 and delivered["Location"] == f"/aid/routes/{route.pk}/"
    request.refresh_from_db()
    stop.refresh_from_db()
    assert request.status == "fulfilled"
    assert "12 Elm Street" in client.get(f"/aid/routes/{route.pk}/").content.decode()
    assert client.post(f"/aid/stops/{stop.pk}/").status_code == 400  # delivered once only
    later = stop.delivered_at + timedelta(days=2, minutes=1)
    assert selectors.address_visible(stop, now=stop.delivered_at + timedelta(days=2))
    assert not selectors.address_visible(stop, now=later)
    assert selectors.stop_address(viewer=pantry.dev, stop=stop, now=later) is None
    # Three days on, the page itself no longer shows it.
    DeliveryStop.objects.filter(pk=stop.pk).update(delivered_at=timezone.now() - timedelta(days=3))
    page = client.get(f"/aid/routes/{route.pk}/").content.decode()
    assert "12 Elm Street" not in page and "Address closed" in page
    assert "12 Elm Street" not in client.get(f"/aid/stops/{stop.pk}/").content.decode()


# --- volunteers ----------------------------------------------------------------------------------


def test_shifts_are_made_joined_and_left(client, pantry) -> None:
    starts = timezone.localtime() + timedelta(days=1)
    client.force_login(pantry.cora)
    backwards = client.post(
        "/aid/shifts/",
        {
            "action": "shift",
            "shift-kind": "packing",
            "shift-starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "shift-ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "shift-places": "2",
        },
    )
    assert backwards.status_code == 400 and Shift.objects.count() == 0
    made = client.post(
        "/aid/shifts/",
        {
            "action": "shift",
            "shift-kind": "packing",
            "shift-starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "shift-ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "shift-places": "1",
        },
    )
    assert made.status_code == 302
    shift = Shift.objects.get()
    client.force_login(pantry.dev)
    assert "New shift" not in client.get("/aid/shifts/").content.decode()
    joined = client.post("/aid/shifts/", {"action": "join", "join-id": shift.pk})
    assert joined.status_code == 302 and shift.signups.count() == 1
    dashboard = client.get("/dashboard/volunteer/").content.decode()
    assert "Upcoming shifts" in dashboard and "you are on it" in dashboard
    client.force_login(pantry.eli)
    full = client.post("/aid/shifts/", {"action": "join", "join-id": shift.pk})
    assert full.status_code == 400 and "full" in full.content.decode()
    client.force_login(pantry.dev)
    left = client.post("/aid/shifts/", {"action": "leave", "leave-id": shift.pk})
    assert left.status_code == 302 and shift.signups.count() == 0


def test_a_volunteer_logs_hours_and_sees_the_total(client, pantry) -> None:
    client.force_login(pantry.dev)
    future = client.post(
        "/aid/shifts/",
        {
            "action": "hours",
            "hours-day": (pantry.today + timedelta(days=2)).isoformat(),
            "hours-hours": "2",
            "hours-kind": "packing",
        },
    )
    assert future.status_code == 400 and HoursLog.objects.count() == 0
    logged = client.post(
        "/aid/shifts/",
        {
            "action": "hours",
            "hours-day": pantry.today.isoformat(),
            "hours-hours": "2.5",
            "hours-kind": "driving",
        },
    )
    assert logged.status_code == 302 and HoursLog.objects.get().minutes == 150
    page = client.get("/aid/shifts/").content.decode()
    assert re.search(r'data-testid="my-hours">\s*2\.5\s*<', page)


# --- the report and the dashboards ---------------------------------------------------------------


def test_the_report_draws_its_charts_and_downloads_as_csv(client, pantry) -> None:
    request = packed(pantry, pantry.okafor)
    services.request_pickup(actor=pantry.dev, request=request)
    client.force_login(pantry.cora)
    page = client.get("/aid/report/").content.decode()
    assert page.count("<svg") >= 5 and "Units distributed per month" in page
    assert re.search(r'data-testid="households-served">\s*1\s*<', page)
    csv_file = client.get("/aid/report/?format=csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    text = csv_file.content.decode()
    assert text.startswith("section,key,detail,value") and "households,served,,1" in text
    assert client.get("/aid/report/?since=yesterday").status_code == 400
    # The last day Python knows overflowed when the window was widened to its next midnight.
    far = client.get("/aid/report/?until=9999-12-31")
    assert far.status_code == 400 and b"Dates lie between 1900-01-01 and 2999-12-31" in far.content
    backwards = client.get("/aid/report/?since=2026-05-02&until=2026-05-01")
    assert backwards.status_code == 400 and b"The window starts after it ends." in backwards.content


def test_the_coordinator_dashboard_shows_the_pantry(client, pantry) -> None:
    pantry.milk.low_stock = 5
    pantry.milk.save()
    ask(pantry, pantry.okafor, wish(1, pantry.rice))
    client.force_login(pantry.cora)
    page = client.get("/dashboard/coordinator/").content.decode()
    assert "Low stock" in page and "Milk" in page
    assert re.search(r'data-testid="new-requests">\s*1\s*<', page)
    assert "Aid requests by status" in page


def test_a_garden_volunteers_dashboard_has_no_pantry(client, pantry) -> None:
    client.force_login(pantry.gus)
    page = client.get("/dashboard/volunteer/")
    assert page.status_code == 200 and "Upcoming shifts" not in page.content.decode()


# --- the fence between communities ---------------------------------------------------------------


def test_another_communitys_objects_do_not_exist(client, pantry, elsewhere) -> None:
    request = packed(pantry, pantry.rivera, fulfilment="delivery")
    client.force_login(pantry.cora)
    assert _plan(client, pantry, pantry.dev).status_code == 302
    route = DeliveryRoute.objects.get()
    run = AllocationRun.objects.get()
    intake = services.intake_record(
        actor=pantry.cora,
        community=pantry.community,
        donor=services.Donor(name="A neighbour"),
        lines=[services.IntakeLine(item=pantry.rice, quantity=1, location=pantry.shelf)],
    )
    count = services.count_start(actor=pantry.cora, location=pantry.shelf)
    client.force_login(elsewhere)
    for path in (
        f"/aid/requests/{request.pk}/",
        f"/aid/runs/{run.pk}/",
        f"/aid/runs/{run.pk}/pick-lists/",
        f"/aid/routes/{route.pk}/",
        f"/aid/stops/{route.stops.get().pk}/",
        f"/aid/intake/{intake.pk}/",
        f"/aid/stock/counts/{count.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    cancel = client.post(f"/aid/requests/{request.pk}/", {"action": "cancel"})
    assert cancel.status_code == 404
    taken = client.post("/aid/pickups/", {"action": "pickup", "pickup-id": str(request.pk)})
    assert taken.status_code == 404
