"""Who may do what in the pantry: `community.permissions` rules, held in the aid group.

The aid roles (coordinator, volunteer) count only when held in the community's mutual aid group:
a volunteer of the community garden is not thereby a pantry volunteer. Aid rows (items, lots,
requests ...) carry their community but no organization, so every check goes through `aid_scope`,
which stands for "this community's aid group". A community without an aid group leaves the aid
actions to community-wide roles only.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from mutua.community.models import Organization
from mutua.community.permissions import may, require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import NotFound

# Stands for "no aid group": no membership names it, so only community-wide roles pass.
NO_AID_GROUP = UUID(int=0)


@dataclass(frozen=True)
class AidScope:
    community_id: UUID
    organization_id: UUID


def aid_group_id(community_id: UUID) -> UUID:
    found = (
        Organization.objects.filter(community_id=community_id, kind=OrganizationKind.AID_GROUP)
        .order_by("name")
        .values_list("id", flat=True)
        .first()
    )
    return found or NO_AID_GROUP


def aid_scope(community_id: UUID) -> AidScope:
    return AidScope(community_id=community_id, organization_id=aid_group_id(community_id))


def _same_community(actor: Any, obj: Any) -> bool:
    community_id = getattr(obj, "community_id", None)
    if community_id is None and obj.__class__.__name__ == "Community":
        community_id = obj.pk
    return community_id == getattr(actor, "community_id", None)


def aid_may(actor: Any, action: str, obj: Any = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.community_id:
        return False
    if obj is not None and not _same_community(actor, obj):
        return False
    return may(actor, action, aid_scope(actor.community_id))


def aid_require(actor: Any, action: str, obj: Any = None) -> None:
    """`NotFound` for another community's object, `Forbidden` without the role in the aid group."""
    if obj is not None and actor is not None and not _same_community(actor, obj):
        raise NotFound(_("Not found."))
    require(actor, action, aid_scope(actor.community_id) if actor is not None else None)
