"""The garden steward's dashboard: the current season's waitlist and the harvest by crop, with a
chart."""

from django.test import Client

from mutua.gardens import services as garden_services
from mutua.gardens.tests.conftest import Town


def test_a_steward_sees_the_waitlist_and_the_harvest_by_crop(client: Client, town: Town) -> None:
    town.apply(town.ana)
    town.apply(town.ben)
    garden_services.harvest_log(
        actor=town.tess,
        entry=garden_services.HarvestEntry(town.tomatoes, 2500, town.today, town.plots[0]),
    )
    client.force_login(town.tess)
    page = client.get("/dashboard/garden_steward/").content.decode()
    assert "Spring: 2 people waiting for a plot." in page
    assert "Harvest by crop this season (kg)" in page and "Tomatoes" in page and "2.5" in page
    assert f"/gardens/{town.garden.pk}/waitlist/" in page
