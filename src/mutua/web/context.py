"""Template context for the layout: the navigation a signed-in member's roles give them."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mutua.aid.access import aid_scope
from mutua.community.permissions import dashboards_for, may
from mutua.gardens.models import Application
from mutua.learning.models import Registration

# (label, url name, action that must be allowed)
_LINKS = [
    (_("My wallet"), "currency-wallet", "ledger.account.list"),
    (_("Food co-op"), "coop-home", "coop.catalogue.view"),
    (_("Credit union desk"), "currency-desk", "currency.exchange"),
    (_("Currency figures"), "currency-report", "currency.report"),
    (_("Members"), "member-list", "member.list"),
    (_("Organizations"), "organization-list", "organization.list"),
    (_("Accounts"), "ledger-account-list", "ledger.account.list"),
    (_("Households"), "household-list", "household.list"),
    (_("Join requests"), "join-request-list", "join_request.decide"),
    (_("Invitations"), "invitation-list", "invitation.create"),
    (_("Audit log"), "audit-list", "audit.view"),
    (_("Deletion requests"), "privacy-deletion-requests", "privacy.deletion.decide"),
]
# The pantry's pages: their roles count only when held in the community's aid group (`aid.access`).
# (label, url name, action that must be allowed, action that hides the link because another page
# covers it: coordinators reach their own routes from "Deliveries"; pantry staff reach the offers
# from their dashboards)
_AID_LINKS = [
    (_("Pantry stock"), "aid-stock", "aid.stock.view", None),
    (_("Intake"), "aid-intake", "aid.stock.receive", None),
    (_("Aid requests"), "aid-request-list", "aid.request.list", None),
    (_("Allocation"), "aid-runs", "aid.allocate", None),
    (_("Pick-ups"), "aid-pickups", "aid.pickup", None),
    (_("Deliveries"), "aid-routes", "aid.route.plan", None),
    (_("My routes"), "aid-my-routes", "aid.route.drive", "aid.route.plan"),
    (_("Shifts"), "aid-shifts", "aid.shift.join", None),
    (_("Aid report"), "aid-report", "aid.report", None),
    (_("Offer help"), "aid-offers", "aid.offer.create", "aid.stock.view"),
]
# The community gardens: every member sees them; "My garden plots" once they have applied.
_GARDEN_LINKS = [
    (_("Gardens"), "gardens-list"),
    (_("My garden plots"), "gardens-mine"),
]
# The workshops: every member sees them; "My workshops" once they have registered.
_LEARNING_LINKS = [
    (_("Workshops"), "learning-programs"),
    (_("My workshops"), "learning-mine"),
]
# A household's own pages: for members who belong to a household.
_HOUSEHOLD_LINKS = [
    (_("Ask for aid"), "aid-request-new"),
    (_("My requests"), "aid-my-requests"),
]


def _aid_links(user: Any) -> list[dict[str, Any]]:
    scope = aid_scope(user.community_id)  # one look-up of the aid group for all the links
    links = [
        {"label": label, "url": reverse(name)}
        for label, name, action, covered in _AID_LINKS
        if may(user, action, scope) and not (covered and may(user, covered, scope))
    ]
    if user.household_id is not None:
        links += [{"label": label, "url": reverse(name)} for label, name in _HOUSEHOLD_LINKS]
    return links


def _garden_links(user: Any) -> list[dict[str, Any]]:
    if not may(user, "gardens.garden.view", user.community):
        return []
    applied = Application.objects.filter(community_id=user.community_id, member=user).exists()
    return [
        {"label": label, "url": reverse(name)}
        for label, name in _GARDEN_LINKS[: 2 if applied else 1]
    ]


def _learning_links(user: Any) -> list[dict[str, Any]]:
    if not may(user, "learning.program.view", user.community):
        return []
    registered = Registration.objects.filter(community_id=user.community_id, member=user).exists()
    return [
        {"label": label, "url": reverse(name)}
        for label, name in _LEARNING_LINKS[: 2 if registered else 1]
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "community_id", None) is None:
        return {"nav_dashboards": [], "nav_links": []}
    community = user.community
    return {
        "nav_community": community,
        "nav_dashboards": [
            {
                "role": role.value,
                "label": role.label,
                "url": reverse("dashboard-role", args=[role.value]),
            }
            for role in dashboards_for(user)
        ],
        "nav_links": [
            {"label": label, "url": reverse(name)}
            for label, name, action in _LINKS
            if may(user, action, community)
        ]
        + _aid_links(user)
        + _garden_links(user)
        + _learning_links(user),
    }
