"""The demo community, Riverbend: believable organizations, households and one sign-in per role.

Design:
- **Deterministic.** Every household, name, need and address comes from `random.Random(SEED)` over
  fixed name lists, in the pure function `household_specs`, before anything is written; two runs
  describe the same town.
- **Idempotent.** Each row is looked up by its natural key first (community slug, organization slug,
  household name, member handle) and created only when missing; roles go through
  `membership_grant`, which returns a role already held. A second run writes nothing.
- **Through the services.** Rows are written by `community.services`, so the demo also passes
  through the validation and the audit log the pages use. Two writes have no service, on purpose:
  the platform operator's account (`Member.objects.create_superuser`) and the demo password hash.
- **One slow hash.** PBKDF2 is slow by design, so "mutua-demo" is hashed once per run, and only when
  a login still has no usable password. `member_create` would also refuse the demo password under
  the password validators; logins are created without one, then given the hash.
- **Extensible.** `build_demo` builds this base and returns the community. Every other `mutua.*` app
  may add a `demo` module with `populate(community, progress)` and `DEMO_STEPS` (how many times it
  calls `progress`); `domain_demos` finds them in `INSTALLED_APPS` order, which is the dependency
  order, and `mutua demo` runs them all in one transaction, inside the community's scope.

The demo password is public: `mutua demo` refuses to run outside development unless forced.
"""

import importlib
import importlib.util
import random
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NamedTuple, Protocol

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from mutua.community import services
from mutua.community.models import Community, Household, Member, Organization
from mutua.community.roles import Allergen, Diet, OrganizationKind, Role
from mutua.core.errors import Conflict
from mutua.core.tenancy import community_scope

SEED = 1871  # the year Riverbend's mill opened; any fixed number keeps reruns identical
DEMO_PASSWORD = "mutua-demo"  # noqa: S105 (published on purpose: it is the demo's)
DEMO_URL = "http://127.0.0.1:8000/"
COMMUNITY_STEPS = 7  # calls of `progress` made by `build_demo`
HOUSEHOLDS = 40


class Progress(Protocol):
    def __call__(self, label: str, count: int, created: int | None = None) -> None:
        """Report a finished step: `count` rows of `label` exist, `created` of them new."""


class OrganizationSpec(NamedTuple):
    slug: str
    kind: OrganizationKind
    name: str
    description: str


class PersonSpec(NamedTuple):
    handle: str
    display_name: str


class HouseholdSpec(NamedTuple):
    name: str
    size: int
    needs: dict[str, Any]
    people: tuple[PersonSpec, ...]


class LoginSpec(NamedTuple):
    handle: str
    display_name: str
    role: Role
    place: str | None  # organization slug, household name, or None for a community-wide role
    sees: str


K = OrganizationKind
ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(
        "mutual-aid",
        K.AID_GROUP,
        "Riverbend Mutual Aid",
        "Neighbours feeding neighbours: pantry, deliveries and workshops.",
    ),
    OrganizationSpec(
        "food-coop",
        K.FOOD_COOP,
        "Riverbend Food Co-op",
        "Member-owned grocery on Canal Street; takes local dollars and aid vouchers.",
    ),
    OrganizationSpec(
        "credit-union",
        K.CREDIT_UNION,
        "Riverbend Community Credit Union",
        "Issues the Riverbend local dollar and keeps its dollar reserve.",
    ),
    OrganizationSpec(
        "land-trust",
        K.LAND_TRUST,
        "Riverbend Community Land Trust",
        "Holds land for permanently affordable homes and gardens.",
    ),
    OrganizationSpec(
        "mill-street-garden",
        K.GARDEN,
        "Mill Street Community Garden",
        "Forty plots and a shared herb bed behind the old mill.",
    ),
    OrganizationSpec(
        "heron-bend-garden",
        K.GARDEN,
        "Heron Bend Garden",
        "Riverside plots, a tool shed and a donation row for the pantry.",
    ),
    OrganizationSpec(
        "learning-commons",
        K.SCHOOL,
        "Riverbend Learning Commons",
        "Cooking, nutrition and health classes for all ages.",
    ),
)

