"""Forms of the local-dollar pages. They parse input (amounts in the currency's decimals); the
services decide, and raise what is wrong."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import new_id
from mutua.core.money import AmountError, parse_amount

if TYPE_CHECKING:
    from mutua.currency.services import Settings


class AmountField(forms.CharField):
    """An amount typed as 12.50, parsed to minor units; refuses more decimals than the currency
    has, and zero or less."""

    def __init__(self, *, scale: int = 2, **kwargs: Any) -> None:
        self.scale = scale
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = parse_amount(text, scale=self.scale)
        except AmountError as error:
            raise forms.ValidationError(
                _("Write an amount like 12.50."), code="invalid_amount"
            ) from error
        if amount <= 0:
            raise forms.ValidationError(
                _("The amount must be more than zero."), code="not_positive"
            )
        if amount > 10**15:
            raise forms.ValidationError(_("That amount is too large."), code="too_large")
        return amount


class OnceForm(forms.Form):
    """Carries the id of what it creates, chosen when the form is shown: sending it twice (a
    double click, a reload) answers with the first result and does nothing twice."""

    once = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("once", new_id())

    @property
    def once_id(self) -> UUID:
        return self.cleaned_data["once"]


class PayForm(OnceForm):
    to = forms.CharField(
        label=_("Pay to"),
        max_length=40,
        help_text=_("A member's handle or a merchant's short name."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    amount = AmountField(label=_("Amount"))
    memo = forms.CharField(label=_("What for (optional)"), max_length=200, required=False)


class RequestForm(forms.Form):
    payer = forms.CharField(
        label=_("Ask"),
        max_length=40,
        help_text=_("The handle of the member you ask to pay you."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    amount = AmountField(label=_("Amount"))
    memo = forms.CharField(label=_("What for (optional)"), max_length=200, required=False)


class ExchangeInForm(OnceForm):
    wallet = forms.CharField(
        label=_("Wallet"),
        max_length=40,
        help_text=_("The member's handle or merchant's short name."),
    )
    dollars = AmountField(label=_("Dollars received"))


class ExchangeOutForm(OnceForm):
    wallet = forms.CharField(
        label=_("Wallet"),
        max_length=40,
        help_text=_("The merchant's or organization's short name."),
    )
    local = AmountField(label=_("Local dollars returned (fee included)"))


class CreditLimitForm(forms.Form):
    wallet = forms.CharField(label=_("Merchant"), max_length=40)
    limit = forms.CharField(
        label=_("New credit limit"), max_length=20, help_text=_("0 ends the credit line.")
    )
    reason = forms.CharField(label=_("Why"), max_length=300)

    def clean_limit(self) -> int:
        try:
            limit = parse_amount(self.cleaned_data["limit"], scale=2)
        except AmountError as error:
            raise forms.ValidationError(_("Write an amount like 500.00.")) from error
        if limit < 0:
            raise forms.ValidationError(_("A credit limit cannot be negative."))
        return limit


class WalletOpenForm(forms.Form):
    holder = forms.CharField(
        label=_("For"),
        max_length=40,
        help_text=_("A member's handle or an organization's short name."),
    )


def _bps(value: Decimal, per: int) -> int:
    """A decimal of `per` (100 for percent, 1 for a rate) in basis points, exactly."""
    bps = value * (10_000 // per)
    if bps != bps.to_integral_value():
        raise forms.ValidationError(_("Too many decimal places."))
    return int(bps)


class SettingsForm(forms.Form):
    """The currency's settings as an officer thinks of them: dollars per local dollar, percents."""

    rate = forms.DecimalField(
        label=_("Dollars per local dollar"),
        min_value=Decimal("0.0001"),
        max_digits=8,
        decimal_places=4,
        help_text=_("0.95: 95 cents buy one local dollar."),
    )
    redemption_fee = forms.DecimalField(
        label=_("Redemption fee (%)"), min_value=0, max_digits=6, decimal_places=2
    )
    min_backing = forms.DecimalField(
        label=_("Minimum backing (%)"), min_value=0, max_digits=7, decimal_places=2
    )
    demurrage = forms.DecimalField(
        label=_("Demurrage (% a year, 0 for none)"), min_value=0, max_digits=6, decimal_places=2
    )
    demurrage_exempt = forms.DecimalField(
        label=_("Balance exempt from demurrage"), min_value=0, max_digits=17, decimal_places=2
    )
    demurrage_fund = forms.ChoiceField(
        label=_("Demurrage goes to"),
        choices=[("aid_fund", _("The aid fund")), ("community_fund", _("The community fund"))],
    )

    def settings(self) -> "Settings":
        from mutua.currency.services import Settings

        data = self.cleaned_data
        return Settings(
            rate_bps=_bps(data["rate"], 1),
            redemption_fee_bps=_bps(data["redemption_fee"], 100),
            min_backing_bps=_bps(data["min_backing"], 100),
            demurrage_bps=_bps(data["demurrage"], 100),
            demurrage_exempt=int(data["demurrage_exempt"] * 100),
            demurrage_fund=data["demurrage_fund"],
        )


class DemurrageForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), max_length=7, help_text=_("Like 2026-10: a month that has ended.")
    )
