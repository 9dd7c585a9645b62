"""The community gardens' pages, under `/gardens/`."""

from django.urls import path

from mutua.gardens import views

urlpatterns = [
    path("", views.garden_list, name="gardens-list"),
    path("mine/", views.mine, name="gardens-mine"),
    path("<uuid:garden_id>/", views.garden_detail, name="gardens-garden"),
    path("<uuid:garden_id>/waitlist/", views.waitlist, name="gardens-waitlist"),
    path("<uuid:garden_id>/workdays/", views.workdays, name="gardens-workdays"),
    path("<uuid:garden_id>/harvests/", views.harvests, name="gardens-harvests"),
    path("<uuid:garden_id>/report/", views.report, name="gardens-report"),
]
