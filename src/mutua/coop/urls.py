"""The food co-op's pages, under `/coop/`."""

from django.urls import path

from mutua.coop import views

urlpatterns = [
    path("", views.home, name="coop-home"),
    path("aid/", views.aid_partnership, name="coop-aid"),
    path("cycles/<uuid:cycle_id>/", views.cycle_detail, name="coop-cycle"),
    path("orders/<uuid:order_id>/", views.order_detail, name="coop-order"),
    path("products/<uuid:product_id>/", views.product_edit, name="coop-product"),
    path("<uuid:coop_id>/catalogue/", views.catalogue, name="coop-catalogue"),
    path("<uuid:coop_id>/vouchers/", views.voucher_desk, name="coop-vouchers"),
]
