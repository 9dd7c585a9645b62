"""Ledger pages: the accounts a member may see, and one account's history and statements."""

import csv
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.permissions import require, signed_in
from mutua.core.errors import MutuaError, NotFound
from mutua.core.money import format_amount
from mutua.core.spreadsheets import inert
from mutua.ledger import selectors
from mutua.ledger.models import Account
from mutua.web.actions import day_param


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "ledger.account.list", viewer.tenant)
    return render(
        request, "ledger/account_list.html", {"accounts": selectors.account_list_for(viewer=viewer)}
    )


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    since = day_param(request.GET.get("since"), today.replace(day=1))
    until = day_param(request.GET.get("until"), today)
    if until < since:
        raise MutuaError(_("The end of the period comes before its start."), code="invalid_period")
    return since, until


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
def account_detail(request: HttpRequest, account_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    account = (
        Account.objects.filter(community_id=viewer.tenant_id, pk=account_id)
        .select_related("ledger")
        .first()
    )
    if account is None:
        raise NotFound(_("No such account."))
    require(viewer, "ledger.account.view", account)
    since, until = _period(request)
    statement = selectors.account_statement(
        account=account, since=_aware(since), until=_aware(until + timedelta(days=1))
    )
    if request.GET.get("format") == "csv":
        return _statement_csv(statement, since, until)
    return render(
        request,
        "ledger/account_detail.html",
        {
            "account": account,
            "statement": statement,
            "since": since,
            "until": until,
            "lines": list(reversed(statement.lines))[:500],
        },
    )


def _statement_csv(statement: selectors.Statement, since: date, until: date) -> HttpResponse:
    account = statement.account
    scale = account.ledger.scale
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{account.code}-{since}-{until}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["date", "transfer", "kind", "reason", "memo", "change", "balance"])
    writer.writerow(
        [
            since.isoformat(),
            "",
            "",
            "opening balance",
            "",
            "",
            format_amount(statement.opening, scale=scale),
        ]
    )
    for line in statement.lines:
        t = line.transfer
        writer.writerow(
            [
                t.created_at.isoformat(),
                t.id,
                t.kind,
                inert(t.code),
                inert(t.memo),
                format_amount(line.change, scale=scale),
                format_amount(line.balance, scale=scale),
            ]
        )
    return response
