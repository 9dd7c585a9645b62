"""The aid app's writers, one module per part of the work; import them from here.

- `stock`: items, locations, receiving, moving, adjusting, disposing of expired lots, counts.
- `intake`: donations and purchases (paid from the aid fund), by hand or from a CSV list, and
  community gardens' harvests.
- `requests`: requests (by households, or taken by phone) and their states; offers.
- `distribution`: allocation runs, pick-up, returning packed stock, delivery routes and stops.
- `volunteers`: shifts, sign-ups, hours.
"""

from mutua.aid.services.distribution import (
    DriverShift,
    Planned,
    request_held,
    request_pickup,
    request_release,
    routes_plan,
    run_commit,
    run_discard,
    run_picks,
    run_preview,
    stop_addresses_forget,
    stop_deliver,
    stop_for_driver,
)
from mutua.aid.services.intake import (
    Donor,
    IntakeLine,
    Produce,
    harvest_receive,
    intake_lines_from_csv,
    intake_record,
)
from mutua.aid.services.requests import (
    LineWish,
    box_lines,
    offer_close,
    offer_create,
    offers_forget,
    request_cancel,
    request_create,
    request_move,
    request_notes_forget,
)
from mutua.aid.services.stock import (
    count_finalize,
    count_record,
    count_start,
    expired_dispose,
    held_location,
    item_create,
    location_create,
    movement_write,
    stock_adjust,
    stock_receive,
    stock_transfer,
)
from mutua.aid.services.volunteers import hours_log, shift_create, shift_join, shift_leave

__all__ = [
    "Donor",
    "DriverShift",
    "IntakeLine",
    "LineWish",
    "Planned",
    "Produce",
    "box_lines",
    "count_finalize",
    "count_record",
    "count_start",
    "expired_dispose",
    "harvest_receive",
    "held_location",
    "hours_log",
    "intake_lines_from_csv",
    "intake_record",
    "item_create",
    "location_create",
    "movement_write",
    "offer_close",
    "offer_create",
    "offers_forget",
    "request_cancel",
    "request_create",
    "request_held",
    "request_move",
    "request_notes_forget",
    "request_pickup",
    "request_release",
    "routes_plan",
    "run_commit",
    "run_discard",
    "run_picks",
    "run_preview",
    "shift_create",
    "shift_join",
    "shift_leave",
    "stock_adjust",
    "stock_receive",
    "stock_transfer",
    "stop_addresses_forget",
    "stop_deliver",
    "stop_for_driver",
]