# Each business comes with the merchant who runs it.
BUSINESSES: tuple[tuple[OrganizationSpec, PersonSpec], ...] = tuple(
    (OrganizationSpec(slug, K.BUSINESS, name, description), PersonSpec(handle, owner))
    for slug, name, description, handle, owner in (
        (
            "bluebird-bakery",
            "Bluebird Bakery",
            "Sourdough and pastries, baked at dawn.",
            "june-park",
            "June Park",
        ),
        (
            "keel-hardware",
            "Keel & Sons Hardware",
            "Tools, paint and advice since 1952.",
            "walter-keel",
            "Walter Keel",
        ),
        (
            "ferry-landing-cafe",
            "Ferry Landing Cafe",
            "Coffee and soup by the old ferry dock.",
            "nadia-haddad",
            "Nadia Haddad",
        ),
        (
            "spoke-sprocket",
            "Spoke & Sprocket Bikes",
            "Repairs, used bikes, free pump.",
            "luis-ortega",
            "Luis Ortega",
        ),
        (
            "dog-eared-books",
            "Dog-Eared Books",
            "New and second-hand books, reading corner.",
            "agnes-moreau",
            "Agnes Moreau",
        ),
        (
            "canal-street-pharmacy",
            "Canal Street Pharmacy",
            "Prescriptions and health advice.",
            "kwame-asante",
            "Kwame Asante",
        ),
        (
            "greenleaf-grocers",
            "Greenleaf Grocers",
            "Fruit and vegetables from valley farms.",
            "rita-souza",
            "Rita Souza",
        ),
        (
            "willow-laundromat",
            "Willow Laundromat",
            "Self-service and wash-and-fold.",
            "dmitri-volkov",
            "Dmitri Volkov",
        ),
        (
            "tidewater-tailors",
            "Tidewater Tailors",
            "Alterations, mending and school uniforms.",
            "farah-qureshi",
            "Farah Qureshi",
        ),
        (
            "lantern-print-shop",
            "Lantern Print Shop",
            "Posters, flyers and zines, risograph.",
            "oskar-berg",
            "Oskar Berg",
        ),
    )
)

ARTISTS: tuple[PersonSpec, ...] = (
    PersonSpec("amara-okoye", "Amara Okoye"),
    PersonSpec("theo-lindqvist", "Theo Lindqvist"),
    PersonSpec("mei-tanaka", "Mei Tanaka"),
)

MEMBER_HOUSEHOLD = "Delgado household"
LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec(
        "member",
        "Rosa Delgado",
        Role.MEMBER,
        MEMBER_HOUSEHOLD,
        "her household's requests, wallet, workshops and garden plot",
    ),
    LoginSpec(
        "volunteer",
        "Jamal Brooks",
        Role.VOLUNTEER,
        "mutual-aid",
        "his own shifts and delivery stops",
    ),
    LoginSpec(
        "coordinator",
        "Priya Raman",
        Role.COORDINATOR,
        "mutual-aid",
        "stock, intake, households' needs, allocation, distributions",
    ),
    LoginSpec(
        "coop",
        "Hannah Okafor",
        Role.COOP_STAFF,
        "food-coop",
        "catalogue, bulk orders, local-dollar and voucher payments",
    ),
    LoginSpec(
        "steward",
        "Tomás Rivera",
        Role.GARDEN_STEWARD,
        "mill-street-garden",
        "plots, waitlist and harvest log of Mill Street",
    ),
    LoginSpec(
        "educator",
        "Grace Whitaker",
        Role.EDUCATOR,
        "learning-commons",
        "programs, sessions, registrations, attendance",
    ),
    LoginSpec(
        "officer",
        "Daniel Cho",
        Role.CU_OFFICER,
        "credit-union",
        "accounts, exchanges, credit lines, demurrage, reserves",
    ),
    LoginSpec(
        "artist", "Imani Clarke", Role.ARTIST, None, "her artworks, custody, editions, royalties"
    ),
    LoginSpec(
        "investor", "Victor Lang", Role.INVESTOR, None, "editions to buy and resell, his royalties"
    ),
    LoginSpec(
        "collector",
        "Noor Haddad",
        Role.INVESTOR,
        None,
        "a second investor, to buy what the first one resells",
    ),
    LoginSpec(
        "clt",
        "Ruth Abernathy",
        Role.CLT_STEWARD,
        "land-trust",
        "funds raised for the land trust, artworks in custody",
    ),
    LoginSpec(
        "merchant",
        "Sam Whitfield",
        Role.MERCHANT,
        "bluebird-bakery",
        "the bakery's payments, redemptions, credit line",
    ),
    LoginSpec(
        "admin",
        "Elena Novak",
        Role.ADMIN,
        None,
        "members, roles, invitations, join requests, audit log",
    ),
)
OPERATOR = PersonSpec("operator", "Platform operator")

