"""Two communities side by side, with one person per role in the first: the cast of most tests."""

from dataclasses import dataclass

import pytest

from mutua.community.models import Community, Household, Member, Organization
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    OrganizationFactory,
    member_with,
)
from mutua.core.tenancy import community_scope


@dataclass
class Town:
    community: Community
    aid_group: Organization
    household: Household
    coordinator: Member
    admin: Member
    volunteer: Member
    member: Member  # lives in `household`
    neighbour: Member  # a member of another household


@pytest.fixture
def town(db: None) -> Town:
    community = CommunityFactory(slug="riverbend", name="Riverbend")
    aid = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    household = HouseholdFactory(community=community, name="Rivera household")
    return Town(
        community=community,
        aid_group=aid,
        household=household,
        coordinator=member_with(
            Role.COORDINATOR, community=community, organization=aid, handle="coord"
        ),
        admin=member_with(Role.ADMIN, community=community, handle="boss"),
        volunteer=member_with(Role.VOLUNTEER, community=community, organization=aid, handle="vol"),
        member=member_with(Role.MEMBER, community=community, household=household, handle="ana"),
        neighbour=member_with(Role.MEMBER, community=community, handle="neighbour"),
    )


@pytest.fixture
def other_town(db: None) -> Town:
    community = CommunityFactory(slug="hillside", name="Hillside")
    aid = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    household = HouseholdFactory(
        community=community, name="Hill household", needs__address="99 Secret Lane"
    )
    return Town(
        community=community,
        aid_group=aid,
        household=household,
        coordinator=member_with(
            Role.COORDINATOR, community=community, organization=aid, handle="hcoord"
        ),
        admin=member_with(Role.ADMIN, community=community, handle="hboss"),
        volunteer=member_with(Role.VOLUNTEER, community=community, organization=aid, handle="hvol"),
        member=member_with(Role.MEMBER, community=community, household=household, handle="hana"),
        neighbour=member_with(Role.MEMBER, community=community, handle="hneighbour"),
    )


@pytest.fixture
def in_town(town: Town):  # type: ignore[no-untyped-def]
    """Run the test inside the first town's scope, as a request of one of its members would."""
    with community_scope(town.community.id):
        yield town
