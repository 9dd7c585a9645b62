"""Who may do what in the workshops: `community.permissions` rules `learning.*`, held in the school.

Programs, sessions and registrations carry (or reach) the school organization that runs them, so
passing one of them to `require`/`may` makes an educator's role count in that school only: an
educator of one school does not take attendance for another. Before a program exists, its school
stands in for it through `school_scope`.
"""

from dataclasses import dataclass
from uuid import UUID

from django.utils.translation import gettext as _

from mutua.community.models import Organization
from mutua.community.roles import OrganizationKind
from mutua.core.errors import MutuaError


@dataclass(frozen=True)
class SchoolScope:
    community_id: UUID
    organization_id: UUID


def school_scope(organization: Organization) -> SchoolScope:
    if organization.kind != OrganizationKind.SCHOOL:
        raise MutuaError(_("Workshops are run by a school."), code="not_a_school")
    return SchoolScope(organization.community_id, organization.id)
