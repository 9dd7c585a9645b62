"""The co-op's forms: they parse what people type; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Member, Organization
from mutua.coop.models import Product
from mutua.coop.services import ProductFields
from mutua.currency.forms import AmountField
from mutua.web.fields import DayField, MomentField


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=120)
    producer = forms.CharField(label=_("Producer"), max_length=120)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=_("One unit, e.g. '1 kg bag'.")
    )
    price = AmountField(label=_("Price (local dollars)"))
    local = forms.BooleanField(label=_("Grown or made locally"), required=False)
    sustainable = forms.BooleanField(label=_("Sustainably farmed"), required=False)
    available = forms.BooleanField(label=_("Available"), required=False, initial=True)

    def fields_value(self) -> ProductFields:
        return ProductFields(**self.cleaned_data)


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example 'Week 48'."))
    opens_at = MomentField(label=_("Orders open"))
    closes_at = MomentField(label=_("Orders close"))
    pickup_at = MomentField(label=_("Pick-up"))
    pickup_place = forms.CharField(label=_("Pick-up place"), max_length=200, required=False)


class OfferForm(forms.Form):
    product: forms.ModelChoiceField[Product] = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none()
    )
    quantity = forms.IntegerField(label=_("Units available"), min_value=0, max_value=100_000)
    price = AmountField(label=_("Price this cycle (empty: the catalogue's)"), required=False)

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class OrderForm(forms.Form):
    """One number field per product offered in the cycle (`units-<offer id>`)."""

    def __init__(self, *args: Any, offers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offers = list(offers)
        for offer in self.offers:
            self.fields[f"units-{offer.pk}"] = forms.IntegerField(
                label=str(offer.product), min_value=0, max_value=offer.left, required=False
            )

    def wanted(self) -> list[tuple[Any, int]]:
        return [
            (offer.pk, self.cleaned_data[f"units-{offer.pk}"])
            for offer in self.offers
            if self.cleaned_data.get(f"units-{offer.pk}")
        ]


class DeliveredForm(forms.Form):
    """Units delivered per line of an order (`delivered-<line id>`); ordered units by default."""

    def __init__(self, *args: Any, lines: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"delivered-{line.pk}"] = forms.IntegerField(
                label=str(line.offer.product),
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
            )

    def delivered(self) -> dict[Any, int]:
        return {line.pk: self.cleaned_data[f"delivered-{line.pk}"] for line in self.lines}


class ArrivalForm(DeliveredForm):
    """For a bulk order at the pantry: per line, also the pantry item, the place and the expiry."""

    def __init__(self, *args: Any, items: Any = (), places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in self.lines:
            self.fields[f"item-{line.pk}"] = forms.ModelChoiceField(
                label=_("Pantry item"), queryset=items, required=False
            )
            self.fields[f"place-{line.pk}"] = forms.ModelChoiceField(
                label=_("Stored in"), queryset=places, required=False
            )
            self.fields[f"expires-{line.pk}"] = DayField(label=_("Expires"), required=False)

    def rows(self) -> list[tuple[Any, ...]]:
        return [
            (
                line,
                self[f"delivered-{line.pk}"],
                self[f"item-{line.pk}"],
                self[f"place-{line.pk}"],
                self[f"expires-{line.pk}"],
            )
            for line in self.lines
        ]


class RedeemForm(forms.Form):
    code = forms.CharField(label=_("Voucher code"), max_length=20)
    amount = AmountField(label=_("Amount to take"))


class VoucherForm(forms.Form):
    holder = forms.ModelChoiceField(label=_("For"), queryset=Member.objects.none())
    coop: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Spendable at"), queryset=Organization.objects.none()
    )
    amount = AmountField(label=_("Amount (local dollars)"))
    expires_at = MomentField(label=_("Expires"))
    reason = forms.CharField(
        label=_("Reason (the co-op never sees it)"), max_length=200, required=False
    )

    def __init__(self, *args: Any, members: Any = (), coops: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = members  # type: ignore[attr-defined]
        self.fields["coop"].queryset = coops  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    discount = forms.IntegerField(
        label=_("Discount (%)"), min_value=1, max_value=100, help_text=_("Paid by the aid fund.")
    )
    ends_at = MomentField(label=_("Ends (optional)"), required=False)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
