"""Harvests: logged by the steward or by the plot holder, and given to the pantry in one step as
a stock lot that keeps for the crop's shelf life."""

from datetime import timedelta

import pytest

from mutua.aid.models import Intake, Item, Lot, StockLevel
from mutua.aid.services import Produce, harvest_receive
from mutua.core.errors import Forbidden, MutuaError, Refused
from mutua.gardens import services
from mutua.gardens.models import Harvest

pytestmark = pytest.mark.django_db


def entry(town, crop=None, grams=1200, days_ago=1, **kw):  # type: ignore[no-untyped-def]
    return services.HarvestEntry(
        crop=crop or town.tomatoes, weight_g=grams, day=town.today - timedelta(days=days_ago), **kw
    )


def test_a_donated_harvest_becomes_a_pantry_lot_with_the_crops_shelf_life(town) -> None:
    harvest = services.harvest_log(actor=town.tess, entry=entry(town, grams=1300), donate=True)
    lot = Lot.objects.get(pk=harvest.lot_id)
    assert harvest.donated and harvest.units == 3  # 1300 g in 500 g units: 2.6 → 3
    assert lot.expires == town.today - timedelta(days=1) + timedelta(days=7)
    assert (lot.item.name, lot.item.kind, lot.item.storage) == ("Tomatoes", "food", "ambient")
    level = StockLevel.objects.get(lot=lot)
    assert (level.location_id, level.on_hand) == (town.shelf.id, 3)
    intake = Intake.objects.get(pk=lot.intake_id)
    assert (intake.kind, intake.donor_kind, intake.donor_name) == (
        "donation",
        "garden",
        "Mill Street Garden",
    )
    assert harvest.season_id == town.spring.id


def test_cold_crops_go_to_the_fridge_and_reuse_their_item(town) -> None:
    first = services.harvest_log(actor=town.tess, entry=entry(town, town.kale, 500), donate=True)
    second = services.harvest_log(actor=town.tess, entry=entry(town, town.kale, 100), donate=True)
    assert StockLevel.objects.get(lot_id=first.lot_id).location_id == town.fridge.id
    assert second.units == 1  # less than a unit still gives one
    assert Item.objects.filter(name="Kale").count() == 1


def test_a_harvest_not_donated_touches_no_stock(town) -> None:
    harvest = services.harvest_log(actor=town.tess, entry=entry(town))
    assert (harvest.donated, harvest.lot_id, harvest.units) == (False, None, 0)
    assert not Lot.objects.exists()


def test_a_harvest_past_its_shelf_life_is_not_donated_and_not_logged(town) -> None:
    with pytest.raises(Refused):
        services.harvest_log(actor=town.tess, entry=entry(town, days_ago=9), donate=True)
    assert not Harvest.objects.exists() and not Lot.objects.exists()


@pytest.mark.parametrize("grams", [0, -5])
def test_a_negative_or_empty_harvest_is_refused(town, grams) -> None:
    with pytest.raises(MutuaError) as bad:
        services.harvest_log(actor=town.tess, entry=entry(town, grams=grams), donate=True)
    assert "weight_g" in bad.value.fields
    assert not Harvest.objects.exists() and not Lot.objects.exists()


def test_a_plot_holder_logs_their_own_harvest_but_does_not_donate(town) -> None:
    services.garden_settings_set(
        actor=town.tess, garden=town.garden, plot_fee=0, household_priority=False
    )
    offer = town.offer(town.apply(town.ana))
    with pytest.raises(Forbidden):  # offered, not yet hers
        services.harvest_log(actor=town.ana, entry=entry(town, plot=town.plots[0]))
    services.offer_accept(actor=town.ana, assignment=offer)
    harvest = services.harvest_log(actor=town.ana, entry=entry(town, plot=town.plots[0]))
    assert harvest.grower_id == town.ana.id
    by_steward = services.harvest_log(actor=town.tess, entry=entry(town, plot=town.plots[0]))
    assert (by_steward.grower_id, by_steward.logged_by_id) == (town.ana.id, town.tess.id)
    with pytest.raises(Forbidden):
        services.harvest_log(actor=town.ana, entry=entry(town, plot=town.plots[1]))
    with pytest.raises(Forbidden):
        services.harvest_log(actor=town.ana, entry=entry(town, plot=town.plots[0]), donate=True)
    assert Harvest.objects.count() == 2


def test_the_pantry_takes_harvests_only_from_that_gardens_steward(town) -> None:
    """Aid's rules stay as they were: a coordinator or volunteer of the pantry is not thereby a
    garden steward, and a steward gets no pantry role from `harvest_receive`."""
    produce = Produce(name="Beans", unit="500 g")
    for outsider in (town.cora, town.ana):
        with pytest.raises(Forbidden):
            harvest_receive(
                actor=outsider, garden=town.org, produce=produce, quantity=1, expires=town.today
            )
    lot = harvest_receive(
        actor=town.tess, garden=town.org, produce=produce, quantity=2, expires=town.today
    )
    assert lot.item.category == "garden-produce"
    from mutua.aid.access import aid_may

    assert not aid_may(town.tess, "aid.stock.receive", town.community)
