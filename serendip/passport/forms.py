"""Forms for sign-up and the passport editor."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from serendip.l10n import language_choices

from .billing import FIELDS as BILLING_FIELDS
from .billing import check_billing, country_choices
from .models import Member, Visibility

TAGS_HELP = _("Comma-separated; add a level from 0.1 to 10 with a colon, e.g. “python:3, ux research”.")


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Username"))
    display_name = forms.CharField(max_length=80, label=_("Your name"))
    email = forms.EmailField(required=False, label=_("Email (optional; on your invoices)"))
    password = forms.CharField(widget=forms.PasswordInput, min_length=8, label=_("Password"))


class BoundedCredentials:
    """Credentials refused by length before they reach the database or django-axes (a 256-character
    username overflowed axes' varchar(255) on PostgreSQL). Django's AuthenticationForm sets the
    username's max_length after the field is built, so it is never checked: check it here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(150))
        self.fields["password"].validators.append(MaxLengthValidator(4096))


class LoginForm(BoundedCredentials, AuthenticationForm):
    pass


class AdminLoginForm(BoundedCredentials, AdminAuthenticationForm):
    pass


def parse_tag_field(text: str) -> dict[str, float] | list[str]:
    """ "python:3, django" -> {"python": 3.0, "django": 1.0}; the service normalises and checks."""
    result: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, weight = part.rpartition(":")
        if sep:
            try:
                result[name.strip()] = float(weight)
                continue
            except ValueError:
                pass  # a colon that is part of the tag itself
        result[part] = 1.0
    return result


def format_tag_field(tags: dict[str, float]) -> str:
    return ", ".join(name if weight == 1.0 else f"{name}:{weight:g}" for name, weight in tags.items())


def _tag_input() -> forms.TextInput:
    return forms.TextInput(attrs={"data-tag-editor": "", "list": "known-tags", "autocomplete": "off"})


def _language_options() -> list[tuple[str, str]]:
    return [("", _("As my browser asks")), *language_choices()]


class PassportForm(forms.Form):
    display_name = forms.CharField(max_length=80, label=_("Name"))
    headline = forms.CharField(max_length=120, required=False, label=_("Headline"))
    about = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("About me")
    )
    # Plain text underneath (works without JavaScript); passport.js turns each into tag chips
    # with autocomplete from the network's tags and a level control.
    offers = forms.CharField(
        required=False, max_length=2000, help_text=TAGS_HELP, label=_("I offer"), widget=_tag_input()
    )
    needs = forms.CharField(
        required=False, max_length=2000, help_text=TAGS_HELP, label=_("I need"), widget=_tag_input()
    )
    interests = forms.CharField(
        required=False,
        max_length=2000,
        help_text=TAGS_HELP,
        label=_("I'm interested in"),
        widget=_tag_input(),
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, label=_("Who sees my passport"))
    open_to_matching = forms.BooleanField(
        required=False, label=_("Suggest me to others for meetings and questions")
    )
    language = forms.ChoiceField(
        choices=_language_options,
        required=False,
        label=_("Language"),
        help_text=_("Of your pages, emails and calendar feed, on every device you sign in on."),
    )

    @classmethod
    def for_member(cls, member: Member, tags: dict[str, dict[str, float]]) -> "PassportForm":
        return cls(
            initial={
                "display_name": member.display_name,
                "headline": member.headline,
                "about": member.about,
                "offers": format_tag_field(tags["offer"]),
                "needs": format_tag_field(tags["need"]),
                "interests": format_tag_field(tags["interest"]),
                "visibility": member.visibility,
                "open_to_matching": member.open_to_matching,
                "language": member.language,
            }
        )

    def edit_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "display_name": d["display_name"],
            "headline": d["headline"],
            "about": d["about"],
            "visibility": d["visibility"],
            "open_to_matching": d["open_to_matching"],
            "language": d["language"],
            "offers": parse_tag_field(d["offers"]),
            "needs": parse_tag_field(d["needs"]),
            "interests": parse_tag_field(d["interests"]),
        }


def _billing_countries() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices(get_language() or "en")]


class BillingForm(forms.Form):
    """My billing details (the page /passport/billing); passport.billing says what adds up."""

    name = forms.CharField(
        required=False,
        max_length=80,
        label=_("Name on invoices"),
        help_text=_("Leave empty to use your display name."),
    )
    company = forms.CharField(required=False, max_length=120, label=_("Company"))
    street = forms.CharField(required=False, max_length=200, label=_("Street and number"))
    postcode = forms.CharField(required=False, max_length=20, label=_("Postcode"))
    city = forms.CharField(required=False, max_length=80, label=_("City"))
    country = forms.ChoiceField(required=False, label=_("Country"), choices=_billing_countries)
    vat_id = forms.CharField(
        required=False,
        max_length=30,
        label=_("VAT id"),
        help_text=_(
            "For a company in the EU: the country code and number, e.g. NL000099998B57. "
            "We check its format and check digits."
        ),
    )

    @classmethod
    def for_details(cls, details) -> "BillingForm":
        initial = {f: getattr(details, f) for f in BILLING_FIELDS} if details is not None else {}
        return cls(initial=initial, prefix="billing")

    def clean(self):
        data = super().clean()
        clean, errors = check_billing(data)
        for field, problem in errors.items():
            if field not in self.errors:
                self.add_error(field, capfirst(problem))
        return clean if not errors else data
