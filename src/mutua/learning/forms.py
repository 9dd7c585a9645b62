"""Forms of the workshop pages. They parse input into the values the services take (local cents,
aware datetimes, members of the viewer's community); the services decide, and raise what is wrong.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Member, Organization
from mutua.community.roles import OrganizationKind
from mutua.currency.forms import AmountField
from mutua.learning.models import MAX_GROUP, ProgramKind
from mutua.learning.services import SessionPlan
from mutua.web.fields import MomentField


class ProgramForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    attendance_credit = AmountField(
        label=_("Local dollars earned for attending (optional)"), required=False
    )
    reward_coop = forms.ModelChoiceField(
        label=_("Give it as a voucher at (optional)"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Empty: paid into the member's wallet."),
    )

    def __init__(self, *args: Any, schools: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        coops = Organization.objects.filter(
            community_id=schools.values("community_id")[:1], kind=OrganizationKind.FOOD_COOP
        )
        self.fields["reward_coop"].queryset = coops  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organization": data["school"],
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "attendance_credit": data["attendance_credit"] or 0,
            "reward_coop": data["reward_coop"],
        }


class SessionForm(forms.Form):
    starts_at = MomentField(label=_("Starts"))
    ends_at = MomentField(label=_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, initial=12)
    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Member.objects.none())
    language = forms.CharField(label=_("Language"), max_length=40, initial="English")
    accessibility = forms.CharField(
        label=_("Accessibility notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    childcare = forms.BooleanField(label=_("Childcare offered"), required=False)
    instructor_fee = AmountField(label=_("Instructor's fee in local dollars"), required=False)
    offer_hours = forms.IntegerField(
        label=_("Hours to accept a freed seat"), min_value=1, max_value=336, initial=24
    )

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = Member.objects.filter(  # type: ignore[attr-defined]
            community_id=community_id, is_active=True
        ).order_by("display_name")

    def plan(self) -> SessionPlan:
        data = self.cleaned_data
        return SessionPlan(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            capacity=data["capacity"],
            instructor=data["instructor"],
            language=data["language"],
            accessibility=data["accessibility"],
            childcare=data["childcare"],
            instructor_fee=data["instructor_fee"] or 0,
            offer_hours=data["offer_hours"],
        )


class RegisterForm(forms.Form):
    seats = forms.IntegerField(
        label=_("How many people (you and your children)"),
        min_value=1,
        max_value=MAX_GROUP,
        initial=1,
    )
    note = forms.CharField(
        label=_("Who is coming (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: me and my son Leo, 8."),
    )
    waitlist = forms.BooleanField(
        label=_("If the session is full, put me on the waitlist"), required=False, initial=True
    )


class IdForm(forms.Form):
    """The object a button acts on (a registration, a check-in)."""

    id = forms.UUIDField(widget=forms.HiddenInput)

    @property
    def value(self) -> UUID:
        return self.cleaned_data["id"]


class CheckInForm(IdForm):
    seats = forms.IntegerField(min_value=1, max_value=MAX_GROUP, required=False)


class EmptyForm(forms.Form):
    """A button with nothing to parse (pay the instructor, a new calendar address)."""
