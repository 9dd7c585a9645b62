"""Art for land's forms: they parse what people type into the values the services take; the
services decide what is allowed.

Shares are typed as percentages with up to two decimals ("70", "12.5") and parsed to integer
basis points without rounding (70 % is 7000); prices are typed in local dollars and parsed to
cents (`AmountField`). The terms fields carry the service's names (`artist_bps`, `union_bps`...),
so an error a service reports for a field lands beside that field. Choices (land trusts,
organizations, the member a hand-off goes to) are always the viewer's community's own rows.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mutua.art.models import MAX_EDITIONS, Artwork, LandTrust, ProjectKind
from mutua.art.services import PHOTO_MAX_BYTES, HandoffFields, ObjectFields, ProjectFields, Terms
from mutua.community.models import Member, Organization
from mutua.core.money import AmountError, format_amount, parse_amount
from mutua.currency.forms import AmountField, OnceForm
from mutua.web.fields import MomentField

TERMS_FIELDS = ("artist_bps", "royalty_bps", "investor_bps", "artist_royalty_bps", "union_bps")


class PercentField(forms.CharField):
    """A percentage typed as 12.5, parsed to basis points (1250); 0 to 100, two decimals at
    most."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 7}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(super().to_python(value)).strip().rstrip("%").strip()
        if not text:
            return None
        try:
            bps = parse_amount(text, scale=2)
        except AmountError as error:
            raise forms.ValidationError(
                _("Write a percentage like 70 or 12.5."), code="invalid_percent"
            ) from error
        if not 0 <= bps <= 10_000:
            raise forms.ValidationError(_("A percentage is 0 to 100."), code="percent_range")
        return bps


def percent_text(bps: int) -> str:
    """Basis points as the form shows them: 7000 -> "70", 1250 -> "12.5"."""
    return format_amount(bps, scale=2).replace(",", "").rstrip("0").rstrip(".")


