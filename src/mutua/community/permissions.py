"""The one place that decides "may this member do this (to this object)?".

Every page, endpoint and service asks `may(member, action, obj)` or `require(...)`. The answer is
built from three rules, checked in order:

1. **Same community.** An object of another community does not exist for this member: `require`
   raises `NotFound`, never `Forbidden`, so its existence does not leak.
2. **Self and owners.** A member may always see their own household's needs (`SELF_ACTIONS`), and
   act on what they own (`OWNER_ACTIONS`): their own account, or their organization's account when
   they hold one of its `TREASURER_ROLES` (co-op staff for the co-op's wallet, and so on).
3. **Roles.** `RULES[action]` lists the roles that may do it. If the object belongs to an
   organization, the role must be held in that organization (a steward of one garden does not
   steward another); community-wide roles (admin) count everywhere, and so do the roles of
   `COMMUNITY_WIDE_ACTIONS` (a credit union officer acts on every account, not only the union's).

An action missing from `RULES` is refused: new actions are denied until someone writes down who may
do them. Platform operators (superusers without a community) use the Django admin, not these pages.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.roles import Role
from mutua.core.errors import Forbidden, NotFound

R = Role

RULES: dict[str, frozenset[Role]] = {
    # Households: everyone sees that households exist; health needs and addresses are for the aid
    # coordinators who allocate and deliver (and the household itself, see SELF_ACTIONS).
    "household.list": frozenset({R.COORDINATOR, R.ADMIN}),
    "household.view_needs": frozenset({R.COORDINATOR}),
    "household.edit_needs": frozenset({R.COORDINATOR}),
    "household.create": frozenset({R.COORDINATOR, R.ADMIN}),
    "member.list": frozenset(Role),
    "member.manage_roles": frozenset({R.ADMIN}),
    "invitation.create": frozenset({R.ADMIN, R.COORDINATOR}),
    "invitation.grant_role": frozenset({R.ADMIN}),
    "join_request.decide": frozenset({R.ADMIN, R.COORDINATOR}),
    "organization.list": frozenset(Role),
    "audit.view": frozenset({R.ADMIN}),
    # The ledger: owners act on their own accounts (OWNER_ACTIONS); officers on all of them.
    "ledger.account.list": frozenset(Role),
    "ledger.account.view": frozenset({R.CU_OFFICER}),
    "ledger.account.debit": frozenset({R.CU_OFFICER}),
    "ledger.account.open": frozenset({R.CU_OFFICER}),
    # Local dollars: the credit union's officers run exchanges and credit lines; officers and
    # admins read the full report (the public transparency page shows its headline figures).
    "currency.exchange": frozenset({R.CU_OFFICER}),
    "currency.credit_limit": frozenset({R.CU_OFFICER}),
    "currency.settings": frozenset({R.CU_OFFICER}),
    "currency.report": frozenset({R.CU_OFFICER, R.ADMIN}),
    # Mutual aid: coordinators run the pantry; volunteers receive, count, take requests by phone,
    # hand out pick-ups and drive; any member may offer goods or time (households ask for
    # themselves, see `aid.services.requests`).
    "aid.stock.view": frozenset({R.COORDINATOR, R.VOLUNTEER}),
    "aid.stock.receive": frozenset({R.COORDINATOR, R.VOLUNTEER}),
    "aid.stock.count": frozenset({R.COORDINATOR, R.VOLUNTEER}),
    "aid.stock.manage": frozenset({R.COORDINATOR}),
    "aid.count.finalize": frozenset({R.COORDINATOR}),
    "aid.purchase": frozenset({R.COORDINATOR}),
    "aid.request.create_for": frozenset({R.COORDINATOR, R.VOLUNTEER}),
    "aid.request.list": frozenset({R.COORDINATOR}),
    "aid.allocate": frozenset({R.COORDINATOR}),
    "aid.pickup": frozenset({R.COORDINATOR, R.VOLUNTEER}),
    "aid.route.plan": frozenset({R.COORDINATOR}),
    "aid.route.drive": frozenset({R.VOLUNTEER, R.COORDINATOR}),
    "aid.offer.create": frozenset(Role),
    "aid.shift.manage": frozenset({R.COORDINATOR}),
    "aid.shift.join": frozenset({R.VOLUNTEER, R.COORDINATOR}),
    "aid.report": frozenset({R.COORDINATOR, R.ADMIN}),
    # Food co-op: the roles count in the co-op's own organization. Co-op staff keep the catalogue
    # and the order cycles, hand out orders and take aid vouchers by their code; every member
    # orders for themselves. The aid group's side (bulk orders paid from the aid fund, vouchers,
    # solidarity referrals) asks for the role in the aid group (`aid.access`).
    "coop.catalogue.view": frozenset(Role),
    "coop.order.place": frozenset(Role),
    "coop.catalogue.manage": frozenset({R.COOP_STAFF}),
    "coop.cycle.manage": frozenset({R.COOP_STAFF}),
    "coop.order.view": frozenset({R.COOP_STAFF}),
    "coop.order.handle": frozenset({R.COOP_STAFF}),
    "coop.voucher.redeem": frozenset({R.COOP_STAFF}),
    "coop.bulk_order": frozenset({R.COORDINATOR}),
    "coop.voucher.issue": frozenset({R.COORDINATOR}),
    "coop.voucher.holders": frozenset({R.COORDINATOR}),
    "coop.referral.manage": frozenset({R.COORDINATOR}),
    # Community gardens: the roles count in the garden's own organization (a steward of one garden
    # does not steward another). Every member sees the gardens, applies for a plot and signs up for
    # tasks; stewards keep the plots, the waitlist, the work days and the harvest log, and give
    # harvests to the pantry (`aid.services.harvest_receive` asks for that rule, not an aid role).
    "gardens.garden.view": frozenset(Role),
    "gardens.apply": frozenset(Role),
    "gardens.task.join": frozenset(Role),
    "gardens.garden.manage": frozenset({R.GARDEN_STEWARD, R.ADMIN}),
    "gardens.waitlist.view": frozenset({R.GARDEN_STEWARD, R.ADMIN}),
    "gardens.assign": frozenset({R.GARDEN_STEWARD}),
    "gardens.workday.manage": frozenset({R.GARDEN_STEWARD}),
    "gardens.harvest.log": frozenset({R.GARDEN_STEWARD}),
    "gardens.harvest.donate": frozenset({R.GARDEN_STEWARD}),
    "gardens.report": frozenset({R.GARDEN_STEWARD, R.ADMIN}),
    # Workshops: the roles count in the school that runs the program. Every member sees the
    # programs and sessions and registers for themselves (and their children); the school's
    # educators plan programs and sessions, see who registered, check attendance in and pay
    # instructors and attendance credits from the school's wallet (`learning.access`).
    "learning.program.view": frozenset(Role),
    "learning.register": frozenset(Role),
    "learning.program.manage": frozenset({R.EDUCATOR, R.ADMIN}),
    "learning.session.manage": frozenset({R.EDUCATOR}),
    "learning.roster.view": frozenset({R.EDUCATOR, R.ADMIN}),
    "learning.attendance.check_in": frozenset({R.EDUCATOR}),
    "learning.instructor.pay": frozenset({R.EDUCATOR}),
    # Art for land: the gallery is public; artists register their works, investors buy and
    # resell editions, a land trust's stewards keep its profile and projects (the role counts in
    # that trust), and the two people handing a work over record it (`art.services`). Officers
    # and admins see every sale, and retry what the chain has not done yet.
    "art.artwork.create": frozenset({R.ARTIST}),
    "art.edition.buy": frozenset({R.INVESTOR}),
    "art.custody.record": frozenset(Role),
    "art.trust.manage": frozenset({R.CLT_STEWARD}),
    "art.sales.view": frozenset({R.CU_OFFICER, R.ADMIN}),
    "art.chain.retry": frozenset({R.CU_OFFICER, R.ADMIN}),
    # Privacy: every member exports and asks to delete their own data (`mutua.privacy`, no rule
    # needed); admins carry deletion requests out.
    "privacy.deletion.decide": frozenset({R.ADMIN}),
    # Dashboards: one per role.
    **{f"dashboard.{role.value}": frozenset({role}) for role in Role},
}

SELF_ACTIONS = frozenset({"household.view_needs"})
OWNER_ACTIONS = frozenset({"ledger.account.view", "ledger.account.debit"})
COMMUNITY_WIDE_ACTIONS = frozenset({"ledger.account.view", "ledger.account.debit"})
# The roles that act for their organization's money.
TREASURER_ROLES = frozenset(
    {
        R.COORDINATOR,
        R.COOP_STAFF,
        R.MERCHANT,
        R.CLT_STEWARD,
        R.CU_OFFICER,
        R.GARDEN_STEWARD,
        R.EDUCATOR,
    }
)


def _held(member: Any) -> list[tuple[Any, Role]]:
    """(organization id or None, role) for every role the member holds; cached per request."""
    cached: list[tuple[Any, Role]] | None = getattr(member, "_mutua_roles", None)
    if cached is None:
        cached = [(m.organization_id, Role(m.role)) for m in member.memberships.all()]
        member._mutua_roles = cached
    return cached


def member_roles(member: Any, organization_id: Any = None) -> set[Role]:
    """The roles a member holds, in one organization (plus community-wide ones) or anywhere."""
    return {
        role
        for org_id, role in _held(member)
        if organization_id is None or org_id is None or org_id == organization_id
    }


def forget_roles(member: Any) -> None:
    """Drop the per-request role cache after the member's memberships change."""
    if hasattr(member, "_mutua_roles"):
        del member._mutua_roles


