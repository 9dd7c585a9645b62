"""Community pages: members, organizations, households and their needs, joining, the audit log,
the profile with personal API tokens. Thin: parse, call one service or selector, render."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.community import selectors, services
from mutua.community.forms import (
    ApiTokenForm,
    HouseholdCreateForm,
    HouseholdNeedsForm,
    InvitationForm,
    JoinRequestForm,
    PasswordResetForm,
    ProfileForm,
    RoleGrantForm,
    SignUpForm,
)
from mutua.community.models import Community
from mutua.community.permissions import may, require, signed_in
from mutua.community.roles import Role
from mutua.core.errors import MutuaError
from mutua.core.selectors import audit_list as audit_entries
from mutua.core.selectors import audit_verify
from mutua.web.errors import error_page, form_add_error


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/member_list.html",
        {"members": selectors.member_list(viewer=signed_in(request))},
    )


@login_required
def member_detail(request: HttpRequest, handle: str) -> HttpResponse:
    """A member and their roles; admins grant roles here (POST) and revoke them below."""
    viewer = signed_in(request)
    member = selectors.member_get(viewer=viewer, handle=handle)
    can_manage = may(viewer, "member.manage_roles", member)
    if request.method == "POST":
        require(viewer, "member.manage_roles", member)
    form = RoleGrantForm(request.POST or None, community_id=viewer.tenant_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_grant(
                actor=viewer,
                member=member,
                role=Role(form.cleaned_data["role"]),
                organization=form.cleaned_data["organization"],
            )
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Role granted."))
            return redirect("member-detail", handle=member.handle)
    return render(
        request,
        "community/member_detail.html",
        {
            "member": member,
            "form": form,
            "can_manage": can_manage,
            "memberships": member.memberships.select_related("organization").order_by("role"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def membership_revoke(request: HttpRequest, membership_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    membership = selectors.membership_get(viewer=viewer, membership_id=membership_id)
    try:
        services.membership_revoke(actor=viewer, membership=membership)
    except MutuaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role removed."))
    return redirect("member-detail", handle=membership.member.handle)


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/organization_list.html",
        {"organizations": selectors.organization_list(viewer=signed_in(request))},
    )


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    return render(
        request,
        "community/household_list.html",
        {
            "households": selectors.household_list(viewer=viewer),
            "can_create": may(viewer, "household.create", viewer.community),
        },
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "household.create", viewer.community)
    with_needs = may(viewer, "household.edit_needs", viewer.community)
    form = HouseholdCreateForm(request.POST or None, with_needs=with_needs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name, size = data.pop("name"), data.pop("size")
        try:
            household = services.household_create(
                community=viewer.tenant, name=name, size=size, actor=viewer, needs=data or None
            )
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Household added."))
            return redirect("household-detail", household_id=household.pk)
    return render(
        request, "community/household_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def household_detail(request: HttpRequest, household_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    household = selectors.household_get(viewer=viewer, household_id=household_id)
    needs = None
    if may(viewer, "household.view_needs", household):
        needs = selectors.household_needs_get(viewer=viewer, household=household)
    return render(
        request,
        "community/household_detail.html",
        {
            "household": household,
            "needs": needs,
            "can_edit": may(viewer, "household.edit_needs", household),
        },
    )


@login_required
def household_needs_edit(request: HttpRequest, household_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    household = selectors.household_get(viewer=viewer, household_id=household_id)
    require(viewer, "household.edit_needs", household)
    needs = selectors.household_needs_get(viewer=viewer, household=household)
    form = HouseholdNeedsForm(
        request.POST or None,
        initial=needs.details(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_needs_update(actor=viewer, household=household, **form.cleaned_data)
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("household-detail", household_id=household.pk)
    return render(
        request,
        "community/household_needs_form.html",
        {"household": household, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    invitations = selectors.invitation_list(viewer=viewer)
    form = InvitationForm(request.POST or None, community_id=viewer.community_id)
    new_link = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, secret = services.invitation_create(actor=viewer, **form.cleaned_data)
        except MutuaError as error:
            form_add_error(form, error)
        else:
            new_link = request.build_absolute_uri(f"/join/{secret}/")
            form = InvitationForm(community_id=viewer.community_id)
    return render(
        request,
        "community/invitation_list.html",
        {
            "invitations": invitations[:50],
            "form": form,
            "new_link": new_link,
            "can_grant_roles": may(viewer, "invitation.grant_role", viewer.community),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    invitation = selectors.invitation_get(viewer=viewer, invitation_id=invitation_id)
    try:
        services.invitation_revoke(actor=viewer, invitation=invitation)
    except MutuaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was withdrawn; its link no longer works."))
    return redirect("invitation-list")


def _signup_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: data[key]
        for key in ("handle", "display_name", "email", "password", "preferred_language")
    }


def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_secret(secret)
    except MutuaError as error:
        return render(
            request,
            "community/invitation_invalid.html",
            {"message": error.message},
            status=error.status,
        )
    form = SignUpForm(
        request.POST or None,
        initial={
            "email": invitation.email,
            "preferred_language": invitation.community.default_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(secret=secret, **_signup_kwargs(form.cleaned_data))
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Welcome! Your account is ready: please sign in."))
            return redirect("login")
    return render(
        request,
        "community/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def join_request_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    form = JoinRequestForm(
        request.POST or None, initial={"preferred_language": community.default_language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                community=community,
                message=form.cleaned_data["message"],
                **_signup_kwargs(form.cleaned_data),
            )
        except MutuaError as error:
            form_add_error(form, error)
        else:
            return render(request, "community/join_request_sent.html", {"community": community})
    return render(
        request,
        "community/join_request_form.html",
        {"community": community, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def join_request_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/join_request_list.html",
        {"join_requests": selectors.join_request_list(viewer=signed_in(request))},
    )


@login_required
@require_POST
def join_request_decide(request: HttpRequest, join_request_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    join_request = selectors.join_request_get(viewer=viewer, join_request_id=join_request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(actor=viewer, join_request=join_request, approve=approve)
    except MutuaError as error:
        messages.error(request, error.message)
    else:
        name = join_request.member.display_name
        messages.success(
            request,
            _("%(name)s can now sign in.") % {"name": name}
            if approve
            else _("The request from %(name)s was declined.") % {"name": name},
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect(next_url or "join-request-list")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "audit.view", viewer.community)
    problems = audit_verify(community_id=viewer.community_id)
    return render(
        request,
        "community/audit_list.html",
        {
            "entries": audit_entries(community_id=viewer.community_id),
            "problems": [p for found in problems.values() for p in found],
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    member = signed_in(request)
    if member.community_id is None:
        return error_page(request, 404)
    profile_form = ProfileForm(
        initial={
            "display_name": member.display_name,
            "email": member.email,
            "phone": member.phone,
            "preferred_language": member.preferred_language,
        }
    )
    token_form = ApiTokenForm()
    new_token = None
    if request.method == "POST" and request.POST.get("form") == "token":
        token_form = ApiTokenForm(request.POST)
        if token_form.is_valid():
            try:
                _token, new_token = services.api_token_create(
                    member=member, name=token_form.cleaned_data["name"]
                )
            except MutuaError as error:
                form_add_error(token_form, error)
            else:
                token_form = ApiTokenForm()
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            services.member_update(member=member, **profile_form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("profile")
    return render(
        request,
        "community/profile.html",
        {
            "profile_form": profile_form,
            "token_form": token_form,
            "new_token": new_token,
            "tokens": selectors.api_token_list(member=member),
            "roles": [
                (Role(m.role).label, m.organization)
                for m in member.memberships.select_related("organization")
            ],
        },
        status=400 if profile_form.errors or token_form.errors else 200,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: UUID) -> HttpResponse:
    services.api_token_revoke(member=signed_in(request), token_id=token_id)
    messages.success(request, _("The token was revoked."))
    return redirect("profile")
