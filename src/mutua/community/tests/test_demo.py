"""The demo community: Riverbend is believable, every login works, a rerun changes nothing."""

from io import StringIO
from types import ModuleType

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from mutua.community import demo
from mutua.community.demo import demo_steps, domain_demos
from mutua.community.models import (
    Community,
    Household,
    HouseholdNeeds,
    Member,
    Membership,
    Organization,
    handle_validator,
)
from mutua.community.permissions import member_roles
from mutua.community.roles import (
    COMMUNITY_ROLES,
    ROLE_ORGANIZATION_KINDS,
    Allergen,
    Diet,
    OrganizationKind,
    Role,
)
from mutua.community.tests.factories import CommunityFactory, MemberFactory
from mutua.core.models import AuditEntry
from mutua.core.tenancy import community_scope, scopes_disabled


class Steps:
    """A `Progress` that remembers what it was told."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int, int | None]] = []

    def __call__(self, label: str, count: int, created: int | None = None) -> None:
        self.lines.append((label, count, created))


@pytest.fixture
def riverbend(db: None) -> Community:
    return demo.build_demo(progress=Steps())


def _snapshot() -> dict[str, object]:
    with scopes_disabled():
        return {
            "communities": Community.objects.count(),
            "organizations": Organization.objects.count(),
            "households": Household.objects.count(),
            "needs": list(HouseholdNeeds.objects.order_by("pk").values()),
            "members": list(Member.objects.order_by("handle").values()),
            "memberships": Membership.objects.count(),
            "audit": AuditEntry.objects.count(),
        }


def test_household_specs_are_the_same_on_every_run_and_have_valid_handles() -> None:
    specs = demo.household_specs()
    assert specs == demo.household_specs()
    handles = [person.handle for spec in specs for person in spec.people]
    assert len(handles) == len(set(handles))
    for handle in handles:
        handle_validator(handle)
    assert len({spec.name for spec in specs}) == demo.HOUSEHOLDS
    assert all(1 <= len(spec.people) <= min(3, spec.size) for spec in specs)


def test_demo_creates_riverbend_with_its_organizations_households_and_people(
    riverbend: Community,
) -> None:
    assert (riverbend.slug, riverbend.name) == ("riverbend", "Riverbend")
    assert (riverbend.currency_name, riverbend.currency_code) == ("Riverbend local dollar", "LD")
    with community_scope(riverbend.id):
        kinds = list(Organization.objects.values_list("kind", flat=True))
        assert len(kinds) == 17
        assert sorted(set(kinds)) == sorted(OrganizationKind.values)
        assert kinds.count(OrganizationKind.BUSINESS) == 10
        assert kinds.count(OrganizationKind.GARDEN) == 2
        assert 35 <= Household.objects.count() <= 45
        artists = Membership.objects.filter(role=Role.ARTIST).values("member").distinct()
        assert artists.count() == len(demo.ARTISTS) + 1  # plus the `artist` login
        merchants = Membership.objects.filter(role=Role.MERCHANT)
        assert set(merchants.values_list("organization__slug", flat=True)) == {
            business.slug for business, _owner in demo.BUSINESSES
        }
    logins = Member.objects.filter(handle__in=[spec.handle for spec in demo.LOGINS])
    assert logins.count() == 13


def test_demo_reports_every_step_it_counts(db: None) -> None:
    steps = Steps()
    demo.build_demo(progress=steps)
    assert len(steps.lines) == demo.COMMUNITY_STEPS
    assert ("households", demo.HOUSEHOLDS, demo.HOUSEHOLDS) in steps.lines


def test_every_demo_login_signs_in_with_the_demo_password(riverbend: Community) -> None:
    handles = [spec.handle for spec in demo.LOGINS] + [demo.OPERATOR.handle]
    logins = list(Member.objects.filter(handle__in=handles))
    assert len(logins) == 14
    for login in logins:
        assert login.is_active, login.handle
        assert check_password(demo.DEMO_PASSWORD, login.password), login.handle


def test_other_demo_people_cannot_sign_in(riverbend: Community) -> None:
    handles = [spec.handle for spec in demo.LOGINS] + [demo.OPERATOR.handle]
    people = Member.objects.exclude(handle__in=handles)
    assert people.count() > 40
    assert not any(person.has_usable_password() for person in people)


def test_the_operator_is_a_superuser_of_no_community(riverbend: Community) -> None:
    operator = Member.objects.get(handle="operator")
    assert operator.community_id is None
    assert operator.is_superuser and operator.is_staff


def test_each_demo_login_holds_its_role_in_its_organization(riverbend: Community) -> None:
    with community_scope(riverbend.id):
        for spec in demo.LOGINS:
            login = Member.objects.get(handle=spec.handle)
            assert Role.MEMBER in member_roles(login)
            if spec.role in COMMUNITY_ROLES:
                assert spec.role in member_roles(login), spec.handle
                continue
            organization = Organization.objects.get(slug=spec.place)
            assert spec.role in member_roles(login, organization.id), spec.handle
            assert OrganizationKind(organization.kind) in ROLE_ORGANIZATION_KINDS[spec.role]


def test_a_garden_steward_stewards_only_her_garden(riverbend: Community) -> None:
    with community_scope(riverbend.id):
        steward = Member.objects.get(handle="steward")
        other_garden = Organization.objects.get(slug="heron-bend-garden")
        assert Role.GARDEN_STEWARD not in member_roles(steward, other_garden.id)


def test_the_member_login_belongs_to_a_household(riverbend: Community) -> None:
    with community_scope(riverbend.id):
        member = Member.objects.select_related("household").get(handle="member")
        assert member.household is not None
        assert member.household.name == demo.MEMBER_HOUSEHOLD
        assert member.household.members.count() >= 2


def test_demo_households_have_private_needs(riverbend: Community) -> None:
    with community_scope(riverbend.id):
        households = list(Household.objects.prefetch_related("members"))
        needs = {n.household_id: n for n in HouseholdNeeds.objects.all()}
    assert {h.pk for h in households} == set(needs)
    for household in households:
        assert 1 <= len(household.members.all()) <= min(3, household.size)
        assert needs[household.pk].address.endswith(", Riverbend")
    assert all(set(n.diets) <= set(Diet.values) for n in needs.values())
    assert all(set(n.allergens) <= set(Allergen.values) for n in needs.values())
    assert any(n.urgent_medical for n in needs.values())
    assert any(n.allergens for n in needs.values())
    assert any(n.diets for n in needs.values())


def test_running_the_demo_twice_changes_nothing(riverbend: Community) -> None:
    before = _snapshot()
    steps = Steps()
    demo.build_demo(progress=steps)
    assert _snapshot() == before
    assert all(created == 0 for _label, _count, created in steps.lines)


def test_demo_command_prints_numbered_steps_and_the_logins(db: None) -> None:
    out = StringIO()
    call_command("demo", "--force", stdout=out)
    text = out.getvalue()
    total = demo_steps(domain_demos())
    assert f"[3/{total}] households" in text
    assert f"[7/{total}] logins" in text
    for spec in demo.LOGINS:
        assert f"  {spec.handle} " in text
    assert demo.DEMO_PASSWORD in text
    assert "http://127.0.0.1:8000/" in text


def test_demo_command_twice_succeeds_and_says_nothing_is_new(db: None) -> None:
    call_command("demo", "--force", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--force", stdout=out)
    total = demo_steps(domain_demos())
    assert f"[3/{total}] households .............. 40 (0 new)" in out.getvalue()


def test_demo_command_refuses_outside_development(db: None, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", stdout=StringIO())
    assert not Community.objects.exists()


def test_a_failing_demo_leaves_nothing_behind(db: None) -> None:
    elsewhere = CommunityFactory(slug="hillside")
    MemberFactory(community=elsewhere, handle="operator")  # not a platform operator
    with pytest.raises(CommandError, match="operator"):
        call_command("demo", "--force", stdout=StringIO())
    assert not Community.objects.filter(slug="riverbend").exists()
    assert Member.objects.count() == 1


def test_demo_steps_count_the_steps_other_domains_declare() -> None:
    ledger, art = ModuleType("ledger_demo"), ModuleType("art_demo")
    ledger.DEMO_STEPS = 3  # type: ignore[attr-defined]
    assert demo.demo_steps([ledger, art]) == demo.COMMUNITY_STEPS + 3 + 1
