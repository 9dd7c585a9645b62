"""The gardens API, told as a season: apply, wait, get offered a plot, accept and pay, give it
back to the next in line, log harvests (one for the pantry). Each story checks who may do it and
that a refused call changes nothing."""

import pytest

from mutua.aid.models import Lot
from mutua.community.services import api_token_create
from mutua.gardens.models import Application, Harvest

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, town):  # type: ignore[no-untyped-def]
    people = (town.tess, town.ana, town.ben, town.cai)
    tokens = {m.handle: api_token_create(member=m, name="t")[1] for m in people}

    def call(who, method, url, body=None):  # type: ignore[no-untyped-def]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/gardens{url}", **kwargs)

    return call


def test_a_season_through_the_api(call, town) -> None:
    g = f"/{town.garden.pk}"
    gardens = call("ana", "get", "").json()
    assert [x["name"] for x in gardens] == ["Mill Street Garden"]
    detail = call("ana", "get", g).json()
    assert [p["plot"]["label"] for p in detail["plots"]] == ["A1", "A2", "A3", "A4"]
    assert detail["season"] == str(town.spring.pk) and detail["plot_fee"] == 1200
    body = {"season": str(town.spring.pk), "without_garden": True}
    ana = call("ana", "post", f"{g}/applications", body)
    assert ana.status_code == 201 and ana.json()["status"] == "waiting"
    twice = call("ana", "post", f"{g}/applications", body)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_applied")
    assert Application.objects.filter(member=town.ana).count() == 1
    ben = call("ben", "post", f"{g}/applications", {"season": str(town.spring.pk)}).json()

    assert call("ana", "get", f"{g}/waitlist").status_code == 403
    waitlist = call("tess", "get", f"{g}/waitlist").json()
    assert [row["member"] for row in waitlist] == ["ana", "ben"]
    offer_body = {"application": ana.json()["id"], "plot": str(town.plots[0].pk)}
    assert call("ana", "post", f"{g}/offers", offer_body).status_code == 403
    offered = call("tess", "post", f"{g}/offers", offer_body)
    assert offered.status_code == 201 and offered.json()["fee"] == 1200
    offer_id = offered.json()["id"]
    assert call("ben", "post", f"/assignments/{offer_id}/accept").status_code == 404
    accepted = call("ana", "post", f"/assignments/{offer_id}/accept").json()
    assert accepted["status"] == "active" and accepted["transfer_id"]
    assert town.balance(town.garden_wallet) == 1200
    assert [a["plot_label"] for a in call("ana", "get", "/mine/plots").json()] == ["A1"]

    returned = call("ana", "post", f"/assignments/{offer_id}/return").json()
    assert returned["assignment"]["status"] == "returned"
    assert returned["next_offer"]["application"] == ben["id"]


def test_harvests_through_the_api(call, town) -> None:
    g = f"/{town.garden.pk}"
    body = {"crop": str(town.tomatoes.pk), "weight_g": -10, "day": town.today.isoformat()}
    bad = call("tess", "post", f"{g}/harvests", {**body, "donate": True})
    assert bad.status_code == 400 and "weight_g" in bad.json()["fields"]
    assert not Harvest.objects.exists() and not Lot.objects.exists()
    assert call("ana", "post", f"{g}/harvests", {**body, "weight_g": 500}).status_code == 403
    made = call("tess", "post", f"{g}/harvests", {**body, "weight_g": 1000, "donate": True})
    assert made.status_code == 201, made.json()
    assert made.json()["units"] == 2 and made.json()["lot"]
    assert Lot.objects.get(pk=made.json()["lot"]).expires.isoformat() == (
        town.today.fromordinal(town.today.toordinal() + 7).isoformat()
    )
    report = call("tess", "get", f"{g}/report").json()
    assert (report["grams"], report["donated_grams"], report["donated_units"]) == (1000, 1000, 2)
    assert call("ana", "get", f"{g}/report").status_code == 403
    assert call("ana", "get", f"{g}/harvests").json() == []  # not hers
    assert len(call("tess", "get", f"{g}/harvests").json()) == 1


def test_another_communitys_garden_is_not_found(call, town, elsewhere) -> None:
    other = f"/{elsewhere.garden.pk}"
    for url in ("", "/waitlist", "/harvests", "/report", "/workdays"):
        response = call("tess", "get", other + url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    body = {"season": str(elsewhere.spring.pk)}
    assert call("ana", "post", f"{other}/applications", body).status_code == 404
    assert call("ana", "post", f"/{town.garden.pk}/applications", body).status_code == 404
    assert not Application.objects.exists()


def test_task_sign_up_through_the_api(call, town) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mutua.gardens import services

    starts = timezone.now() + timedelta(days=2)
    day = services.workday_create(
        actor=town.tess,
        garden=town.garden,
        title="Compost day",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    task = services.task_create(actor=town.tess, work_day=day, title="Sift", capacity=1)
    url = f"/{town.garden.pk}/tasks/{task.pk}/signup"
    days = call("ana", "get", f"/{town.garden.pk}/workdays").json()
    assert [t["title"] for t in days[0]["tasks"]] == ["Sift"]
    joined = call("ana", "post", url)
    assert joined.status_code == 201 and joined.json()["taken"] == 1
    assert call("ana", "post", url).json()["code"] == "already_signed_up"
    full = call("ben", "post", url)
    assert (full.status_code, full.json()["code"]) == (422, "task_full")
    assert call("ana", "delete", url).json()["taken"] == 0


def test_the_openapi_document_is_valid_and_lists_the_garden_endpoints(client) -> None:
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    paths = [p for p in document["paths"] if p.startswith("/api/v1/gardens")]
    assert "/api/v1/gardens/{garden_id}/harvests" in paths
    assert "/api/v1/gardens/assignments/{assignment_id}/accept" in paths
