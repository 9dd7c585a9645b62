"""What each role's dashboard shows. One function per role, each returning the template context.

Dashboards read through the community app's selectors, so they show only what the role may see.
Later domains (co-op, gardens, learning, art) add their panels here; the aid coordinator's and
volunteers' pantry panels read through `aid.selectors`, guarded by the aid group's roles.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from mutua.aid import selectors as aid_selectors
from mutua.aid.access import aid_may
from mutua.aid.models import RequestStatus
from mutua.community import selectors
from mutua.community.models import Member, Membership, Organization
from mutua.community.permissions import may
from mutua.community.roles import OrganizationKind, Role
from mutua.core.selectors import audit_list
from mutua.web.charts import bar_chart

Builder = Callable[[Member], dict[str, Any]]


def _organizations_where(member: Member, role: Role) -> list[Organization]:
    return [
        m.organization
        for m in member.memberships.select_related("organization")
        if m.role == role and m.organization is not None
    ]


def _teams(member: Member, role: Role) -> list[dict[str, Any]]:
    """For each organization where the member holds `role`: the organization and its people."""
    teams = []
    for organization in _organizations_where(member, role):
        people = (
            Membership.objects.filter(organization=organization)
            .select_related("member")
            .order_by("member__display_name")
        )
        teams.append({"organization": organization, "people": people})
    return teams


def member_dashboard(member: Member) -> dict[str, Any]:
    from mutua.ledger.models import Account, AccountKind

    wallet = (
        Account.objects.filter(member=member, kind=AccountKind.MEMBER, closed_at__isnull=True)
        .select_related("ledger")
        .first()
    )
    return {
        "wallet": wallet,
        "household": member.household,
        "organizations": selectors.organization_list(viewer=member),
        "my_roles": member.memberships.select_related("organization"),
    }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _pantry(member: Member) -> dict[str, Any]:
    """The aid coordinator's pantry at a glance: alerts, what waits, and requests by status."""
    if not aid_may(member, "aid.stock.view", member.community):
        return {}
    expired = list(aid_selectors.expired_levels(viewer=member))
    context: dict[str, Any] = {
        "pantry": True,
        "low_stock": aid_selectors.low_stock_alerts(viewer=member),
        "expired": expired[:8],
        "expired_units": sum(level.on_hand for level in expired),
        "pickups_waiting": aid_selectors.pickups_waiting(viewer=member).count(),
    }
    if aid_may(member, "aid.request.list", member.community):
        counts = dict(
            aid_selectors.request_list(viewer=member)
            .values_list("status")
            .annotate(n=Count("id", distinct=True))
        )
        context["new_requests"] = counts.get(RequestStatus.NEW, 0)
        context["requests_chart"] = bar_chart(
            str(_("Aid requests by status")),
            [(str(label), counts.get(value, 0)) for value, label in RequestStatus.choices],
        )
    return context


def coordinator_dashboard(member: Member) -> dict[str, Any]:
    households = selectors.household_list(viewer=member)
    sizes = households.values("size").annotate(n=Count("id")).order_by("size")
    return {
        **_pantry(member),
        "teams": _teams(member, Role.COORDINATOR),
        "household_count": households.count(),
        "people_count": sum(row["size"] * row["n"] for row in sizes),
        "chart": bar_chart(
            str(_("Households by number of people")),
            [(str(row["size"]), row["n"]) for row in sizes],
        ),
        "join_requests": selectors.join_request_list(viewer=member)[:10],
    }


