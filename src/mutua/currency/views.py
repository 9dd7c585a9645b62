"""Local-dollar pages: a member's wallet (pay, ask, answer, history, QR), pay links and receipts,
the credit union's desk, the officers' report, and the public transparency page.

Views parse input and call one service; `MutuaError` from a service lands beside the form's fields
(`form_add_error`) and nothing changes. Forms that move money carry an id chosen when the form is
shown, so sending a form twice pays once.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import may, require, signed_in
from mutua.core.errors import MutuaError, NotFound
from mutua.core.money import AmountError, format_amount, parse_amount
from mutua.core.tenancy import community_scope
from mutua.currency import demurrage, rates, selectors, services
from mutua.currency.forms import (
    CreditLimitForm,
    DemurrageForm,
    ExchangeInForm,
    ExchangeOutForm,
    PayForm,
    RequestForm,
    SettingsForm,
    WalletOpenForm,
)
from mutua.currency.models import (
    CreditLimitChange,
    Currency,
    DemurrageRun,
    Exchange,
    PaymentRequest,
)
from mutua.ledger.models import Account, Transfer
from mutua.ledger.selectors import account_history
from mutua.web.actions import day_param
from mutua.web.charts import bar_chart, line_chart
from mutua.web.errors import form_add_error

# --- a member's wallet ----------------------------------------------------------------------------


def _pay_link(request: HttpRequest, handle: str, amount: int | None = None, scale: int = 2) -> str:
    link = request.build_absolute_uri(reverse("currency-pay", args=[handle]))
    return f"{link}?amount={format_amount(amount, scale=scale)}" if amount else link


def _handle_of(account: Account) -> str:
    if account.member_id is not None:
        return account.member.handle  # type: ignore[union-attr]
    return account.organization.slug  # type: ignore[union-attr]


def _scaled(form: Any, scale: int) -> Any:
    for field in form.fields.values():
        if hasattr(field, "scale"):
            field.scale = scale
    return form


@login_required
@require_http_methods(["GET", "POST"])
def wallet(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    account = selectors.wallet_of(currency=currency, member=viewer)
    scale = currency.local.scale
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("accept", "decline"):
        return _answer(request, viewer, accept=action == "accept")
    pay_form = _scaled(PayForm(request.POST if action == "pay" else None, prefix="pay"), scale)
    ask_form = _scaled(RequestForm(request.POST if action == "ask" else None, prefix="ask"), scale)
    if action == "pay" and pay_form.is_valid():
        try:
            outcome = services.payment_send(
                payer=viewer,
                to_handle=pay_form.cleaned_data["to"],
                amount=pay_form.cleaned_data["amount"],
                memo=pay_form.cleaned_data["memo"],
                id=pay_form.once_id,
            )
        except MutuaError as error:
            form_add_error(pay_form, error)
        else:
            return redirect("currency-receipt", transfer_id=outcome.id)
    if action == "ask" and ask_form.is_valid():
        try:
            services.payment_request_create(
                requester=viewer,
                payer_handle=ask_form.cleaned_data["payer"],
                amount=ask_form.cleaned_data["amount"],
                memo=ask_form.cleaned_data["memo"],
            )
        except MutuaError as error:
            form_add_error(ask_form, error)
        else:
            messages.success(request, _("Your request was sent."))
            return redirect("currency-wallet")
    requests = selectors.requests_for(member=viewer)
    history = list(account_history(account=account))[-15:][::-1] if account else []
    return render(
        request,
        "currency/wallet.html",
        {
            "currency": currency,
            "account": account,
            "scale": scale,
            "pay_form": pay_form,
            "ask_form": ask_form,
            "history": history,
            "asked_of_me": [r for r in requests if r.payer_id == viewer.pk and r.status == "open"],
            "asked_by_me": [r for r in requests if r.requester_id == viewer.pk][:10],
            "pay_link": _pay_link(request, viewer.handle),
            "month_start": timezone.localdate().replace(day=1),
        },
        status=422 if action and (pay_form.errors or ask_form.errors) else 200,
    )


def _answer(request: HttpRequest, viewer: Member, *, accept: bool) -> HttpResponse:
    try:
        request_id = UUID(request.POST.get("request", ""))
    except ValueError as error:
        raise NotFound(_("No such request.")) from error
    asked = PaymentRequest.objects.filter(community_id=viewer.tenant_id, pk=request_id).first()
    if asked is None:
        raise NotFound(_("No such request."))
    once = request.POST.get("once")
    try:
        answered = services.payment_request_answer(
            payer=viewer, request=asked, accept=accept, id=UUID(once) if once else None
        )
    except MutuaError as error:
        messages.error(request, str(error.message))
        return redirect("currency-wallet")
    if answered.transfer_id is not None:
        return redirect("currency-receipt", transfer_id=answered.transfer_id)
    messages.success(
        request,
        _("Request declined.") if answered.payer_id == viewer.pk else _("Request cancelled."),
    )
    return redirect("currency-wallet")


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, handle: str) -> HttpResponse:
    """A pay link (`/pay/<handle>/?amount=12.50&memo=...`), opened from a QR code or a message."""
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    payee = selectors.wallet_by_handle(currency=currency, handle=handle)
    initial = {
        "to": handle,
        "amount": request.GET.get("amount", ""),
        "memo": request.GET.get("memo", ""),
    }
    form = _scaled(PayForm(request.POST or None, initial=initial), currency.local.scale)
    form.fields["to"].widget = form.fields["to"].hidden_widget()
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.payment_send(
                payer=viewer,
                to_handle=handle,
                amount=form.cleaned_data["amount"],
                memo=form.cleaned_data["memo"],
                id=form.once_id,
            )
        except MutuaError as error:
            form_add_error(form, error)
        else:
            return redirect("currency-receipt", transfer_id=outcome.id)
    return render(
        request,
        "currency/pay.html",
        {
            "payee": payee,
            "payee_name": selectors.holder_name(payee),
            "form": form,
            "handle": handle,
        },
    )


@login_required
def receipt(request: HttpRequest, transfer_id: UUID) -> HttpResponse:
    """A payment's receipt, for the payer, the payee, and the credit union's officers."""
    viewer = signed_in(request)
    transfer = (
        Transfer.objects.filter(community_id=viewer.tenant_id, pk=transfer_id)
        .select_related("debit_account__member", "credit_account__member", "ledger")
        .first()
    )
    if transfer is None or not (
        may(viewer, "ledger.account.view", transfer.debit_account)
        or may(viewer, "ledger.account.view", transfer.credit_account)
    ):
        raise NotFound(_("No such payment."))
    return render(
        request,
        "currency/receipt.html",
        {
            "transfer": transfer,
            "payer": selectors.holder_name(transfer.debit_account),
            "payee": selectors.holder_name(transfer.credit_account),
            "scale": transfer.ledger.scale,
        },
    )


@login_required
def qr(request: HttpRequest, handle: str) -> HttpResponse:
    """A printable page with the QR code of a pay link (optionally for an amount)."""
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    payee = selectors.wallet_by_handle(currency=currency, handle=handle)
    amount = None
    if request.GET.get("amount"):
        try:
            amount = parse_amount(request.GET["amount"], scale=currency.local.scale)
        except AmountError as error:
            raise MutuaError(_("Write an amount like 12.50."), code="invalid_amount") from error
    link = _pay_link(request, _handle_of(payee), amount, currency.local.scale)
    code = segno.make(link, error="m")
    svg = code.svg_inline(scale=8, dark="#1b1b1b", light="#ffffff", title=link)
    return render(
        request,
        "currency/qr.html",
        {
            "payee": payee,
            "payee_name": selectors.holder_name(payee),
            "link": link,
            "svg": svg,
            "amount": amount,
            "scale": currency.local.scale,
        },
    )


# --- the credit union's desk ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    require(viewer, "currency.exchange", currency)
    forms = {
        "exchange_in": ExchangeInForm(prefix="in"),
        "exchange_out": ExchangeOutForm(prefix="out"),
        "credit_limit": CreditLimitForm(prefix="limit"),
        "wallet_open": WalletOpenForm(prefix="wallet"),
        "settings": SettingsForm(prefix="settings", initial=_settings_initial(currency)),
        "demurrage": DemurrageForm(request.GET or None, prefix="demurrage"),
    }
    for form in forms.values():
        _scaled(form, currency.local.scale)
    if request.method == "POST":
        done = _desk_post(request, viewer, currency, forms)
        if done is not None:
            return done
    preview, preview_error = _demurrage_preview(currency, forms["demurrage"])
    reserve, outstanding = selectors.reserve_and_outstanding(currency=currency)

    backing = rates.backing_bps(reserve=reserve, outstanding=outstanding)
    return render(
        request,
        "currency/desk.html",
        {
            "currency": currency,
            **forms,
            "reserve": reserve,
            "outstanding": outstanding,
            "backing": None if backing is None else backing / 100,
            "minimum": currency.min_backing_bps / 100,
            "rate": currency.rate_bps / 10_000,
            "fee": currency.redemption_fee_bps / 100,
            "exchanges": Exchange.objects.select_related("account", "officer")[:15],
            "limit_changes": CreditLimitChange.objects.select_related("account", "changed_by")[:15],
            "scale": currency.local.scale,
            "preview": preview,
            "preview_error": preview_error,
            "demurrage_runs": DemurrageRun.objects.all()[:6],
        },
    )


def _settings_initial(currency: Currency) -> dict[str, Any]:
    return {
        "rate": Decimal(currency.rate_bps) / 10_000,
        "redemption_fee": Decimal(currency.redemption_fee_bps) / 100,
        "min_backing": Decimal(currency.min_backing_bps) / 100,
        "demurrage": Decimal(currency.demurrage_bps) / 100,
        "demurrage_exempt": Decimal(currency.demurrage_exempt) / 100,
        "demurrage_fund": (
            "community_fund"
            if currency.demurrage_fund_id == currency.community_fund_id
            else "aid_fund"
        ),
    }


def _demurrage_preview(currency: Currency, form: Any) -> tuple[list[Any], str]:
    """Who would pay what for the month asked in the page's address (nothing is charged)."""
    if not form.is_bound or not form.is_valid():
        return [], ""
    try:
        month = demurrage.month_parse(form.cleaned_data["month"])
        return demurrage.demurrage_preview(currency=currency, month=month), ""
    except MutuaError as error:
        return [], str(error.message)


