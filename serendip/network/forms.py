"""Forms for the host pages and booking a room. They only check shapes; services check rules."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serendip.l10n import language_choices

from .models import Weekday


class SpaceSettingsForm(forms.Form):
    seats = forms.IntegerField(min_value=0, max_value=10_000, label=_("Seats"))
    seat_price = forms.DecimalField(
        min_value=0, max_digits=8, decimal_places=2, label=_("Seat price (SC a day)")
    )
    cancellation_free_hours = forms.IntegerField(
        min_value=0,
        max_value=720,
        label=_("Free cancellation of room bookings until (hours before)"),
    )
    house_rules = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=2000, required=False, label=_("House rules")
    )
    language = forms.ChoiceField(
        choices=language_choices,
        required=False,
        label=_("Language of the lobby screen and the public page"),
        help_text=_("Visitors who chose a language of their own see theirs."),
    )

    def clean_language(self) -> str | None:
        # Left out (an older form, a script): unchanged, as space_update takes None.
        return self.cleaned_data.get("language") or None


class OpeningHoursForm(forms.Form):
    """One opens/closes pair per weekday; both empty means closed. Closing at 00:00 is midnight."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in Weekday:
            # The table shows no <label>s: each input carries its own accessible name.
            opens = _("%(day)s opens") % {"day": day.label}
            closes = _("%(day)s closes") % {"day": day.label}
            self.fields[f"opens_{day.value}"] = forms.TimeField(
                required=False,
                label=opens,
                widget=forms.TimeInput(attrs={"type": "time", "aria-label": opens}, format="%H:%M"),
            )
            self.fields[f"closes_{day.value}"] = forms.TimeField(
                required=False,
                label=closes,
                widget=forms.TimeInput(attrs={"type": "time", "aria-label": closes}, format="%H:%M"),
            )

    def rows(self):
        return [(day.label, self[f"opens_{day.value}"], self[f"closes_{day.value}"]) for day in Weekday]

    def clean(self):
        data = super().clean()
        for day in Weekday:
            opens, closes = data.get(f"opens_{day.value}"), data.get(f"closes_{day.value}")
            if (opens is None) != (closes is None):
                raise forms.ValidationError(
                    _("%(day)s: give both times, or neither for closed.") % {"day": day.label}
                )
        return data

    def hours(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        data = self.cleaned_data
        result: dict[int, tuple[dt.time, dt.time] | None] = {}
        for day in Weekday:
            opens, closes = data.get(f"opens_{day.value}"), data.get(f"closes_{day.value}")
            result[day.value] = None if opens is None else (opens, closes)
        return result

    @classmethod
    def initial_for(cls, opening_hours) -> dict:
        initial = {}
        for h in opening_hours:
            initial[f"opens_{h.weekday}"] = h.opens
            initial[f"closes_{h.weekday}"] = h.closes
        return initial


class RoomForm(forms.Form):
    name = forms.CharField(max_length=80, label=_("Name"))
    capacity = forms.IntegerField(min_value=1, max_value=1000, label=_("People"))
    hourly_price = forms.DecimalField(
        min_value=0,
        max_value=10_000,
        max_digits=7,
        decimal_places=2,
        label=_("Price per hour (€, excl. VAT)"),
    )
    amenities = forms.CharField(
        max_length=500,
        required=False,
        label=_("Amenities"),
        help_text=_("Comma-separated, e.g. screen, whiteboard."),
    )
    active = forms.BooleanField(
        required=False, initial=True, label=_("Active"), help_text=_("Inactive rooms cannot be booked.")
    )

    def hourly_price_cents(self) -> int:
        return int(self.cleaned_data["hourly_price"] * Decimal(100))

    def amenity_list(self) -> list[str]:
        return [a for a in (self.cleaned_data.get("amenities") or "").split(",") if a.strip()]


class BookingForm(forms.Form):
    room = forms.TypedChoiceField(coerce=int, label=_("Room"))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=_("Date"))
    start = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"), label=_("From")
    )
    end = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"), label=_("Until")
    )
    title = forms.CharField(
        max_length=80,
        required=False,
        label=_("Title"),
        help_text=_("Optional; shown on the lobby screen's room schedule."),
    )

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so the language is the viewer's (ngettext, not the lazy form).
        self.fields["room"].choices = [
            (
                r.pk,
                ngettext("%(room)s (%(n)s person)", "%(room)s (%(n)s people)", r.capacity)
                % {"room": r.name, "n": r.capacity},
            )
            for r in rooms
        ]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """Naive local datetimes; an end of 00:00 is midnight at the end of the day."""
        d = self.cleaned_data
        end_date = d["date"] + dt.timedelta(days=1) if d["end"] == dt.time(0) else d["date"]
        return dt.datetime.combine(d["date"], d["start"]), dt.datetime.combine(end_date, d["end"])