FIRST_NAMES = (
    "Ada",
    "Ahmed",
    "Aiko",
    "Alma",
    "Andre",
    "Beatriz",
    "Bilal",
    "Carmen",
    "Chen",
    "Chidi",
    "Clara",
    "Dario",
    "Dev",
    "Elif",
    "Emeka",
    "Esther",
    "Fatima",
    "Felix",
    "Gloria",
    "Hana",
    "Hugo",
    "Ines",
    "Isaac",
    "Jada",
    "Jonah",
    "Kai",
    "Kamala",
    "Leila",
    "Liam",
    "Lin",
    "Malik",
    "Maya",
    "Mateo",
    "Mira",
    "Nia",
    "Noah",
    "Olga",
    "Omar",
    "Paolo",
    "Quinn",
    "Ravi",
    "Rosa",
    "Sade",
    "Samir",
    "Sofia",
    "Tariq",
    "Tessa",
    "Uma",
    "Vera",
    "Wen",
    "Yusuf",
    "Zara",
    "Ezra",
    "Iris",
    "Joaquín",
)
SURNAMES = (
    "Abara",
    "Bauer",
    "Bianchi",
    "Brennan",
    "Castillo",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksen",
    "Farouk",
    "Fitzgerald",
    "García",
    "Goldberg",
    "Gupta",
    "Hale",
    "Hashemi",
    "Ibrahim",
    "Jensen",
    "Kaplan",
    "Kim",
    "Kowalski",
    "Laine",
    "Mbeki",
    "Mendes",
    "Mwangi",
    "Nakamura",
    "Nguyen",
    "O'Brien",
    "Osei",
    "Petrov",
    "Quintero",
    "Rahman",
    "Reyes",
    "Rossi",
    "Santos",
    "Schmidt",
    "Sharma",
    "Singh",
    "Sullivan",
    "Takahashi",
    "Tran",
    "Uchenna",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zhang",
    "Zielinski",
    "Adeyemi",
    "Lindgren",
    "Moreno",
)
STREETS = (
    "Mill Street",
    "Canal Street",
    "Heron Lane",
    "Ferry Road",
    "Quarry Hill Road",
    "Willow Avenue",
    "Orchard Way",
    "Tanner's Row",
    "Bridge Street",
    "Lockkeeper Lane",
    "Station Road",
    "Maple Court",
)
COMMON_ALLERGENS = (
    Allergen.PEANUTS,
    Allergen.TREE_NUTS,
    Allergen.MILK,
    Allergen.EGGS,
    Allergen.GLUTEN,
    Allergen.SOY,
    Allergen.SESAME,
    Allergen.FISH,
    Allergen.CRUSTACEANS,
)
URGENT_NOTES = (
    "Insulin-dependent; needs the cold box.",
    "Recovering from surgery; cannot queue.",
    "Uses a wheelchair; delivery only.",
    "On dialysis; needs low-potassium food.",
)
OTHER_NOTES = (
    "Ground-floor flat, ring the side door.",
    "Works nights; deliveries after 2 pm.",
    "No car; pick-up is hard.",
    "Prefers Spanish.",
    "Can volunteer on Saturdays.",
)


