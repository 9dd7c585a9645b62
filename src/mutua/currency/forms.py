"""Forms of the local-dollar pages. They parse input (amounts in the currency's decimals); the
services decide, and raise what is wrong."""

from typing import Any
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import new_id
from mutua.core.money import AmountError, parse_amount


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
