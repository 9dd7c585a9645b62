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


def build_town(slug: str, name: str, household: str, *, prefix: str = "", **needs: object) -> Town:
    community = CommunityFactory(slug=slug, name=name)
    aid = OrganizationFactory(community=community, kind=OrganizationKind.AID_GROUP, slug="aid")
    home = HouseholdFactory(
        community=community,
        name=household,
        **{f"needs__{field}": value for field, value in needs.items()},
    )

    def person(role: Role, handle: str, **fields: object) -> Member:
        organization = aid if role in (Role.COORDINATOR, Role.VOLUNTEER) else None
        return member_with(
            role, community=community, organization=organization, handle=prefix + handle, **fields
        )

    return Town(
        community=community,
        aid_group=aid,
        household=home,
        coordinator=person(Role.COORDINATOR, "coord"),
        admin=person(Role.ADMIN, "boss"),
        volunteer=person(Role.VOLUNTEER, "vol"),
        member=person(Role.MEMBER, "ana", household=home),
        neighbour=person(Role.MEMBER, "neighbour"),
    )


@pytest.fixture
def town(db: None) -> Town:
    return build_town("riverbend", "Riverbend", "Rivera household")


@pytest.fixture
def other_town(db: None) -> Town:
    return build_town(
        "hillside", "Hillside", "Hill household", prefix="h", address="99 Secret Lane"
    )


@pytest.fixture
def in_town(town: Town):  # type: ignore[no-untyped-def]
    """Run the test inside the first town's scope, as a request of one of its members would."""
    with community_scope(town.community.id):
        yield town
