"""Template context for the layout: the navigation a signed-in member's roles give them."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mutua.community.permissions import dashboards_for, may

# (label, url name, action that must be allowed)
_LINKS = [
    (_("My wallet"), "currency-wallet", "ledger.account.list"),
    (_("Credit union desk"), "currency-desk", "currency.exchange"),
    (_("Currency figures"), "currency-report", "currency.report"),
    (_("Members"), "member-list", "member.list"),
    (_("Organizations"), "organization-list", "organization.list"),
    (_("Accounts"), "ledger-account-list", "ledger.account.list"),
    (_("Households"), "household-list", "household.list"),
    (_("Join requests"), "join-request-list", "join_request.decide"),
    (_("Invitations"), "invitation-list", "invitation.create"),
    (_("Audit log"), "audit-list", "audit.view"),
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
        ],
    }
