"""The garden pages through Django's test client: who may open what, forms that refuse bad input
(400, nothing changes), and the fence between communities (404)."""

import csv
import io
from datetime import timedelta

import pytest

from mutua.aid.models import Lot
from mutua.gardens import services
from mutua.gardens.models import Application, Assignment, Crop, Harvest, TaskSignup

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client):  # type: ignore[no-untyped-def]
    def sign_in(member):  # type: ignore[no-untyped-def]
        client.force_login(member)
        return client

    return sign_in


def g(town, part: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/gardens/{town.garden.pk}/{part}"


def test_every_member_sees_the_gardens_and_the_plot_map(town, as_) -> None:
    client = as_(town.ana)
    listing = client.get("/gardens/")
    assert listing.status_code == 200 and "Mill Street Garden" in listing.content.decode()
    page = client.get(g(town))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="plot"') == 4 and "Plot map of Mill Street Garden" in body
    assert "Add a plot" not in body  # the layout forms are the steward's


def test_a_member_applies_once_and_the_second_time_gets_a_clear_400(town, as_) -> None:
    client = as_(town.ana)
    form = {"action": "apply", "apply-season": str(town.spring.pk), "apply-without_garden": "on"}
    assert client.post(g(town), form).status_code == 302
    again = client.post(g(town), form)
    assert again.status_code == 400
    assert "already applied to this garden for this season" in again.content.decode()
    assert Application.objects.filter(member=town.ana).count() == 1
    assert client.get("/gardens/mine/").status_code == 200


def test_the_steward_offers_and_the_member_accepts_and_pays(town, as_) -> None:
    application = town.apply(town.ana)
    steward = as_(town.tess)
    page = steward.get(g(town, "waitlist/"))
    assert page.status_code == 200 and town.ana.display_name in page.content.decode()
    form = {
        "action": "offer",
        "offer-application": str(application.pk),
        "offer-plot": str(town.plots[2].pk),
    }
    assert steward.post(g(town, "waitlist/"), form).status_code == 302
    offer = Assignment.objects.get(application=application)
    member = as_(town.ana)
    assert "Plots offered to you" in member.get("/gardens/mine/").content.decode()
    assert (
        member.post("/gardens/mine/", {"action": "accept", "accept-id": str(offer.pk)}).status_code
        == 302
    )
    offer.refresh_from_db()
    assert offer.status == "active" and offer.transfer_id is not None
    assert town.balance(town.garden_wallet) == 1200


def test_members_cannot_open_the_waitlist_or_change_the_layout(town, as_) -> None:
    client = as_(town.ana)
    assert client.get(g(town, "waitlist/")).status_code == 403
    assert client.get(g(town, "report/")).status_code == 403
    form = {
        "action": "plot",
        "plot-label": "Z9",
        "plot-size_m2": "3",
        "plot-x": "0",
        "plot-y": "3",
        "plot-w": "1",
        "plot-h": "1",
    }
    assert client.post(g(town), form).status_code == 403
    assert not town.garden.plots.filter(label="Z9").exists()


def test_another_communitys_garden_is_not_found(town, elsewhere, as_) -> None:
    client = as_(town.ana)
    for part in ("", "waitlist/", "workdays/", "harvests/", "report/"):
        assert client.get(f"/gardens/{elsewhere.garden.pk}/{part}").status_code == 404
    steward = as_(town.tess)
    assert steward.get(f"/gardens/{elsewhere.garden.pk}/waitlist/").status_code == 404


def test_a_negative_harvest_is_refused_with_400_and_nothing_is_logged(town, as_) -> None:
    client = as_(town.tess)
    form = {
        "action": "log",
        "log-crop": str(town.tomatoes.pk),
        "log-weight_g": "-300",
        "log-day": town.today.isoformat(),
        "log-donate": "on",
    }
    refused = client.post(g(town, "harvests/"), form)
    assert refused.status_code == 400 and "more than 0 grams" in refused.content.decode()
    assert not Harvest.objects.exists() and not Lot.objects.exists()
    form["log-weight_g"] = "1000"
    assert client.post(g(town, "harvests/"), form).status_code == 302
    assert Harvest.objects.get().donated and Lot.objects.count() == 1


def test_the_steward_plans_a_work_day_and_members_sign_up_once(town, as_) -> None:
    steward = as_(town.tess)
    starts = (town.today + timedelta(days=2)).isoformat()
    made = steward.post(
        g(town, "workdays/"),
        {
            "action": "workday",
            "workday-title": "Compost day",
            "workday-starts_at": f"{starts}T09:00",
            "workday-ends_at": f"{starts}T12:00",
        },
    )
    assert made.status_code == 302
    day = town.garden.work_days.get()
    task = services.task_create(actor=town.tess, work_day=day, title="Sift compost", capacity=3)
    member = as_(town.ana)
    assert (
        member.post(g(town, "workdays/"), {"action": "join", "join-id": str(task.pk)}).status_code
        == 302
    )
    assert (
        member.post(g(town, "workdays/"), {"action": "join", "join-id": str(task.pk)}).status_code
        == 400
    )
    assert TaskSignup.objects.filter(task=task).count() == 1
    assert "Sift compost" in member.get(g(town, "workdays/")).content.decode()


def test_the_report_draws_charts_and_exports_csv(town, as_) -> None:
    services.harvest_log(
        actor=town.tess,
        entry=services.HarvestEntry(crop=town.tomatoes, weight_g=2500, day=town.today),
        donate=True,
    )
    services.harvest_log(
        actor=town.tess, entry=services.HarvestEntry(crop=town.kale, weight_g=400, day=town.today)
    )
    client = as_(town.tess)
    page = client.get(g(town, "report/"))
    body = page.content.decode()
    assert page.status_code == 200 and body.count("<svg") == 3
    assert 'data-testid="harvest-kg">2.9<' in body and 'data-testid="pantry-kg">2.5<' in body
    exported = client.get(g(town, "report/") + "?format=csv")
    lines = exported.content.decode().splitlines()
    assert exported["Content-Type"].startswith("text/csv")
    assert "Tomatoes,1,2500,2500,5" in lines and "Kale,1,400,0,0" in lines


def test_a_crop_named_like_a_formula_exports_inert(town, as_) -> None:
    Crop.objects.filter(pk=town.kale.pk).update(name="=cmd|' /C calc'!A0")
    services.harvest_log(
        actor=town.tess, entry=services.HarvestEntry(crop=town.kale, weight_g=400, day=town.today)
    )
    exported = as_(town.tess).get(g(town, "report/") + "?format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert ["'=cmd|' /C calc'!A0", "1", "400", "0", "0"] in rows


def test_an_admin_sets_up_a_new_garden_and_a_member_cannot(town, as_) -> None:
    from mutua.community.roles import OrganizationKind, Role
    from mutua.community.tests.factories import OrganizationFactory, member_with
    from mutua.gardens.models import Garden

    heron = OrganizationFactory(
        community=town.community, kind=OrganizationKind.GARDEN, slug="heron", name="Heron Bend"
    )
    form = {"action": "setup", "setup-id": str(heron.pk)}
    member = as_(town.ana)
    assert "Set up its plot map" not in member.get("/gardens/").content.decode()
    assert member.post("/gardens/", form).status_code == 404
    assert not Garden.objects.filter(organization=heron).exists()
    admin = as_(member_with(Role.ADMIN, community=town.community, handle="ada"))
    assert "Heron Bend" in admin.get("/gardens/").content.decode()
    made = admin.post("/gardens/", form)
    garden = Garden.objects.get(organization=heron)
    assert made.status_code == 302 and made["Location"] == f"/gardens/{garden.pk}/"


def test_the_steward_withdraws_an_offer_from_the_waitlist_page(town, as_) -> None:
    offer = town.offer(town.apply(town.ana))
    steward = as_(town.tess)
    page = steward.get(g(town, "waitlist/")).content.decode()
    assert "Withdraw the offer of plot A1" in page
    form = {"action": "withdraw", "withdraw-id": str(offer.pk)}
    assert steward.post(g(town, "waitlist/"), form).status_code == 302
    assert Assignment.objects.get(pk=offer.pk).status == "withdrawn"
    assert as_(town.ana).post(g(town, "waitlist/"), form).status_code == 403


def test_an_admin_reads_the_waitlist_but_offers_nothing(town, as_) -> None:
    from mutua.community.roles import Role
    from mutua.community.tests.factories import member_with

    town.offer(town.apply(town.ana))
    admin = as_(member_with(Role.ADMIN, community=town.community, handle="ada"))
    page = admin.get(g(town, "waitlist/"))
    body = page.content.decode()
    assert page.status_code == 200 and town.ana.display_name in body
    assert "Offer the plot" not in body and "Withdraw the offer" not in body
