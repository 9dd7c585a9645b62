from django.urls import path

from mutua.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy-home"),
    path("export/", views.export_download, name="privacy-export"),
    path("deletion/", views.deletion, name="privacy-deletion"),
    path("requests/", views.deletion_request_list, name="privacy-deletion-requests"),
    path(
        "requests/<uuid:request_id>/carry-out/",
        views.deletion_carry_out,
        name="privacy-deletion-carry-out",
    ),
]
