"""The web shell: landing page, sign-in, per-role dashboards, language switch, error pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from mutua.community.permissions import dashboards_for, require
from mutua.community.roles import Role
from mutua.web.dashboards import dashboard_context, dashboard_template
from mutua.web.errors import error_page


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Handle"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    error_messages = {
        "invalid_login": _("That handle and password do not match. Please try again."),
        "inactive": _("This account is waiting for approval by a coordinator."),
    }


class LoginView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and getattr(request.user, "community_id", None):
        return redirect("dashboard")
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    roles = dashboards_for(request.user)
    if not roles:
        if request.user.is_superuser:
            return redirect("admin:index")
        return error_page(request, 403, str(_("Your account has no role yet.")))
    return redirect("dashboard-role", role=roles[0].value)


@login_required
def dashboard_role(request: HttpRequest, role: str) -> HttpResponse:
    if role not in Role.values:
        return error_page(request, 404)
    chosen = Role(role)
    require(request.user, f"dashboard.{chosen.value}")
    context: dict[str, Any] = {"role": chosen, **dashboard_context(request.user, chosen)}  # type: ignore[arg-type]
    return render(request, dashboard_template(chosen), context)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's `set_language`, and for a signed-in member also their preferred language."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    languages = dict(settings.LANGUAGES)
    if user.is_authenticated and language in languages and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    if not isinstance(response, HttpResponseRedirect):
        return redirect(reverse("home"))
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return HttpResponse(
            b'{"code": "not_found", "message": "Not found."}',
            status=404,
            content_type="application/json",
        )
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: whatever failed may fail again."""
    if request.path.startswith("/api/"):
        return HttpResponse(
            b'{"code": "server_error", "message": "Something went wrong on our side."}',
            status=500,
            content_type="application/json",
        )
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
