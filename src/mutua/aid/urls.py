"""The mutual aid pages, under `/aid/`."""

from django.urls import path

from mutua.aid import views

urlpatterns = [
    path("stock/", views.stock, name="aid-stock"),
    path("stock/counts/<uuid:count_id>/", views.count, name="aid-count"),
    path("intake/", views.intake, name="aid-intake"),
    path("intake/<uuid:intake_id>/", views.intake_receipt, name="aid-intake-receipt"),
    path("requests/", views.request_list, name="aid-request-list"),
    path("requests/new/", views.ask, name="aid-request-new"),
    path("requests/phone/", views.phone, name="aid-request-phone"),
    path("requests/mine/", views.my_requests, name="aid-my-requests"),
    path("requests/<uuid:request_id>/", views.request_detail, name="aid-request-detail"),
    path("offers/", views.offers, name="aid-offers"),
    path("runs/", views.runs, name="aid-runs"),
    path("runs/<uuid:run_id>/", views.run, name="aid-run"),
    path("runs/<uuid:run_id>/pick-lists/", views.pick_lists, name="aid-pick-lists"),
    path("pickups/", views.pickups, name="aid-pickups"),
    path("routes/", views.routes, name="aid-routes"),
    path("routes/mine/", views.my_routes, name="aid-my-routes"),
    path("routes/<uuid:route_id>/", views.route, name="aid-route"),
    path("stops/<uuid:stop_id>/", views.stop, name="aid-stop"),
    path("shifts/", views.shifts, name="aid-shifts"),
    path("report/", views.report, name="aid-report"),
]
