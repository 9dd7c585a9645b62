"""Stories of a week at the pantry: requests, a previewed and committed allocation, pick-up,
delivery with private addresses, returning packed stock, and stale previews refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mutua.aid import selectors, services
from mutua.aid.models import AllocationRun, Pick, StockLevel
from mutua.core.errors import Forbidden, MutuaError, NotFound, Refused, Unavailable
from mutua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def wish(quantity, item=None, category=""):
    return services.LineWish(quantity=quantity, item=item, category=category)


def ask(pantry, household, *lines, fulfilment="pick_up"):
    return services.request_create(
        actor=pantry.cora, household=household, lines=list(lines), fulfilment=fulfilment
    )


def on_shelves(pantry, item) -> int:
    return sum(
        lv.on_hand
        for lv in StockLevel.objects.filter(lot__item=item).exclude(location__kind="held")
    )


def preview(pantry, **kwargs):
    return services.run_preview(
        actor=pantry.cora, community=pantry.community, pickup=pantry.today, **kwargs
    )


def test_scarce_rice_is_shared_fairly_and_the_allergic_household_gets_no_peanuts(pantry):
    pantry.receive(pantry.rice, 4)
    pantry.receive(pantry.peanut_butter, 5)
    rivera = ask(pantry, pantry.rivera, wish(4, pantry.rice), wish(2, pantry.peanut_butter))
    okafor = ask(pantry, pantry.okafor, wish(4, pantry.rice), wish(2, pantry.peanut_butter))
    run = preview(pantry)
    assert run.status == "preview" and run.rule_version
    assert on_shelves(pantry, pantry.rice) == 4  # a preview moves nothing
    services.run_commit(actor=pantry.cora, run=run)
    given = {
        (p.request_id, p.lot.item.name): p.quantity
        for p in Pick.objects.filter(run=run).select_related("lot__item")
    }
    assert given.get((rivera.id, "Peanut butter"), 0) == 0
    assert given[(okafor.id, "Peanut butter")] == 2
    # Rivera is urgent: served first, so it gets all the rice it asked for.
    assert given[(rivera.id, "Rice")] == 4
    assert on_shelves(pantry, pantry.rice) == 0
    rivera.refresh_from_db()
    assert rivera.status == "allocated"


def test_the_run_keeps_its_inputs_and_logs_the_needs_it_read(pantry):
    pantry.receive(pantry.rice, 2)
    ask(pantry, pantry.rivera, wish(1, pantry.rice))
    run = preview(pantry)
    assert "peanuts" in str(run.inputs)
    entry = AuditEntry.objects.get(action="aid.run.needs_read")
    assert str(pantry.rivera.id) in str(entry.data)


def test_a_solver_that_cannot_finish_stores_nothing_and_says_so(pantry, solver_fails):
    pantry.receive(pantry.rice, 3)  # 4 asked: the linear programs are needed
    ask(pantry, pantry.rivera, wish(2, pantry.rice))
    ask(pantry, pantry.okafor, wish(2, pantry.rice))
    with pytest.raises(Unavailable) as failed:
        preview(pantry)
    assert failed.value.code == "allocation_failed" and failed.value.status == 503
    assert "nothing was stored" in failed.value.message
    assert not AllocationRun.objects.exists()
    assert not AuditEntry.objects.filter(action="aid.run.needs_read").exists()


def test_a_volunteer_cannot_run_or_commit_an_allocation(pantry):
    pantry.receive(pantry.rice, 2)
    ask(pantry, pantry.okafor, wish(1, pantry.rice))
    with pytest.raises(Forbidden):
        services.run_preview(actor=pantry.dev, community=pantry.community, pickup=pantry.today)
    run = preview(pantry)
    with pytest.raises(Forbidden):
        services.run_commit(actor=pantry.dev, run=run)


def test_a_stale_preview_is_refused_whole(pantry):
    lot = pantry.receive(pantry.rice, 4)
    ask(pantry, pantry.okafor, wish(4, pantry.rice))
    run = preview(pantry)
    services.stock_adjust(
        actor=pantry.cora, lot=lot, location=pantry.shelf, change=-2, reason="spoiled"
    )
    with pytest.raises(Refused, match="preview again"):
        services.run_commit(actor=pantry.cora, run=run)
    run.refresh_from_db()
    assert run.status == "preview"
    assert on_shelves(pantry, pantry.rice) == 2
    assert not Pick.objects.exists()


def test_a_run_is_decided_once(pantry):
    pantry.receive(pantry.rice, 4)
    ask(pantry, pantry.okafor, wish(1, pantry.rice))
    run = preview(pantry)
    services.run_discard(actor=pantry.cora, run=run)
    with pytest.raises(Refused):
        services.run_commit(actor=pantry.cora, run=run)
    assert AllocationRun.objects.get().status == "discarded"


def test_pickup_hands_out_what_was_packed_and_release_puts_it_back(pantry):
    pantry.receive(pantry.rice, 6)
    first = ask(pantry, pantry.okafor, wish(2, pantry.rice))
    second = ask(pantry, pantry.rivera, wish(3, pantry.rice))
    services.run_commit(actor=pantry.cora, run=preview(pantry))
    services.request_pickup(actor=pantry.dev, request=first)
    services.request_release(actor=pantry.cora, request=second, note="did not come")
    assert on_shelves(pantry, pantry.rice) == 4
    second.refresh_from_db()
    assert second.status == "new"
    assert list(first.events.values_list("status", flat=True)) == ["new", "allocated", "fulfilled"]
    with pytest.raises(Refused):
        services.request_pickup(actor=pantry.dev, request=first)
    assert selectors.levels_verify() == []


def test_expired_and_soon_expiring_lots_are_never_allocated(pantry):
    pantry.receive(pantry.milk, 5, days=1)  # expires before a pick-up in three days
    ask(pantry, pantry.okafor, wish(2, pantry.milk))
    run = services.run_preview(
        actor=pantry.cora,
        community=pantry.community,
        pickup=pantry.today + timedelta(days=3),
    )
    services.run_commit(actor=pantry.cora, run=run)
    assert not Pick.objects.exists()


def plan_today(pantry, *drivers):
    return services.routes_plan(
        actor=pantry.cora,
        depot=pantry.shelf,
        day=pantry.today,
        drivers=[
            services.DriverShift(driver=d, capacity=10, starts=600, ends=840) for d in drivers
        ],
    )


def test_a_driver_sees_only_their_own_stops_and_the_address_closes_after_two_days(pantry):
    pantry.receive(pantry.rice, 10)
    request = ask(pantry, pantry.rivera, wish(2, pantry.rice), fulfilment="delivery")
    services.run_commit(actor=pantry.cora, run=preview(pantry))
    planned = plan_today(pantry, pantry.dev)
    assert len(planned.routes) == 1 and planned.dropped == []
    stop = planned.routes[0].stops.get()
    assert stop.cross_streets == "Elm St & 3rd Ave"
    with pytest.raises(NotFound):
        services.stop_for_driver(actor=pantry.eli, stop_id=stop.id)
    with pytest.raises(NotFound):
        services.stop_deliver(actor=pantry.eli, stop_id=stop.id)
    with pytest.raises(NotFound):
        selectors.route_get(viewer=pantry.eli, route_id=planned.routes[0].id)
    address = selectors.stop_address(viewer=pantry.dev, stop=stop)
    assert address is not None and address.address == pantry.rivera.needs.address
    services.stop_deliver(actor=pantry.dev, stop_id=stop.id)
    stop.refresh_from_db()
    request.refresh_from_db()
    assert request.status == "fulfilled"
    assert selectors.stop_address(viewer=pantry.dev, stop=stop) is not None
    later = timezone.now() + timedelta(days=2, hours=1)
    assert selectors.stop_address(viewer=pantry.dev, stop=stop, now=later) is None
    assert AuditEntry.objects.filter(action="aid.stop.address_viewed").count() == 2


def test_a_household_without_coordinates_is_reported_not_routed(pantry):
    pantry.receive(pantry.rice, 10)
    pantry.okafor.needs.latitude = None
    pantry.okafor.needs.save()
    ask(pantry, pantry.okafor, wish(1, pantry.rice), fulfilment="delivery")
    services.run_commit(actor=pantry.cora, run=preview(pantry))
    with pytest.raises(Refused, match="coordinates"):
        plan_today(pantry, pantry.dev)


def test_returning_a_lot_packed_from_two_shelves_puts_each_unit_back_where_it_was(pantry):
    lot = pantry.receive(pantry.beans, 4)
    services.stock_transfer(
        actor=pantry.cora, lot=lot, source=pantry.shelf, target=pantry.fridge, quantity=2
    )
    request = ask(pantry, pantry.okafor, wish(4, pantry.beans))
    services.run_commit(actor=pantry.cora, run=preview(pantry))
    services.request_release(actor=pantry.cora, request=request)
    levels = {lv.location_id: lv.on_hand for lv in StockLevel.objects.filter(lot=lot)}
    assert (levels[pantry.shelf.id], levels[pantry.fridge.id]) == (2, 2)


def test_only_aid_volunteers_drive(pantry):
    pantry.receive(pantry.rice, 10)
    ask(pantry, pantry.rivera, wish(2, pantry.rice), fulfilment="delivery")
    services.run_commit(actor=pantry.cora, run=preview(pantry))
    with pytest.raises(MutuaError, match="gus"):
        plan_today(pantry, pantry.gus)
