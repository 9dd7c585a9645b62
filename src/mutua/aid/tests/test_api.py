"""The aid API, told as the pantry's week: stock comes in, households ask, a coordinator allocates
and packs, volunteers hand out and drive. Each story checks who may do it and that a refused call
changes nothing."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from mutua.aid.models import AidRequest, Intake, Lot, StockLevel, StockMovement
from mutua.community.services import api_token_create
from mutua.community.tests.factories import HouseholdFactory
from mutua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(pantry):  # type: ignore[no-untyped-def]
    people = (pantry.cora, pantry.dev, pantry.eli, pantry.gus, pantry.rivera_member)
    return {m.handle: api_token_create(member=m, name="t")[1] for m in people}


@pytest.fixture
def call(client, tokens):  # type: ignore[no-untyped-def]
    def call(who, method, url, body=None):  # type: ignore[no-untyped-def]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/aid{url}", **kwargs)

    return call


def on_hand(pantry, item, kind="shelf") -> int:  # type: ignore[no-untyped-def]
    levels = StockLevel.objects.filter(lot__item=item, location__kind=kind)
    return sum(levels.values_list("on_hand", flat=True))


def stock_of(call, item):  # type: ignore[no-untyped-def]
    return next(row for row in call("cora", "get", "/stock").json() if row["item"] == str(item.id))


def ask(call, pantry, who="rosa", household=None, **body):  # type: ignore[no-untyped-def]
    body = {
        "household": str((household or pantry.rivera).id),
        "lines": [{"item": str(pantry.rice.id), "quantity": 3}],
        **body,
    }
    response = call(who, "post", "/requests", body)
    assert response.status_code == 201, response.json()
    return response.json()


# --- stock ---------------------------------------------------------------------------------------


def test_received_stock_shows_in_the_stock_list_and_the_lots(call, pantry) -> None:
    expires = (pantry.today + timedelta(days=10)).isoformat()
    body = {
        "item": str(pantry.rice.id),
        "quantity": 12,
        "location": str(pantry.shelf.id),
        "expires": expires,
    }
    received = call("dev", "post", "/stock/receive", body)
    assert received.status_code == 201 and received.json()["expires"] == expires
    rice = stock_of(call, pantry.rice)
    assert (rice["on_hand"], rice["held"], rice["next_expiry"], rice["low"]) == (
        12,
        0,
        expires,
        False,
    )
    levels = call("dev", "get", f"/lots?item={pantry.rice.id}").json()
    assert [(lv["lot"], lv["location_name"], lv["on_hand"]) for lv in levels] == [
        (received.json()["id"], "Shelves", 12)
    ]
    assert call("gus", "post", "/stock/receive", body).status_code == 403
    assert call("rosa", "get", "/stock").status_code == 403


def test_an_adjustment_or_a_move_larger_than_the_stock_is_refused_and_changes_nothing(
    call, pantry
) -> None:
    lot = pantry.receive(pantry.rice, 5)
    movements = StockMovement.objects.count()
    too_much = {
        "lot": str(lot.id),
        "location": str(pantry.shelf.id),
        "change": -6,
        "reason": "spoiled",
    }
    refused = call("cora", "post", "/stock/adjust", too_much)
    assert refused.status_code == 422 and refused.json()["code"] == "not_enough_stock"
    move = {
        "lot": str(lot.id),
        "source": str(pantry.shelf.id),
        "target": str(pantry.fridge.id),
        "quantity": 6,
    }
    assert call("cora", "post", "/stock/transfer", move).status_code == 422
    assert (StockMovement.objects.count(), on_hand(pantry, pantry.rice)) == (movements, 5)
    moved = call("cora", "post", "/stock/transfer", {**move, "quantity": 2})
    assert moved.status_code == 201 and moved.json()["kind"] == "transfer"
    assert (on_hand(pantry, pantry.rice), on_hand(pantry, pantry.rice, "fridge")) == (3, 2)


def test_a_body_naming_an_unknown_object_says_which_and_a_bad_schema_is_422(call, pantry) -> None:
    lot = pantry.receive(pantry.rice, 5)
    body = {
        "lot": str(lot.id),
        "source": str(pantry.shelf.id),
        "target": str(lot.id),
        "quantity": 1,
    }
    unknown = call("cora", "post", "/stock/transfer", body)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_location"
    assert list(unknown.json()["fields"]) == ["target"]
    schema = call("cora", "post", "/stock/transfer", {**body, "quantity": "many"})
    assert schema.status_code == 422 and schema.json()["code"] == "invalid_body"
    assert on_hand(pantry, pantry.rice) == 5


def test_a_negative_count_is_a_400_and_a_count_changes_stock_only_when_finalized(
    call, pantry
) -> None:
    lot = pantry.receive(pantry.rice, 10)
    started = call("dev", "post", "/counts", {"location": str(pantry.shelf.id)})
    assert started.status_code == 201 and started.json()["status"] == "open"
    lines = f"/counts/{started.json()['id']}/lines"
    negative = call("dev", "post", lines, {"lot": str(lot.id), "counted": -1})
    assert negative.status_code == 400 and negative.json()["code"] == "invalid_quantity"
    counted = call("dev", "post", lines, {"lot": str(lot.id), "counted": 8})
    assert counted.json()["lines"] == [{"lot": str(lot.id), "counted": 8}]
    assert on_hand(pantry, pantry.rice) == 10
    finalize = f"/counts/{started.json()['id']}/finalize"
    assert call("dev", "post", finalize).status_code == 403
    done = call("cora", "post", finalize).json()
    assert done["count"]["status"] == "final"
    assert [(m["kind"], m["quantity"]) for m in done["movements"]] == [("count_out", 2)]
    assert on_hand(pantry, pantry.rice) == 8


def test_expired_lots_are_disposed_of_as_waste(call, pantry) -> None:
    lot = pantry.receive(pantry.beans, 4, days=1)
    Lot.objects.filter(pk=lot.pk).update(expires=pantry.today - timedelta(days=1))
    assert stock_of(call, pantry.beans)["expired"] == 4
    assert call("dev", "post", "/stock/dispose-expired").status_code == 403
    assert call("cora", "post", "/stock/dispose-expired").json() == {"units": 4}
    assert stock_of(call, pantry.beans)["expired"] == 0


def test_coordinators_add_items_and_places_and_everyone_sees_the_items(call, pantry) -> None:
    body = {"name": "Oats", "kind": "food", "category": "grains", "unit": "500 g"}
    assert call("dev", "post", "/items", body).status_code == 403
    created = call("cora", "post", "/items", body)
    assert created.status_code == 201 and created.json()["storage"] == "ambient"
    bad = call("cora", "post", "/items", {**body, "name": "Mystery", "kind": "rocks"})
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    assert "Oats" in [i["name"] for i in call("rosa", "get", "/items").json()]
    place = call("cora", "post", "/locations", {"name": "Basement", "kind": "warehouse"})
    assert place.status_code == 201
    assert call("cora", "post", "/locations", {"name": "Box", "kind": "held"}).status_code == 400
    names = [loc["name"] for loc in call("dev", "get", "/locations").json()]
    assert {"Basement", "Shelves", "Fridge"} <= set(names)
    assert call("rosa", "get", "/locations").status_code == 403


# --- intake --------------------------------------------------------------------------------------


def test_a_donation_with_lines_is_received_under_one_receipt(call, pantry) -> None:
    body = {
        "donor_name": "Bakery on Main",
        "donor_kind": "business",
        "lines": [
            {"item": str(pantry.rice.id), "quantity": 6, "location": str(pantry.shelf.id)},
            {"item": str(pantry.milk.id), "quantity": 4, "location": str(pantry.fridge.id)},
        ],
    }
    intake = call("dev", "post", "/intakes", body)
    assert intake.status_code == 201, intake.json()
    assert (intake.json()["number"], intake.json()["kind"], len(intake.json()["lots"])) == (
        1,
        "donation",
        2,
    )
    assert (on_hand(pantry, pantry.rice), on_hand(pantry, pantry.milk, "fridge")) == (6, 4)
    body["lines"][1]["item"] = str(pantry.shelf.id)
    unknown = call("dev", "post", "/intakes", body)
    assert unknown.status_code == 404
    assert unknown.json()["fields"] == {"lines.1.item": ["No such item."]}
    assert Intake.objects.count() == 1


def test_an_import_with_unknown_items_lists_every_bad_row_and_receives_nothing(
    call, pantry
) -> None:
    csv = (
        "item,quantity,expires,location\n"
        "Rice,5,,Shelves\n"
        "Caviar,2,,Shelves\n"
        "Black beans,lots,,Shelves\n"
    )
    refused = call("dev", "post", "/intakes/import", {"donor_name": "Food drive", "csv": csv})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_csv"
    rows = refused.json()["fields"]["file"]
    assert len(rows) == 2
    assert rows[0].startswith("line 3") and "Caviar" in rows[0]
    assert rows[1].startswith("line 4") and "lots" in rows[1]
    assert (Intake.objects.count(), Lot.objects.count()) == (0, 0)
    good = csv.split("Caviar")[0]
    done = call("dev", "post", "/intakes/import", {"donor_name": "Food drive", "csv": good})
    assert done.status_code == 201 and on_hand(pantry, pantry.rice) == 5
    assert (
        call("gus", "post", "/intakes/import", {"donor_name": "x", "csv": csv}).status_code == 403
    )


# --- requests ------------------------------------------------------------------------------------


def test_a_household_asks_and_only_it_and_coordinators_see_its_urgency(call, pantry) -> None:
    own = ask(call, pantry, lines=[{"category": "canned", "quantity": 2}])
    assert (own["number"], own["urgent"], own["by_phone"], own["status"]) == (1, True, False, "new")
    by_phone = ask(call, pantry, who="dev")
    assert by_phone["by_phone"] and by_phone["urgent"] is None
    listed = call("cora", "get", "/requests?status=new").json()
    assert [(r["number"], r["urgent"]) for r in listed] == [(2, True), (1, True)]
    assert [r["number"] for r in call("rosa", "get", "/requests/mine").json()] == [2, 1]
    detail = call("rosa", "get", f"/requests/{own['id']}").json()
    assert [e["status"] for e in detail["events"]] == ["new"]
    assert call("rosa", "get", "/requests").status_code == 403
    assert call("dev", "get", f"/requests/{own['id']}").status_code == 403


def test_a_member_asking_for_another_household_is_forbidden(call, pantry) -> None:
    refused = call(
        "rosa",
        "post",
        "/requests",
        {"household": str(pantry.okafor.id), "lines": [{"category": "grains", "quantity": 1}]},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not AidRequest.objects.exists()


def test_a_household_of_another_community_is_not_found(call, pantry, elsewhere) -> None:
    stranger = HouseholdFactory(community=elsewhere.community)
    body = {"household": str(stranger.id), "lines": [{"category": "grains", "quantity": 1}]}
    refused = call("cora", "post", "/requests", body)
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert not AidRequest.objects.exists()


def test_bad_lines_are_a_400_and_write_nothing(call, pantry) -> None:
    body = {"household": str(pantry.rivera.id)}
    for lines in ([], [{"quantity": 1}], [{"item": str(pantry.rice.id), "quantity": 0}]):
        refused = call("rosa", "post", "/requests", {**body, "lines": lines})
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_request", lines
    assert not AidRequest.objects.exists()


def test_a_household_cancels_its_new_request_and_the_history_keeps_it(call, pantry) -> None:
    asked = ask(call, pantry)
    url = f"/requests/{asked['id']}/cancel"
    cancelled = call("rosa", "post", url, {"note": "found some"})
    assert cancelled.status_code == 200
    assert [(e["status"], e["note"]) for e in cancelled.json()["events"]] == [
        ("new", ""),
        ("cancelled", "found some"),
    ]
    assert call("rosa", "post", url, {}).status_code == 422


# --- allocation runs -----------------------------------------------------------------------------


def preview(call, pantry):  # type: ignore[no-untyped-def]
    response = call("cora", "post", "/runs", {"pickup": pantry.today.isoformat()})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_run_the_solver_cannot_finish_answers_503_and_stores_nothing(
    call, pantry, solver_fails
) -> None:
    pantry.receive(pantry.rice, 5)
    ask(call, pantry)
    ask(call, pantry, "cora", pantry.okafor)  # 6 bags asked, 5 on the shelf
    response = call("cora", "post", "/runs", {"pickup": pantry.today.isoformat()})
    assert response.status_code == 503
    assert response.json()["code"] == "allocation_failed"
    assert call("cora", "get", "/runs").json() == []


def test_a_run_preview_changes_nothing_and_its_commit_packs_the_stock(call, pantry) -> None:
    pantry.receive(pantry.rice, 10)
    asked = ask(call, pantry)
    run = preview(call, pantry)
    assert (run["status"], run["created_by"]) == ("preview", "cora")
    assert run["rule_version"] and run["inputs"] and run["result"]
    assert (on_hand(pantry, pantry.rice), on_hand(pantry, pantry.rice, "held")) == (10, 0)
    assert [r["id"] for r in call("cora", "get", "/runs").json()] == [run["id"]]
    committed = call("cora", "post", f"/runs/{run['id']}/commit")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert (on_hand(pantry, pantry.rice), on_hand(pantry, pantry.rice, "held")) == (7, 3)
    rice = stock_of(call, pantry.rice)
    assert (rice["on_hand"], rice["held"]) == (7, 3)
    assert call("cora", "get", f"/requests/{asked['id']}").json()["status"] == "allocated"
    assert call("cora", "post", f"/runs/{run['id']}/commit").status_code == 422
    handed = call("dev", "post", f"/requests/{asked['id']}/pickup")
    assert handed.status_code == 200 and handed.json()["status"] == "fulfilled"
    assert on_hand(pantry, pantry.rice, "held") == 0


def test_a_volunteer_cannot_commit_a_run(call, pantry) -> None:
    pantry.receive(pantry.rice, 10)
    ask(call, pantry)
    run = preview(call, pantry)
    refused = call("dev", "post", f"/runs/{run['id']}/commit")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert call("dev", "get", f"/runs/{run['id']}").status_code == 403
    assert call("cora", "get", f"/runs/{run['id']}").json()["status"] == "preview"
    assert on_hand(pantry, pantry.rice, "held") == 0
    assert call("cora", "post", f"/runs/{run['id']}/discard").json()["status"] == "discarded"


def test_released_stock_goes_back_to_its_shelf(call, pantry) -> None:
    pantry.receive(pantry.rice, 10)
    asked = ask(call, pantry)
    run = preview(call, pantry)
    call("cora", "post", f"/runs/{run['id']}/commit")
    released = call("cora", "post", f"/requests/{asked['id']}/release", {"note": "moved away"})
    assert released.status_code == 200 and released.json()["status"] == "new"
    assert (on_hand(pantry, pantry.rice), on_hand(pantry, pantry.rice, "held")) == (10, 0)


# --- deliveries ----------------------------------------------------------------------------------


def plan_delivery(call, pantry):  # type: ignore[no-untyped-def]
    """Two delivery requests packed, one route for Dev."""
    pantry.receive(pantry.rice, 10)
    ask(call, pantry, fulfilment="delivery")
    ask(call, pantry, who="dev", household=pantry.okafor, fulfilment="delivery")
    call("cora", "post", f"/runs/{preview(call, pantry)['id']}/commit")
    body = {
        "depot": str(pantry.shelf.id),
        "day": pantry.today.isoformat(),
        "drivers": [{"member": "dev", "capacity": 10, "starts": 540, "ends": 1020}],
    }
    planned = call("cora", "post", "/routes", body)
    assert planned.status_code == 201, planned.json()
    return planned.json()


def test_a_driver_sees_addresses_of_their_own_stops_and_the_coordinator_cross_streets(
    call, pantry
) -> None:
    planned = plan_delivery(call, pantry)
    assert (planned["dropped"], planned["missing_place"]) == ([], [])
    [route] = call("cora", "get", "/routes").json()
    assert route["driver"] == "dev"
    assert {s["cross_streets"] for s in route["stops"]} == {"Elm St & 3rd Ave", "Oak St & Main"}
    assert all("address" not in s for s in route["stops"])
    assert call("dev", "get", "/routes").status_code == 403
    [mine] = call("dev", "get", "/routes/mine").json()
    assert [s["address"]["address"] for s in mine["stops"]] == ["12 Elm Street"] * 2
    assert AuditEntry.objects.filter(action="aid.stop.address_viewed").count() == 2
    assert call("eli", "get", "/routes/mine").json() == []


def test_a_driver_opening_someone_elses_stop_gets_404(call, pantry) -> None:
    planned = plan_delivery(call, pantry)
    stop = planned["routes"][0]["stops"][0]
    refused = call("eli", "post", f"/stops/{stop['id']}/delivered")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    delivered = call("dev", "post", f"/stops/{stop['id']}/delivered")
    assert delivered.status_code == 200 and delivered.json()["delivered_at"]
    assert call("dev", "post", f"/stops/{stop['id']}/delivered").status_code == 422


def test_an_unknown_driver_is_named(call, pantry) -> None:
    body = {
        "depot": str(pantry.shelf.id),
        "day": pantry.today.isoformat(),
        "drivers": [{"member": "nobody", "capacity": 10, "starts": 540, "ends": 1020}],
    }
    refused = call("cora", "post", "/routes", body)
    assert refused.status_code == 404 and list(refused.json()["fields"]) == ["drivers.0.member"]


# --- volunteers, report, authentication ----------------------------------------------------------


def test_volunteers_join_and_leave_shifts_and_log_hours(call, pantry) -> None:
    starts = pantry.today + timedelta(days=2)
    body = {
        "kind": "packing",
        "starts_at": f"{starts.isoformat()}T09:00:00Z",
        "ends_at": f"{starts.isoformat()}T12:00:00Z",
        "places": 1,
    }
    assert call("dev", "post", "/shifts", body).status_code == 403
    shift = call("cora", "post", "/shifts", body).json()
    joined = call("dev", "post", f"/shifts/{shift['id']}/join")
    assert (joined.json()["volunteers"], joined.json()["joined"]) == (["dev"], True)
    full = call("eli", "post", f"/shifts/{shift['id']}/join")
    assert full.status_code == 422 and full.json()["code"] == "shift_full"
    assert call("gus", "post", f"/shifts/{shift['id']}/join").status_code == 403
    [listed] = call("eli", "get", "/shifts").json()
    assert (listed["volunteers"], listed["joined"]) == (["dev"], False)
    left = call("dev", "post", f"/shifts/{shift['id']}/leave")
    assert left.json()["volunteers"] == []
    hours = {"day": pantry.today.isoformat(), "minutes": 90, "kind": "packing"}
    logged = call("dev", "post", "/hours", {**hours, "shift": shift["id"]})
    assert logged.status_code == 201 and logged.json()["total_minutes"] == 90
    assert call("dev", "post", "/hours", {**hours, "minutes": 0}).status_code == 400


def test_the_report_is_for_coordinators(call, pantry) -> None:
    pantry.receive(pantry.rice, 4)
    report = call("cora", "get", "/report")
    assert report.status_code == 200
    assert report.json()["stock_value"] == 4 * 250
    assert report.json()["until"] == pantry.today.isoformat()
    assert call("dev", "get", "/report").status_code == 403
    backwards = call("cora", "get", "/report?since=2026-02-01&until=2026-01-01")
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_window"


def test_without_a_token_the_answer_is_401(client, pantry) -> None:
    for method, url in (("get", "/stock"), ("post", "/stock/receive"), ("get", "/requests/mine")):
        response = getattr(client, method)(f"/api/v1/aid{url}")
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    bad = client.get("/api/v1/aid/stock", HTTP_AUTHORIZATION="Bearer mutua_nope")
    assert bad.status_code == 401


def test_the_openapi_document_is_valid_and_lists_the_aid_endpoints(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert {"/api/v1/aid/stock", "/api/v1/aid/runs/{run_id}/commit"} <= set(document["paths"])
