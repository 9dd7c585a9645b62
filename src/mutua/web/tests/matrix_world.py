"""The world the permission matrix walks: the demo community, a second community, and one signed-in
client per identity, with every URL parameter filled from real objects.

Riverbend is the full demo (`mutua demo`), so every kind of object exists; what the demo does not
make (an invitation, a join request, a payment request, a calendar feed, API tokens) is added here
through the services. Objects are chosen to belong to the demo's `member` login where they can
(her household, her aid request, her wallet, her co-op order, her plot, her registration), so the
"a member may see her own" rules are walked, and everyone else's answer on the same object too.

Hillside is a small second community (`community.tests.conftest.build_town`) whose member,
coordinator and admin ask for Riverbend's objects: they must get 404, never 403, so an object's
existence does not leak across communities.

Identities are named by role (the table's vocabulary), and map to the demo's logins. Pages are
asked with the browser session (`force_login`), the API with each identity's personal token, as a
client would.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    DeliveryStop,
    Intake,
    Location,
    LocationKind,
    Shift,
    StockCount,
    StockLevel,
)
from mutua.aid.services import stock as aid_services
from mutua.art.chainwork import chain_tasks_run_quietly
from mutua.art.models import Artwork, Edition, Handoff, LandTrust, Listing, Photo
from mutua.community import services as community_services
from mutua.community.models import Community, Household, Member, Membership
from mutua.community.roles import Role
from mutua.community.tests.conftest import build_town
from mutua.coop.models import Order, OrderCycle, Product
from mutua.core.tenancy import community_scope
from mutua.currency import services as currency_services
from mutua.gardens.models import Application, Assignment, Crop, Garden, Plot, Season, Task
from mutua.learning.models import Registration, Session
from mutua.learning.services.feeds import calendar_feed_get
from mutua.ledger.models import Account, Transfer
from mutua.privacy import services as privacy_services
from mutua.privacy.models import DeletionRequest

# Identity → the demo login that plays it. `collector` (a second investor) is not walked.
RIVERBEND_LOGINS: dict[str, str] = {
    Role.MEMBER.value: "member",
    Role.VOLUNTEER.value: "volunteer",
    Role.COORDINATOR.value: "coordinator",
    Role.COOP_STAFF.value: "coop",
    Role.GARDEN_STEWARD.value: "steward",
    Role.EDUCATOR.value: "educator",
    Role.CU_OFFICER.value: "officer",
    Role.ARTIST.value: "artist",
    Role.INVESTOR.value: "investor",
    Role.CLT_STEWARD.value: "clt",
    Role.MERCHANT.value: "merchant",
    Role.ADMIN.value: "admin",
}
# Identity → a login of Hillside, the other community.
OTHER_LOGINS: dict[str, str] = {
    "other_member": "hana",
    "other_coordinator": "hcoord",
    "other_admin": "hboss",
}
VISITOR = "visitor"
OPERATOR = "operator"  # the platform's superuser, of no community: the Django admin's user


@dataclass
class World:
    community: Community
    other: Community
    members: dict[str, Member]  # identity → member (not the visitor)
    tokens: dict[str, str] = field(default_factory=dict)  # identity → API token text
    values: dict[str, str] = field(default_factory=dict)  # URL parameter → value
    # API body field → value: the objects a request body names, so that a body gets as far as
    # the permission check instead of stopping at "no such item" for everyone alike
    body_values: dict[str, str] = field(default_factory=dict)
    # (route, parameter) → value, where one parameter name means different objects
    route_values: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, route: str, name: str) -> str:
        return self.route_values.get((route, name)) or self.values[name]


def build_world() -> World:
    """Riverbend must exist (the demo ran); adds Hillside and what the demo lacks."""
    community = Community.objects.get(slug="riverbend")
    town = build_town("hillside", "Hillside", "Hill household", prefix="h")
    with community_scope(town.community.id):
        currency_services.currency_open(community=town.community)
    members = {
        **{who: Member.objects.get(handle=handle) for who, handle in RIVERBEND_LOGINS.items()},
        **{who: Member.objects.get(handle=handle) for who, handle in OTHER_LOGINS.items()},
        OPERATOR: Member.objects.get(handle="operator"),
    }
    world = World(community=community, other=town.community, members=members)
    for who, member in members.items():
        if member.community_id is not None:
            _token, text = community_services.api_token_create(member=member, name="matrix")
            world.tokens[who] = text
    with community_scope(community.id):
        # The demo's mints wait for a commit that never comes inside the test's transaction.
        chain_tasks_run_quietly(community_id=community.id)
        _values_fill(world)
    return world


def _values_fill(world: World) -> None:
    m = world.members
    member, admin = m[Role.MEMBER.value], m[Role.ADMIN.value]
    household: Household = member.household  # type: ignore[assignment]
    invitation, secret = community_services.invitation_create(actor=admin, note="matrix")
    join_request = community_services.join_request_create(
        community=world.community,
        handle="matrix-joiner",
        display_name="Matrix Joiner",
        password="a-long-matrix-password",
    )
    member_token = community_services.api_token_create(member=member, name="to revoke")[0]
    payment_request = currency_services.payment_request_create(
        requester=m[Role.MERCHANT.value], payer_handle=member.handle, amount=100, memo="matrix"
    )
    wallet = Account.objects.get(member=member, kind="member")
    artwork = Artwork.objects.filter(artist=m[Role.ARTIST.value]).exclude(published_at=None)[0]
    edition = Edition.objects.filter(holder=m[Role.INVESTOR.value]).exclude(token_id=None)[0]
    garden = Garden.objects.get(organization__slug="mill-street-garden")
    session = Session.objects.filter(registrations__member=member).order_by("-starts_at")[0]
    world.values.update(
        {
            "slug": world.community.slug,
            "community": world.community.slug,
            "role": Role.COORDINATOR.value,
            "handle": member.handle,
            "secret": secret,
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": default_token_generator.make_token(member),
            "household_id": str(household.id),
            "membership_id": _id(Membership.objects.filter(member=m[Role.VOLUNTEER.value])),
            "invitation_id": str(invitation.id),
            "join_request_id": str(join_request.id),
            "token_id": str(member_token.id),
            "account_id": str(wallet.id),
            "transfer_id": _id(Transfer.objects.filter(debit_account=wallet)),
            "count_id": str(_count_open(m[Role.VOLUNTEER.value]).id),
            "intake_id": _id(Intake.objects.all()),
            "request_id": _id(AidRequest.objects.filter(household=household, status="new")),
            "run_id": _id(AllocationRun.objects.all()),
            "stop_id": _id(DeliveryStop.objects.filter(route__driver=m[Role.VOLUNTEER.value])),
            "shift_id": _id(Shift.objects.all()),
            "coop_id": str(OrderCycle.objects.values_list("organization_id", flat=True)[0]),
            "cycle_id": _id(OrderCycle.objects.all()),
            "order_id": _id(Order.objects.filter(buyer=member)),
            "product_id": _id(Product.objects.all()),
            "garden_id": str(garden.id),
            "assignment_id": _id(Assignment.objects.filter(status="offered")),
            "task_id": _id(Task.objects.filter(work_day__garden=garden)),
            "program_id": str(session.program_id),
            "session_id": str(session.id),
            "registration_id": _id(Registration.objects.filter(member=member, session=session)),
            "artwork_id": str(artwork.id),
            "member_id": str(m[Role.ARTIST.value].id),
            "trust_id": _id(LandTrust.objects.all()),
            "photo_id": _id(Photo.objects.filter(artwork=artwork)),
            "handoff_id": _id(Handoff.objects.filter(artwork=artwork)),
            "edition_id": str(edition.id),
            "listing_id": _id(Listing.objects.filter(status="open")),
        }
    )
    world.body_values.update(_body_values(world, household, wallet, garden, session))
    world.values["route_id"] = str(DeliveryStop.objects.get(id=world.values["stop_id"]).route_id)
    world.route_values.update(
        {
            ("/learning/feed/<str:token>/mine.ics", "token"): calendar_feed_get(actor=member).token,
            ("/learning/feed/<str:token>/community.ics", "token"): calendar_feed_get(
                actor=member
            ).token,
            ("/art/nft/<slug:slug>/<int:token_id>", "token_id"): str(edition.token_id),
        }
    )
    asked = _deletion_asked(world.community)
    for path in (
        "/privacy/requests/<uuid:request_id>/carry-out/",
        "/api/v1/privacy/deletion-requests/{request_id}/carry-out",
    ):
        world.route_values[(path, "request_id")] = str(asked.id)
    for path in (
        "/api/v1/currency/payment-requests/{request_id}/accept",
        "/api/v1/currency/payment-requests/{request_id}/decline",
    ):
        world.route_values[(path, "request_id")] = str(payment_request.id)


def _body_values(
    world: World, household: Household, wallet: Account, garden: Garden, session: Session
) -> dict[str, str]:
    m = world.members
    member = m[Role.MEMBER.value]
    shelves = Location.objects.exclude(kind=LocationKind.HELD).order_by("pk")
    lot = StockLevel.objects.filter(location=shelves[0], on_hand__gt=0).order_by("pk")[0].lot
    merchant_wallet = Account.objects.filter(organization__memberships__member=m["merchant"])
    return {
        "household": str(household.id),
        "account": str(wallet.id),
        "debit_account": str(wallet.id),
        "credit_account": _id(merchant_wallet),
        "to": m[Role.MERCHANT.value].handle,
        "payer": member.handle,
        "role": Role.ARTIST.value,
        "item": str(lot.item_id),
        "lot": str(lot.id),
        "location": str(shelves[0].id),
        "source": str(shelves[0].id),
        "target": str(shelves[1].id),
        "depot": str(shelves[0].id),
        "product": world.values["product_id"],
        "holder": str(member.id),
        "member": str(member.id),
        "coop": world.values["coop_id"],
        "season": _id(Season.objects.filter(garden=garden)),
        "application": _id(Application.objects.filter(garden=garden)),
        "plot": _id(Plot.objects.filter(garden=garden)),
        "crop": _id(Crop.objects.filter(garden=garden)),
        "school": session.organization.slug,
        "instructor": str(m[Role.EDUCATOR.value].id),
        "registration": world.values["registration_id"],
        "released_by": m[Role.ARTIST.value].handle,
        "received_by": m[Role.CLT_STEWARD.value].handle,
    }


def _deletion_asked(community: Community) -> DeletionRequest:
    """A neighbour with nothing in the way asks to be forgotten, for the admin's carry-out."""
    leaver = community_services.member_create(
        community=community, handle="matrix-leaver", display_name="Matrix Leaver", password=None
    )
    return privacy_services.deletion_request(member=leaver)


def _count_open(volunteer: Member) -> StockCount:
    """The demo leaves no count open: a volunteer starts one on the pantry's shelves."""
    shelves = Location.objects.exclude(kind=LocationKind.HELD).order_by("pk")[0]
    return aid_services.count_start(actor=volunteer, location=shelves)


def _id(queryset: Any) -> str:
    found = queryset.order_by("pk").values_list("pk", flat=True).first()
    if found is None:
        raise LookupError(f"The demo has no {queryset.model.__name__} to walk the matrix with.")
    return str(found)


def signed_in_clients(world: World) -> dict[str, Client]:
    """One client per identity; the visitor's has no session."""
    clients = {VISITOR: Client()}
    for who, member in world.members.items():
        client = Client()
        client.force_login(member)
        clients[who] = client
    return clients
