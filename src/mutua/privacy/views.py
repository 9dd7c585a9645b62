"""Privacy pages: a member's own data page (download, ask to be deleted, withdraw), and the
admins' list of deletion requests. Thin: parse, call one service or selector, render.

Every page acts only on the signed-in member's own data, except the admins' pages, which ask
`privacy.deletion.decide` (and answer 404 for another community's request).
"""

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mutua.community.permissions import may, signed_in
from mutua.core.errors import MutuaError, NotFound
from mutua.privacy import selectors, services
from mutua.privacy.export import member_export


@login_required
@require_GET
def privacy_home(request: HttpRequest) -> HttpResponse:
    member = signed_in(request)
    if member.community_id is None:
        raise NotFound(_("Platform operator accounts belong to no community."))
    return render(
        request,
        "privacy/home.html",
        {
            "pending": selectors.deletion_request_pending(member),
            "blockers": selectors.deletion_blockers(member),
            "is_admin": may(member, "privacy.deletion.decide", member.community),
        },
    )


@login_required
@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    member = signed_in(request)
    document = member_export(member=member)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="mutua-{member.handle}-{day}.json"'
    return response


@login_required
@require_POST
def deletion(request: HttpRequest) -> HttpResponse:
    """`action=request` asks to be deleted; `action=withdraw` withdraws the waiting request."""
    member = signed_in(request)
    try:
        if request.POST.get("action") == "withdraw":
            pending = selectors.deletion_request_pending(member)
            if pending is None:
                raise NotFound(_("Not found."))
            services.deletion_withdraw(member=member, asked=pending)
            messages.success(request, _("Your request was withdrawn."))
        else:
            services.deletion_request(member=member)
            messages.success(request, _("Your request is waiting for an admin."))
    except NotFound:
        raise
    except MutuaError as error:
        messages.error(request, error.message)
    return redirect("privacy-home")


@login_required
@require_GET
def deletion_request_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    pending = selectors.deletion_request_list(viewer=viewer)
    return render(
        request,
        "privacy/deletion_requests.html",
        {"requests": [(asked, selectors.deletion_blockers(asked.member)) for asked in pending]},
    )


@login_required
@require_POST
def deletion_carry_out(request: HttpRequest, request_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    asked = selectors.deletion_request_get(viewer=viewer, request_id=request_id)
    try:
        services.deletion_carry_out(actor=viewer, asked=asked)
    except MutuaError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The member's personal details were deleted."))
    return redirect("privacy-deletion-requests")
