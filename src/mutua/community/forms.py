"""Forms of the community pages. They parse input; the services decide and raise what is wrong."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Organization
from mutua.community.roles import Allergen, Diet, Role
from mutua.core.tasks import email_send


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=120, help_text=_("How other members will see you.")
    )
    handle = forms.CharField(
        label=_("Handle"),
        max_length=30,
        help_text=_(
            "For signing in and being paid: 3 to 30 lowercase letters, digits, '-' or '_'."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Needed only to reset a forgotten password."),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class JoinRequestForm(SignUpForm):
    message = forms.CharField(
        label=_("A few words for the coordinators (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Leave empty for community-wide roles."),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=90, initial=14
    )

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(community_id=community_id)


class HouseholdNeedsForm(forms.Form):
    diets = forms.MultipleChoiceField(
        label=_("Dietary restrictions"),
        choices=Diet.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"),
        choices=Allergen.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent_medical = forms.BooleanField(label=_("Urgent medical need"), required=False)
    notes = forms.CharField(
        label=_("Other needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("For delivery routes, e.g. 42.4495 (from any map; nothing is looked up)."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    cross_streets = forms.CharField(
        label=_("Cross streets"),
        required=False,
        max_length=120,
        help_text=_("All that volunteers other than the driver see, e.g. 'Main St & 3rd Ave'."),
    )


class HouseholdCreateForm(HouseholdNeedsForm):
    """A new household, with its needs when the person adding it may record them."""

    name = forms.CharField(
        label=_("Household name"),
        max_length=120,
        help_text=_("How coordinators will recognise it, e.g. 'Rivera household'."),
    )
    size = forms.IntegerField(
        label=_("People in the household"), min_value=1, max_value=30, initial=1
    )
    field_order = ["name", "size"]

    def __init__(self, *args: Any, with_needs: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_needs:
            for field in HouseholdNeedsForm.base_fields:
                del self.fields[field]


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[c for c in Role.choices if c[0] != Role.MEMBER]
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Leave empty for community-wide roles (admin, artist, investor)."),
    )

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(community_id=community_id)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What the token is for, e.g. 'spreadsheet import'."),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PasswordResetForm(DjangoPasswordResetForm):
    """Sends the reset mail through the background queue once the request's transaction commits."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: email_send.enqueue(to=[to_email], subject=subject, body=body))
