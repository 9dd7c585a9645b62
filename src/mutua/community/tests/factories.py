"""factory_boy factories for communities and people. Members start with the `member` role, like a
member created by `services.member_create`; pass roles with `membership_grant` in the test."""

import factory
from factory.django import DjangoModelFactory

from mutua.community.models import (
    Community,
    Household,
    HouseholdNeeds,
    Member,
    Membership,
    Organization,
)
from mutua.community.roles import OrganizationKind, Role

PASSWORD = "correct horse battery staple"


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.Sequence(lambda n: f"town-{n}")
    currency_name = "Town dollar"
    currency_code = "TD"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    community = factory.SubFactory(CommunityFactory)
    kind = OrganizationKind.AID_GROUP
    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Household {n}")
    size = 3
    needs = factory.RelatedFactory(
        "mutua.community.tests.factories.HouseholdNeedsFactory",
        factory_related_name="household",
        community=factory.SelfAttribute("..community"),
    )


class HouseholdNeedsFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdNeeds

    household = factory.SubFactory(HouseholdFactory, needs=None)
    community = factory.SelfAttribute("household.community")
    allergens = ["peanuts"]
    diets = ["halal"]
    urgent_medical = True
    address = "12 Elm Street"


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    handle = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda m: f"{m.handle}@example.org")
    password = factory.django.Password(PASSWORD)
    member_role = factory.RelatedFactory(
        "mutua.community.tests.factories.MembershipFactory",
        factory_related_name="member",
        community=factory.SelfAttribute("..community"),
        role=Role.MEMBER,
    )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    community = factory.SelfAttribute("member.community")
    role = Role.MEMBER
    organization = None


def member_with(
    role: Role, *, community: Community, organization: Organization | None = None, **fields: object
) -> Member:
    """A member holding `role` (in `organization` for organization roles) besides `member`."""
    member = MemberFactory(community=community, **fields)
    if role != Role.MEMBER:
        MembershipFactory(member=member, community=community, role=role, organization=organization)
    return member
