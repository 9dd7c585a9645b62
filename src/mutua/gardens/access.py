"""Who may do what in a garden: `community.permissions` rules `gardens.*`, held in the garden.

A garden's rows carry their community and (through the garden) its organization, so passing the
`Garden` to `require`/`may` makes a steward's role count in that garden only. Before a garden
exists, its organization stands in for it through `organization_scope`.
"""

from dataclasses import dataclass
from uuid import UUID

from mutua.community.models import Organization


@dataclass(frozen=True)
class OrganizationScope:
    community_id: UUID
    organization_id: UUID


def organization_scope(organization: Organization) -> OrganizationScope:
    return OrganizationScope(organization.community_id, organization.id)
