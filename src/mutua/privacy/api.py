"""Privacy endpoints of the JSON API: a member's own export and deletion request; the admins'
list of deletion requests. The export and the deletion endpoints only ever act on the caller."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from mutua.api import error_responses
from mutua.community.permissions import signed_in
from mutua.core.errors import NotFound
from mutua.privacy import selectors, services
from mutua.privacy.export import member_export

router = Router(tags=["privacy"])


class BlockerOut(Schema):
    code: str
    message: str


class DeletionOut(Schema):
    id: UUID
    status: str
    requested_at: datetime
    decided_at: datetime | None


class DeletionStateOut(Schema):
    request: DeletionOut | None
    blockers: list[BlockerOut]


class DeletionWaitingOut(Schema):
    id: UUID
    handle: str
    display_name: str
    requested_at: datetime
    blockers: list[BlockerOut]


@router.get(
    "/export",
    response={200: dict[str, Any], **error_responses(401, 404)},
    summary="Everything held about me, as one JSON document (audit-logged)",
)
def export(request: HttpRequest) -> Any:
    return member_export(member=signed_in(request))


def _state(request: HttpRequest) -> dict[str, Any]:
    member = signed_in(request)
    return {
        "request": selectors.deletion_request_pending(member),
        "blockers": [b._asdict() for b in selectors.deletion_blockers(member)],
    }


@router.get(
    "/deletion",
    response={200: DeletionStateOut, **error_responses(401, 404)},
    summary="My waiting deletion request, and what stands in its way",
)
def deletion_state(request: HttpRequest) -> Any:
    return _state(request)


@router.post(
    "/deletion",
    response={201: DeletionOut, **error_responses(401, 404, 409, 422)},
    summary="Ask an admin to delete my personal details",
)
def deletion_ask(request: HttpRequest) -> Any:
    return 201, services.deletion_request(member=signed_in(request))


@router.delete(
    "/deletion",
    response={200: DeletionOut, **error_responses(401, 404, 409)},
    summary="Withdraw my waiting deletion request",
)
def deletion_withdraw(request: HttpRequest) -> Any:
    member = signed_in(request)
    pending = selectors.deletion_request_pending(member)
    if pending is None:
        raise NotFound(_("Not found."))
    return services.deletion_withdraw(member=member, asked=pending)


@router.get(
    "/deletion-requests",
    response={200: list[DeletionWaitingOut], **error_responses(401, 403, 404)},
    summary="Deletion requests waiting for an admin (admins)",
)
def deletion_requests(request: HttpRequest) -> Any:
    return [
        {
            "id": asked.id,
            "handle": asked.member.handle,
            "display_name": asked.member.display_name,
            "requested_at": asked.requested_at,
            "blockers": [b._asdict() for b in selectors.deletion_blockers(asked.member)],
        }
        for asked in selectors.deletion_request_list(viewer=signed_in(request))
    ]


@router.post(
    "/deletion-requests/{request_id}/carry-out",
    response={200: DeletionOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Delete the member's personal details; their ledger history stays (admins)",
)
def deletion_carry_out(request: HttpRequest, request_id: UUID) -> Any:
    viewer = signed_in(request)
    asked = selectors.deletion_request_get(viewer=viewer, request_id=request_id)
    return services.deletion_carry_out(actor=viewer, asked=asked)
