from django.urls import path

from mutua.ledger import views

urlpatterns = [
    path("accounts/", views.account_list, name="ledger-account-list"),
    path("accounts/<uuid:account_id>/", views.account_detail, name="ledger-account-detail"),
]
