from django import forms
from django.utils.translation import gettext_lazy as _


class CheckInForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=_("Date"))
    focus = forms.CharField(
        max_length=200,
        required=False,
        label=_("Focus"),
        help_text=_("What are you working on? (optional)"),
    )