_DESK_FORMS = {
    "exchange_in": (ExchangeInForm, "in"),
    "exchange_out": (ExchangeOutForm, "out"),
    "credit_limit": (CreditLimitForm, "limit"),
    "wallet_open": (WalletOpenForm, "wallet"),
    "settings": (SettingsForm, "settings"),
    "demurrage": (DemurrageForm, "demurrage"),
}


def _desk_post(
    request: HttpRequest, viewer: Member, currency: Currency, forms: dict[str, Any]
) -> HttpResponse | None:
    action = request.POST.get("action", "")
    if action not in _DESK_FORMS:
        raise MutuaError(_("Unknown action."), code="invalid")
    form_class, prefix = _DESK_FORMS[action]
    form = _scaled(form_class(request.POST, prefix=prefix), currency.local.scale)
    forms[action] = form
    if not form.is_valid():
        return None
    try:
        message = _desk_act(action, form.cleaned_data, viewer, currency, form)
    except MutuaError as error:
        form_add_error(form, error)
        return None
    messages.success(request, message)
    return redirect("currency-desk")


def _desk_act(
    action: str, data: dict[str, Any], viewer: Member, currency: Currency, form: Any
) -> str:
    scale = currency.local.scale
    if action == "settings":
        services.currency_settings_set(currency=currency, officer=viewer, settings=form.settings())
        return _("Settings saved.")
    if action == "demurrage":
        require(viewer, "currency.settings", currency)
        month = demurrage.month_parse(data["month"])
        run = demurrage.demurrage_charge(currency=currency, month=month)
        return _("Demurrage for %(month)s: %(count)s wallets, %(total)s in all.") % {
            "month": month.strftime("%Y-%m"),
            "count": run.accounts,
            "total": format_amount(run.total, scale=scale),
        }
    if action == "wallet_open":
        handle = data["holder"].strip().lstrip("@").lower()
        member = Member.objects.filter(community_id=viewer.tenant_id, handle=handle).first()
        org = (
            None
            if member
            else Organization.objects.filter(community_id=viewer.tenant_id, slug=handle).first()
        )
        if member is None and org is None:
            raise MutuaError(
                _("No member or organization goes by “%(handle)s”.") % {"handle": handle},
                code="unknown_handle",
            )
        services.wallet_open(currency=currency, officer=viewer, member=member, organization=org)
        return _("Wallet opened.")
    account = selectors.wallet_by_handle(currency=currency, handle=data["wallet"])
    if action == "exchange_in":
        done = services.exchange_in(
            currency=currency,
            officer=viewer,
            account=account,
            dollars=data["dollars"],
            id=form.once_id,
        )
        return _("Received %(dollars)s dollars; issued %(local)s local dollars.") % {
            "dollars": format_amount(done.dollars, scale=2),
            "local": format_amount(done.local, scale=scale),
        }
    if action == "exchange_out":
        done = services.exchange_out(
            currency=currency, officer=viewer, account=account, local=data["local"], id=form.once_id
        )
        return _("Redeemed %(local)s local dollars: pay out %(dollars)s dollars (fee %(fee)s).") % {
            "local": format_amount(done.local, scale=scale),
            "dollars": format_amount(done.dollars, scale=2),
            "fee": format_amount(done.fee, scale=scale),
        }
    services.credit_limit_set(
        currency=currency,
        officer=viewer,
        account=account,
        limit=data["limit"],
        reason=data["reason"],
    )
    return _("Credit line changed.")


