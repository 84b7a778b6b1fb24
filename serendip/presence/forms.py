from django import forms


class CheckInForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    focus = forms.CharField(
        max_length=200, required=False, label="Focus today", help_text="What are you working on? (optional)"
    )
