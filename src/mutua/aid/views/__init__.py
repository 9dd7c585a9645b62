"""Mutual aid pages: stock, intake and donor receipts, requests and offers, allocation runs and pick
lists, the pick-up desk, delivery routes, volunteers' shifts and hours, and the aid report.

Thin shells: every page reads through `selectors` (which check the role first) or calls one
service, and every POST names its `action`. A page's actions are `Act`s: the form that parses the
input and the function that calls the service. A `MutuaError` lands beside the form's fields
(`form_add_error`), the page answers 400 and nothing changes; `NotFound` and `Forbidden` go on to
the error pages (404, 403), so another community's object, or another driver's stop, does not
exist for the viewer.

Private data has the selectors' two doors only: a coordinator sees a request's household needs
through `selectors.request_needs` (audit-logged), and a driver sees their own stops' addresses
through `selectors.stop_address` (logged, closed two days after delivery). Everyone else sees a
stop's cross streets at most.
"""

from mutua.aid.views.distribution import (
    my_routes,
    pick_lists,
    pickups,
    route,
    routes,
    run,
    runs,
    stop,
)
from mutua.aid.views.requests import ask, my_requests, offers, phone, request_detail, request_list
from mutua.aid.views.stock import count, intake, intake_receipt, stock
from mutua.aid.views.volunteers import report, shifts

__all__ = [
    "ask",
    "count",
    "intake",
    "intake_receipt",
    "my_requests",
    "my_routes",
    "offers",
    "phone",
    "pick_lists",
    "pickups",
    "report",
    "request_detail",
    "request_list",
    "route",
    "routes",
    "run",
    "runs",
    "shifts",
    "stock",
    "stop",
]