# --- figures --------------------------------------------------------------------------------------


def report_charts(figures: dict[str, Any], scale: int) -> dict[str, Any]:
    """The charts of the report, the officers' dashboard and the public page."""

    def whole(minor: int) -> int:
        return minor // 10**scale

    daily = figures["daily"]
    return {
        "supply_chart": line_chart(
            _("Local dollars outstanding and dollars in reserve"),
            [
                (_("outstanding"), [(d["day"], whole(d["supply"])) for d in daily]),
                (_("reserve"), [(d["day"], whole(d["reserve"])) for d in daily]),
            ],
        ),
        "backing_chart": line_chart(
            _("Backing ratio (%)"),
            [(_("backing"), [(d["day"], round((d["backing"] or 0) * 100)) for d in daily])],
        ),
        "velocity_chart": bar_chart(
            _("Velocity per month"),
            [(m["month"], round((m["velocity"] or 0) * 100) / 100) for m in figures["monthly"]],
        ),
        "redemptions_chart": bar_chart(
            _("Redeemed per month"),
            [(m["month"], whole(m["redeemed"])) for m in figures["monthly"]],
        ),
        "flows_chart": bar_chart(
            _("Flows between members, merchants and organizations"),
            [(f"{f['from']} → {f['to']}", whole(f["amount"])) for f in figures["flows"][:8]],
        ),
    }


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The officers' view of the currency: the figures of a window, with charts."""
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    require(viewer, "currency.report", currency)

    today = timezone.localdate()
    since = day_param(request.GET.get("since"), today - timedelta(days=89))
    until = day_param(request.GET.get("until"), today)
    start, end = selectors.window(since=since, until=until, today=today)
    found = selectors.report_cached(currency=currency, since=start, until=end)
    figures = found.figures()
    return render(
        request,
        "currency/report.html",
        {
            "figures": figures,
            "currency": currency,
            "scale": currency.local.scale,
            "since": since,
            "until": until,
            **report_charts(figures, currency.local.scale),
        },
    )


def transparency(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: anyone may see what the local dollar does for the community, signed in or not."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(_("No such community."))
    with community_scope(community.id):
        figures = selectors.transparency(community=community, today=timezone.now().date())
    scale = figures["scale"]
    return render(
        request,
        "currency/transparency.html",
        {
            "community": community,
            "figures": figures,
            "scale": scale,
            **report_charts(figures, scale),
        },
    )
