from django.urls import path

from mutua.currency import views

urlpatterns = [
    path("wallet/", views.wallet, name="currency-wallet"),
    path("receipts/<uuid:transfer_id>/", views.receipt, name="currency-receipt"),
    path("qr/<str:handle>/", views.qr, name="currency-qr"),
    path("desk/", views.desk, name="currency-desk"),
    path("report/", views.report, name="currency-report"),
]
