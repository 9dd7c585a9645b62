"""Roles, organization kinds, and which roles make sense in which kind of organization.

Pure values, no queries: `permissions.py` decides what each role may do; `services.py` refuses a
membership whose role does not fit its organization.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    AID_GROUP = "aid_group", _("Mutual aid group")
    FOOD_COOP = "food_coop", _("Food co-op")
    CREDIT_UNION = "credit_union", _("Credit union")
    LAND_TRUST = "land_trust", _("Community land trust")
    GARDEN = "garden", _("Community garden")
    SCHOOL = "school", _("School / educator")
    BUSINESS = "business", _("Local business")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    VOLUNTEER = "volunteer", _("Volunteer")
    COORDINATOR = "coordinator", _("Aid coordinator")
    COOP_STAFF = "coop_staff", _("Co-op staff")
    GARDEN_STEWARD = "garden_steward", _("Garden steward")
    EDUCATOR = "educator", _("Educator")
    CU_OFFICER = "cu_officer", _("Credit union officer")
    ARTIST = "artist", _("Artist")
    INVESTOR = "investor", _("Investor")
    CLT_STEWARD = "clt_steward", _("CLT steward")
    MERCHANT = "merchant", _("Merchant")
    ADMIN = "admin", _("Community admin")


# Roles held in the community as a whole rather than in one organization. Everyone who joins is a
# `member`; the others are granted.
COMMUNITY_ROLES = frozenset({Role.MEMBER, Role.ARTIST, Role.INVESTOR, Role.ADMIN})

# For every organization role, the kinds of organization it can be held in.
ROLE_ORGANIZATION_KINDS: dict[Role, frozenset[OrganizationKind]] = {
    Role.VOLUNTEER: frozenset(
        {
            OrganizationKind.AID_GROUP,
            OrganizationKind.GARDEN,
            OrganizationKind.FOOD_COOP,
            OrganizationKind.SCHOOL,
        }
    ),
    Role.COORDINATOR: frozenset({OrganizationKind.AID_GROUP}),
    Role.COOP_STAFF: frozenset({OrganizationKind.FOOD_COOP}),
    Role.GARDEN_STEWARD: frozenset({OrganizationKind.GARDEN}),
    Role.EDUCATOR: frozenset({OrganizationKind.SCHOOL}),
    Role.CU_OFFICER: frozenset({OrganizationKind.CREDIT_UNION}),
    Role.CLT_STEWARD: frozenset({OrganizationKind.LAND_TRUST}),
    Role.MERCHANT: frozenset({OrganizationKind.BUSINESS}),
}


def role_fits(role: Role, kind: OrganizationKind | None) -> bool:
    if kind is None:
        return role in COMMUNITY_ROLES
    return kind in ROLE_ORGANIZATION_KINDS.get(role, frozenset())


class Allergen(models.TextChoices):
    """The major food allergens (EU's fourteen, which include the US "big nine")."""

    MILK = "milk", _("Milk")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    CRUSTACEANS = "crustaceans", _("Crustacean shellfish")
    MOLLUSCS = "molluscs", _("Molluscs")
    TREE_NUTS = "tree_nuts", _("Tree nuts")
    PEANUTS = "peanuts", _("Peanuts")
    GLUTEN = "gluten", _("Cereals containing gluten")
    SOY = "soy", _("Soy")
    SESAME = "sesame", _("Sesame")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    LUPIN = "lupin", _("Lupin")
    SULPHITES = "sulphites", _("Sulphites")


class Diet(models.TextChoices):
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    KOSHER = "kosher", _("Kosher")
    DIABETIC = "diabetic", _("Diabetic")
    LOW_SODIUM = "low_sodium", _("Low sodium")
    SOFT_FOOD = "soft_food", _("Soft food")