# --- artists --------------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    statement = forms.CharField(
        label=_("Artist's statement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    preferred_trust: forms.ModelChoiceField[LandTrust] = forms.ModelChoiceField(
        label=_("The land trust your work supports"),
        queryset=LandTrust.objects.none(),
        required=False,
        empty_label=_("(choose one)"),
    )

    def __init__(self, *args: Any, trusts: Any = (), profile: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_trust"].queryset = trusts  # type: ignore[attr-defined]
        if profile is not None and not self.is_bound:
            self.initial.update(
                {
                    "statement": profile.statement,
                    "preferred_trust": profile.preferred_trust_id,
                }
            )


class TermsForm(forms.Form):
    """An artwork's terms; `artwork` (an option) fills in the artwork's current terms."""

    editions = forms.IntegerField(
        label=_("Editions"), min_value=1, max_value=MAX_EDITIONS, initial=5
    )
    price = AmountField(label=_("Price of an edition (local dollars)"))
    artist_bps = PercentField(
        label=_("Artist's part of a first sale (%)"),
        help_text=_("The rest goes to the land trust."),
        initial="70",
    )
    royalty_bps = PercentField(
        label=_("Resale royalty (%, on a resale price)"),
        help_text=_("Up to 50 %."),
        initial="10",
    )
    investor_bps = PercentField(
        label=_("Royalty share of the edition's first buyer (%)"), initial="50"
    )
    artist_royalty_bps = PercentField(label=_("Royalty share of the artist (%)"), initial="30")
    union_bps = PercentField(
        label=_("Royalty share passed to the land trust through the credit union (%)"),
        help_text=_("The three shares add up to 100 %."),
        initial="20",
    )

    def __init__(
        self, *args: Any, artwork: Artwork | None = None, buyer_word: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if buyer_word:
            self.fields["investor_bps"].label = _(
                "Royalty share of the edition's first %(word)s (%%)"
            ) % {"word": buyer_word}
        if artwork is not None and not self.is_bound:
            self.initial.update(
                {
                    "editions": artwork.editions,
                    "price": format_amount(artwork.price, scale=2),
                }
            )
            self.initial.update(
                {name: percent_text(getattr(artwork, name)) for name in TERMS_FIELDS}
            )

    def terms(self) -> Terms:
        return Terms(**{name: self.cleaned_data[name] for name in Terms._fields})


class ArtworkForm(TermsForm):
    """A new work: its Object ID description, then its terms."""

    title = forms.CharField(label=_("Title"), max_length=200)
    object_type = forms.CharField(
        label=_("Type of object"), max_length=120, help_text=_("Painting, quilt, sculpture...")
    )
    maker = forms.CharField(label=_("Maker"), max_length=200)
    made = forms.CharField(label=_("Date or period"), max_length=60)
    materials = forms.CharField(label=_("Materials and techniques"), max_length=300)
    measurements = forms.CharField(
        label=_("Measurements"), max_length=200, help_text=_("For example 60 x 80 cm.")
    )
    subject = forms.CharField(label=_("Subject (optional)"), max_length=200, required=False)
    inscriptions = forms.CharField(
        label=_("Inscriptions and markings (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    features = forms.CharField(
        label=_("Distinguishing features (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Marks, damage or repairs that would identify the work if it were lost."),
    )
    description = forms.CharField(
        label=_("About the work (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    field_order = [
        "title", "object_type", "maker", "made", "materials", "measurements", "subject",
        "inscriptions", "features", "description",
    ]  # fmt: skip

    def object_fields(self) -> ObjectFields:
        return ObjectFields(**{name: self.cleaned_data[name] for name in ObjectFields._fields})


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo (JPEG, PNG or WebP, 8 MB at most)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption (optional)"), max_length=200, required=False)

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("A photo is 8 MB at most."), code="too_large")
        return image

    def data_bytes(self) -> bytes:
        return bytes(self.cleaned_data["image"].read())


# --- custody --------------------------------------------------------------------------------------


class HandoffForm(forms.Form):
    """A hand-off from the viewer (who holds the work) to a member named by handle."""

    to = forms.CharField(
        label=_("Hand it to (their handle)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    received_for: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("On behalf of (optional)"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("(themselves)"),
    )
    place = forms.CharField(label=_("Where"), max_length=200)
    at = MomentField(label=_("When"))
    condition = forms.CharField(
        label=_("The work's condition"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, members: Any = (), organizations: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members: QuerySet[Member] = members
        self.fields["received_for"].queryset = organizations  # type: ignore[attr-defined]

    def clean_to(self) -> Member:
        handle = self.cleaned_data["to"].strip().lstrip("@")
        found = self.members.filter(handle__iexact=handle).first()
        if found is None:
            raise forms.ValidationError(_("No member of this community has that handle."))
        return found

    def fields_value(self, released_by: Member) -> HandoffFields:
        data = self.cleaned_data
        return HandoffFields(
            released_by=released_by,
            received_by=data["to"],
            place=data["place"],
            at=data["at"],
            condition=data["condition"],
            received_for=data["received_for"],
        )


# --- editions -------------------------------------------------------------------------------------


class NoFields(forms.Form):
    """A button: what it acts on is in the action's name."""


class EditionBuyForm(OnceForm):
    """Buying an edition or a listing (`id`); the purchase's own id (`once`), chosen when the page
    is shown, makes a second click buy nothing more."""

    id = forms.UUIDField(widget=forms.HiddenInput)

    @property
    def value(self) -> UUID:
        return self.cleaned_data["id"]


class ListForm(forms.Form):
    price = AmountField(label=_("Asking price (local dollars)"))


# --- land trusts ----------------------------------------------------------------------------------


class TrustForm(forms.Form):
    mission = forms.CharField(label=_("Mission"), widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Where it holds land"), max_length=200, required=False)

    def __init__(self, *args: Any, trust: LandTrust | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if trust is not None and not self.is_bound:
            self.initial.update({"mission": trust.mission, "place": trust.place})


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    goal = AmountField(label=_("Funding goal (local dollars)"))
    rank = forms.IntegerField(
        label=_("Funded in this order"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("Money raised fills the projects with the lowest number first."),
    )
    description = forms.CharField(
        label=_("Description (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def fields_value(self) -> ProjectFields:
        return ProjectFields(**self.cleaned_data)