def _same_community(member: Any, obj: Any) -> bool:
    if obj is None:
        return True
    community_id = getattr(obj, "community_id", None)
    if community_id is None and obj.__class__.__name__ == "Community":
        community_id = obj.pk
    return community_id is not None and community_id == member.community_id


def _is_self(member: Any, action: str, obj: Any) -> bool:
    if action not in SELF_ACTIONS or obj is None:
        return False
    household_id = getattr(obj, "household_id", None) or getattr(obj, "pk", None)
    return member.household_id is not None and member.household_id == household_id


def _is_owner(member: Any, action: str, obj: Any) -> bool:
    if action not in OWNER_ACTIONS or obj is None:
        return False
    if getattr(obj, "member_id", None) == member.pk:
        return True
    organization_id = getattr(obj, "organization_id", None)
    return organization_id is not None and bool(
        TREASURER_ROLES & {role for org, role in _held(member) if org == organization_id}
    )


def may(member: Any, action: str, obj: Any = None) -> bool:
    if member is None or not member.is_authenticated or not member.is_active:
        return False
    if member.community_id is None or not _same_community(member, obj):
        return False
    if _is_self(member, action, obj) or _is_owner(member, action, obj):
        return True
    allowed = RULES.get(action, frozenset())
    scoped = action not in COMMUNITY_WIDE_ACTIONS
    organization_id = getattr(obj, "organization_id", None) if scoped else None
    return bool(allowed & member_roles(member, organization_id))


def require(member: Any, action: str, obj: Any = None) -> None:
    """Raise `NotFound` for another community's object, `Forbidden` for a missing role."""
    signed_in = member is not None and member.is_authenticated
    if obj is not None and signed_in and not _same_community(member, obj):
        raise NotFound(_("Not found."))
    if not may(member, action, obj):
        raise Forbidden(_("You do not have permission to do that."))


def dashboards_for(member: Any) -> list[Role]:
    """The member's roles in the order the navigation shows them: the work roles first (so a
    coordinator lands on the coordinator's dashboard), the plain member's dashboard last."""
    held = member_roles(member)
    return [role for role in Role if role in held and role != Role.MEMBER] + (
        [Role.MEMBER] if Role.MEMBER in held else []
    )


def signed_in(request: HttpRequest) -> Member:
    """The member a signed-in request (session or API token) acts for."""
    user = request.user
    if not isinstance(user, Member):
        raise NotFound(_("Not found."))
    return user
