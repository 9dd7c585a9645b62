"""URL map: pages (`web`, `community`), the JSON API at `/api/v1/`, the operator's Django admin."""

from django.contrib import admin
from django.urls import include, path

from mutua.api import api
from mutua.community import views as community_views
from mutua.currency import views as currency_views
from mutua.web import views as web_views

handler400 = "mutua.web.views.bad_request"
handler403 = "mutua.web.views.permission_denied"
handler404 = "mutua.web.views.page_not_found"
handler500 = "mutua.web.views.server_error"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("dashboard/", web_views.dashboard, name="dashboard"),
    path("dashboard/<str:role>/", web_views.dashboard_role, name="dashboard-role"),
    path("language/", web_views.language_set, name="language-set"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        community_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("join/<str:secret>/", community_views.invitation_accept, name="invitation-accept"),
    path("c/<slug:slug>/join/", community_views.join_request_create, name="join-request-create"),
    path("community/", include("mutua.community.urls")),
    path("ledger/", include("mutua.ledger.urls")),
    path("currency/", include("mutua.currency.urls")),
    path("aid/", include("mutua.aid.urls")),
    path("coop/", include("mutua.coop.urls")),
    path("gardens/", include("mutua.gardens.urls")),
    path("learning/", include("mutua.learning.urls")),
    path("art/", include("mutua.art.urls")),
    path("privacy/", include("mutua.privacy.urls")),
    path("pay/<str:handle>/", currency_views.pay, name="currency-pay"),
    path("c/<slug:slug>/transparency/", currency_views.transparency, name="currency-transparency"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
