"""Who may act for a co-op: `community.permissions` rules, with the role held in that co-op.

Co-op rows carry their co-op as `organization`, so `require(actor, action, row)` already asks for
the role in that co-op. For an action on the co-op itself (add a product, open a cycle),
`coop_scope` stands for "inside this co-op". The aid group's actions here (bulk orders, vouchers,
referrals) go through `mutua.aid.access`, where the aid roles count.
"""

from dataclasses import dataclass
from uuid import UUID

from django.utils.translation import gettext as _

from mutua.community.models import Community, Organization
from mutua.community.roles import OrganizationKind
from mutua.core.errors import NotFound


@dataclass(frozen=True)
class CoopScope:
    community_id: UUID
    organization_id: UUID


def coop_scope(coop: Organization) -> CoopScope:
    return CoopScope(community_id=coop.community_id, organization_id=coop.pk)


def coop_get(community: Community, coop_id: UUID | str) -> Organization:
    """The community's food co-op with this id, or `NotFound`."""
    found = Organization.objects.filter(
        community=community, kind=OrganizationKind.FOOD_COOP, pk=coop_id
    ).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def coops_of(community: Community) -> list[Organization]:
    return list(
        Organization.objects.filter(community=community, kind=OrganizationKind.FOOD_COOP).order_by(
            "name"
        )
    )
