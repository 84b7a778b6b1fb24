from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OutcomeKind

RATINGS = [(r, "★" * r) for r in range(5, 0, -1)]


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Your question"))
    body = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Details")
    )
    tags = forms.CharField(
        max_length=500,
        required=False,
        label=_("Tags"),
        help_text=_("Comma-separated, e.g. “gdpr, contracts”."),
    )
    here = forms.BooleanField(required=False, label=_("Also ask the people at my space today"))

    def tag_list(self) -> list[str]:
        return [t for t in (p.strip() for p in self.cleaned_data["tags"].split(",")) if t]


class AnswerForm(forms.Form):
    body = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}), label=_("Your answer")
    )


class AcceptForm(forms.Form):
    rating = forms.TypedChoiceField(choices=RATINGS, coerce=int, label=_("How helpful was it?"))


class IntroductionForm(forms.Form):
    message = forms.CharField(max_length=500, required=False, label=_("A line about why"))


class MeetingForm(forms.Form):
    other_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[("", "—"), *RATINGS], coerce=int, required=False, empty_value=None
    )


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(choices=OutcomeKind.choices, label=_("What did it lead to?"))
    value_eur = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label=_("Value of the paid work (€, optional)"),
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def value_cents(self) -> int | None:
        value = self.cleaned_data.get("value_eur")
        return None if value is None else int((value * 100).to_integral_value())