def admin_dashboard(member: Member) -> dict[str, Any]:
    roles = (
        Membership.objects.filter(community_id=member.tenant_id)
        .values("role")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    labels = dict(Role.choices)
    return {
        "member_count": Member.objects.filter(
            community_id=member.tenant_id, is_active=True
        ).count(),
        "organization_count": Organization.objects.filter(community_id=member.tenant_id).count(),
        "chart": bar_chart(
            str(_("People by role")),
            [(str(labels.get(row["role"], row["role"])), row["n"]) for row in roles],
        ),
        "join_requests": selectors.join_request_list(viewer=member)[:10],
        "audit_entries": audit_list(community_id=member.tenant_id, limit=10),
    }


def volunteer_dashboard(member: Member) -> dict[str, Any]:
    """Volunteers: their upcoming shifts and their own delivery routes (pantry volunteers only)."""
    context: dict[str, Any] = {"teams": _teams(member, Role.VOLUNTEER)}
    if aid_may(member, "aid.shift.join", member.community):
        context["shifts"] = [
            (shift, any(s.member_id == member.pk for s in shift.signups.all()))
            for shift in aid_selectors.shifts_upcoming(viewer=member)[:6]
        ]
    if aid_may(member, "aid.route.drive", member.community):
        context["my_routes"] = [
            (route, _clock(route.starts), _clock(route.ends))
            for route in aid_selectors.routes_of_driver(viewer=member)[:5]
        ]
    return context


def team_dashboard(role: Role) -> Builder:
    def build(member: Member) -> dict[str, Any]:
        return {"teams": _teams(member, role)}

    return build


def officer_dashboard(member: Member) -> dict[str, Any]:
    """Credit union officers: their team, and the local dollar's last 30 days with charts."""
    from datetime import timedelta

    from django.utils import timezone

    from mutua.currency import selectors as currency_selectors
    from mutua.currency.models import Currency
    from mutua.currency.views import report_charts

    context: dict[str, Any] = {"teams": _teams(member, Role.CU_OFFICER)}
    currency = (
        Currency.objects.filter(community_id=member.tenant_id).select_related("local").first()
    )
    if currency is None:
        return context
    today = timezone.now().date()
    since, until = currency_selectors.window(
        since=today - timedelta(days=89), until=today, today=today
    )
    found = currency_selectors.report_cached(currency=currency, since=since, until=until)
    figures = found.figures()
    scale = currency.local.scale
    return {**context, "figures": figures, "scale": scale, **report_charts(figures, scale)}


def coop_staff_dashboard(member: Member) -> dict[str, Any]:
    """Co-op staff: for each of their co-ops, the cycles open or coming, links to the catalogue
    and the voucher desk, and what the last cycles took at pick-up."""
    from mutua.coop import selectors as coop_selectors

    desks = []
    for coop in _organizations_where(member, Role.COOP_STAFF):
        desk = coop_selectors.coop_desk(actor=member, coop=coop)
        desk["chart"] = bar_chart(
            _("Paid at pick-up, by cycle (local dollars)"),
            [(c.name, (c.paid or 0) / 100) for c in desk["recent"]],  # local cents, 2 decimals
        )
        desks.append(desk)
    return {"teams": _teams(member, Role.COOP_STAFF), "desks": desks}


def steward_dashboard(member: Member) -> dict[str, Any]:
    """Garden stewards: for each of their gardens, the waitlist of the current season and the
    harvest by crop, with a chart."""
    from mutua.gardens import reports as garden_reports
    from mutua.gardens import selectors as garden_selectors
    from mutua.gardens.models import Garden

    plots = []
    for garden in Garden.objects.filter(
        organization__in=_organizations_where(member, Role.GARDEN_STEWARD)
    ).select_related("organization"):
        season = garden_selectors.season_current(garden)
        report = garden_reports.harvest_report(viewer=member, garden=garden, season=season)
        waiting = (
            len(garden_selectors.waitlist(viewer=member, garden=garden, season=season))
            if season is not None
            else 0
        )
        chart = bar_chart(
            _("Harvest by crop this season (kg)"),
            [(line.crop, round(line.grams / 1000, 1)) for line in report.crops[:8]],
        )
        plots.append({"garden": garden, "season": season, "waiting": waiting, "chart": chart})
    return {"teams": _teams(member, Role.GARDEN_STEWARD), "gardens": plots}


def educator_dashboard(member: Member) -> dict[str, Any]:
    """Educators: their schools' coming sessions with the seats taken, and how many people came
    to the last sessions, with a chart."""
    from django.db.models import Sum
    from django.utils import timezone

    from mutua.learning import selectors as learning_selectors
    from mutua.learning.models import Session

    schools = _organizations_where(member, Role.EDUCATOR)
    coming = learning_selectors.sessions_upcoming(viewer=member).filter(organization__in=schools)
    past = (
        Session.objects.filter(organization__in=schools, ends_at__lte=timezone.now())
        .annotate(present=Sum("attendance__seats"))
        .select_related("program")
        .order_by("-starts_at")[:8]
    )
    chart = bar_chart(
        _("People present at the last sessions"),
        [(f"{s.starts_at:%a %m-%d}", s.present or 0) for s in reversed(list(past))],
    )
    return {
        "teams": _teams(member, Role.EDUCATOR),
        "sessions": list(coming.order_by("starts_at")[:6]),
        "chart": chart,
    }


def community_role_dashboard(member: Member) -> dict[str, Any]:
    """Artists and investors: the land trusts their art and money can support."""
    return {
        "land_trusts": Organization.objects.filter(
            community_id=member.tenant_id, kind=OrganizationKind.LAND_TRUST
        ),
    }


TEAM_ROLES = (
    Role.VOLUNTEER,
    Role.COOP_STAFF,
    Role.GARDEN_STEWARD,
    Role.EDUCATOR,
    Role.CLT_STEWARD,
    Role.MERCHANT,
)


BUILDERS: dict[Role, Builder] = {
    Role.MEMBER: member_dashboard,
    Role.COORDINATOR: coordinator_dashboard,
    Role.ADMIN: admin_dashboard,
    Role.ARTIST: community_role_dashboard,
    Role.INVESTOR: community_role_dashboard,
    Role.CU_OFFICER: officer_dashboard,
    **{role: team_dashboard(role) for role in TEAM_ROLES},
    Role.COOP_STAFF: coop_staff_dashboard,
    Role.GARDEN_STEWARD: steward_dashboard,
    Role.EDUCATOR: educator_dashboard,
    Role.VOLUNTEER: volunteer_dashboard,
}


def dashboard_template(role: Role) -> str:
    if role == Role.VOLUNTEER:
        return "web/dashboards/volunteer.html"
    if role in (Role.COOP_STAFF, Role.GARDEN_STEWARD, Role.EDUCATOR):
        return f"web/dashboards/{role.value}.html"
    if role in TEAM_ROLES:
        return "web/dashboards/team.html"
    if role in (Role.ARTIST, Role.INVESTOR):
        return "web/dashboards/land_trusts.html"
    return f"web/dashboards/{role.value}.html"


def dashboard_context(member: Member, role: Role) -> dict[str, Any]:
    context = BUILDERS[role](member)
    context["can_see_households"] = may(member, "household.list", member.community)
    return context