def _needs(rng: random.Random) -> dict[str, Any]:
    diets = set(rng.sample(Diet.values, rng.choices((0, 1, 2), weights=(55, 35, 10))[0]))
    if Diet.VEGAN in diets:
        diets.discard(Diet.VEGETARIAN)
    allergens = rng.sample(COMMON_ALLERGENS, rng.choices((0, 1, 2), weights=(60, 30, 10))[0])
    urgent = rng.random() < 0.15
    if urgent:
        notes = rng.choice(URGENT_NOTES)
    else:
        notes = rng.choice(OTHER_NOTES) if rng.random() < 0.3 else ""
    return {
        "diets": sorted(diets),
        "allergens": sorted(str(a) for a in allergens),
        "urgent_medical": urgent,
        "notes": notes,
        "address": f"{rng.randint(1, 240)} {rng.choice(STREETS)}, Riverbend",
    }


def _person(first: str, surname: str) -> PersonSpec:
    return PersonSpec(slugify(f"{first} {surname}"), f"{first} {surname}")


def household_specs(seed: int = SEED, count: int = HOUSEHOLDS) -> list[HouseholdSpec]:
    """The demo's households: the `member` login's own first, then `count - 1` drawn from `seed`."""
    rng = random.Random(seed)
    specs = [
        HouseholdSpec(
            MEMBER_HOUSEHOLD,
            3,
            {
                "diets": [Diet.LOW_SODIUM.value],
                "allergens": [Allergen.PEANUTS.value],
                "urgent_medical": False,
                "notes": "Our youngest has a peanut allergy.",
                "address": "14 Canal Street, Riverbend",
            },
            (PersonSpec("marco-delgado", "Marco Delgado"),),
        )
    ]
    for surname in rng.sample(SURNAMES, count - 1):
        size = rng.choices((1, 2, 3, 4, 5, 6), weights=(20, 25, 20, 20, 10, 5))[0]
        people = min(size, rng.choices((1, 2, 3), weights=(45, 40, 15))[0])
        specs.append(
            HouseholdSpec(
                f"{surname} household",
                size,
                _needs(rng),
                tuple(_person(first, surname) for first in rng.sample(FIRST_NAMES, people)),
            )
        )
    return specs


# --- writing -------------------------------------------------------------------------------------


@transaction.atomic
def build_demo(*, progress: Progress) -> Community:
    """Create (or find) Riverbend with its organizations, households, people and logins."""
    community = Community.objects.filter(slug="riverbend").first()
    created = community is None
    if community is None:
        community = services.community_create(
            name="Riverbend",
            slug="riverbend",
            currency_name="Riverbend local dollar",
            currency_code="LD",
        )
    progress("community", 1, int(created))
    with community_scope(community.id):
        organizations = _organizations_ensure(community, progress)
        households = _households_ensure(community, progress)
        _household_people_ensure(community, households, progress)
        _artists_ensure(community, progress)
        _merchants_ensure(community, organizations, progress)
        _logins_ensure(community, organizations, households, progress)
    return community


def _organizations_ensure(community: Community, progress: Progress) -> dict[str, Organization]:
    specs = [*ORGANIZATIONS, *(business for business, _owner in BUSINESSES)]
    found = {o.slug: o for o in Organization.objects.filter(community=community)}
    created = 0
    for spec in specs:
        if spec.slug not in found:
            found[spec.slug] = services.organization_create(
                community=community,
                kind=spec.kind,
                name=spec.name,
                slug=spec.slug,
                description=spec.description,
            )
            created += 1
    progress("organizations", len(specs), created)
    return found


def _households_ensure(community: Community, progress: Progress) -> dict[str, Household]:
    specs = household_specs()
    found = {h.name: h for h in Household.objects.filter(community=community)}
    created = 0
    for spec in specs:
        if spec.name not in found:
            found[spec.name] = services.household_create(
                community=community, name=spec.name, size=spec.size, actor=None, needs=spec.needs
            )
            created += 1
    progress("households", len(specs), created)
    return found


def _members_ensure(
    community: Community, people: Sequence[tuple[PersonSpec, Household | None]]
) -> tuple[dict[str, Member], int]:
    """The members for `people`, by handle, and how many were new. New ones cannot sign in."""
    handles = [person.handle for person, _household in people]
    found = {m.handle: m for m in Member.objects.filter(community=community, handle__in=handles)}
    created = 0
    for person, household in people:
        if person.handle not in found:
            found[person.handle] = services.member_create(
                community=community,
                handle=person.handle,
                display_name=person.display_name,
                password=None,
                household=household,
            )
            created += 1
    return found, created


def _household_people_ensure(
    community: Community, households: dict[str, Household], progress: Progress
) -> None:
    people = [
        (person, households[spec.name]) for spec in household_specs() for person in spec.people
    ]
    _members, created = _members_ensure(community, people)
    progress("household members", len(people), created)


def _artists_ensure(community: Community, progress: Progress) -> None:
    artists, created = _members_ensure(community, [(artist, None) for artist in ARTISTS])
    for artist in artists.values():
        services.membership_grant(actor=None, member=artist, role=Role.ARTIST)
    progress("artists", len(ARTISTS), created)


def _merchants_ensure(
    community: Community, organizations: dict[str, Organization], progress: Progress
) -> None:
    merchants, created = _members_ensure(community, [(owner, None) for _b, owner in BUSINESSES])
    for business, owner in BUSINESSES:
        services.membership_grant(
            actor=None,
            member=merchants[owner.handle],
            role=Role.MERCHANT,
            organization=organizations[business.slug],
        )
    progress("merchants", len(BUSINESSES), created)


def _logins_ensure(
    community: Community,
    organizations: dict[str, Organization],
    households: dict[str, Household],
    progress: Progress,
) -> None:
    people = [(PersonSpec(s.handle, s.display_name), households.get(s.place or "")) for s in LOGINS]
    logins, created = _members_ensure(community, people)
    for spec in LOGINS:
        if spec.role != Role.MEMBER:
            services.membership_grant(
                actor=None,
                member=logins[spec.handle],
                role=spec.role,
                organization=organizations[spec.place] if spec.place else None,
            )
    operator, operator_created = _operator_ensure()
    _demo_password_ensure([*logins.values(), operator])
    progress("logins", len(LOGINS) + 1, created + operator_created)


def _operator_ensure() -> tuple[Member, bool]:
    """The platform operator: a superuser of no community, for the Django admin."""
    existing = Member.objects.filter(handle__iexact=OPERATOR.handle).first()
    if existing is None:
        operator = Member.objects.create_superuser(
            OPERATOR.handle, password=None, display_name=OPERATOR.display_name
        )
        return operator, True
    if not existing.is_superuser or existing.community_id is not None:
        raise Conflict(
            f"The handle {OPERATOR.handle!r} belongs to a member who is not a platform "
            "operator; the demo will not take it over.",
            code="handle_taken",
        )
    return existing, False


def _demo_password_ensure(logins: Sequence[Member]) -> None:
    """Give the demo password to logins that have none (new ones); one hash for all of them."""
    without = [login for login in logins if not login.has_usable_password()]
    if not without:
        return
    encoded = make_password(DEMO_PASSWORD)
    for login in without:
        login.password = encoded
        login.save(update_fields=["password"])


# --- other domains and the summary ---------------------------------------------------------------


def domain_demos() -> list[ModuleType]:
    """Every other `mutua.*` app's `demo` module with a `populate(community, progress)`, in
    `INSTALLED_APPS` order (dependencies first)."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mutua.") or config.name == "mutua.community":
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "populate", None)):
            modules.append(module)
    return modules


def demo_steps(modules: Sequence[ModuleType]) -> int:
    return COMMUNITY_STEPS + sum(int(getattr(module, "DEMO_STEPS", 1)) for module in modules)


def login_rows() -> list[tuple[str, str, str]]:
    """(handle, role and where it is held, what they see) for every demo login, operator last."""
    places = {spec.slug: spec.name for spec in ORGANIZATIONS}
    places.update({business.slug: business.name for business, _owner in BUSINESSES})
    rows = []
    for spec in LOGINS:
        where = places.get(spec.place or "", spec.place or "Riverbend")
        rows.append((spec.handle, f"{spec.role.label}, {where}", spec.sees))
    rows.append(
        (OPERATOR.handle, "Platform operator (superuser)", f"the Django admin, {DEMO_URL}admin/")
    )
    return rows
