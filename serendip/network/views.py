"""Pages: rooms and bookings for members, invoices. (The lobby screen and the host pages combine
domains: serendip/site/host.py.)"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serendip.errors import ServiceError
from serendip.l10n import follows_space_language
from serendip.pages import member_or_404
from serendip.passport.selectors import member_for_user

from . import services
from .forms import BookingForm
from .models import Invoice, InvoiceKind, Space
from .pdf import PdfUnavailable, render_pdf
from .permissions import can_host
from .selectors import day_grid, member_bookings_by_time, space_rooms, space_schedule
from .shortcuts import space_or_404

# --- rooms and bookings for members ---------------------------------------------------------------


@follows_space_language
def space_rooms_page(request, slug: str):
    space = space_or_404(slug)
    today = space.local_today()
    try:
        date = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        date = today
    if not 0 <= (date - today).days <= services.BOOKING_HORIZON_DAYS:
        date = today
    form = BookingForm(rooms=space_rooms(space), initial={"date": date})
    return render(request, "network/rooms.html", _rooms_context(request, space, date, form))


def _rooms_context(request, space: Space, date: dt.date, form: BookingForm) -> dict:
    schedule = space_schedule(space, date)
    return {
        "space": space,
        "date": date,
        "schedule": schedule,
        "grid": day_grid(schedule, now=timezone.now()),
        "form": form,
        "member": member_for_user(request.user),
        "prev": date - dt.timedelta(days=1),
        "next": date + dt.timedelta(days=1),
        "horizon": services.BOOKING_HORIZON_DAYS,
    }


@login_required
@require_POST
def room_book(request, slug: str):
    """Book; on any error the form comes back filled in, the message next to its field."""
    space = space_or_404(slug)
    member = member_for_user(request.user)
    form = BookingForm(request.POST, rooms=space_rooms(space))
    if member is None:
        form.add_error(None, _("Only members can book rooms."))
    elif form.is_valid():
        start, end = form.times()
        try:
            b = services.booking_create(
                member=member,
                room_id=form.cleaned_data["room"],
                starts_at=start,
                ends_at=end,
                title=form.cleaned_data["title"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.detail[:1].upper() + exc.detail[1:])
        else:
            messages.success(
                request,
                _("Booked %(room)s on %(when)s. Invoice %(invoice)s is ready.")
                % {
                    "room": b.room.name,
                    "when": f"{date_format(b.local_starts_at, 'DATETIME_FORMAT')}",
                    "invoice": b.payment_reference,
                },
            )
            return redirect("my_bookings")
    date = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    context = _rooms_context(request, space, date or space.local_today(), form)
    return render(request, "network/rooms.html", context, status=400)


def room_quote(request, slug: str):
    """The booking form's price preview (an HTMX partial): empty until the form is complete."""
    space = space_or_404(slug)
    form = BookingForm(request.GET, rooms=space_rooms(space))
    quote, problem = None, ""
    if form.is_valid():
        start, end = form.times()
        room = next(r for r in space_rooms(space) if r.pk == form.cleaned_data["room"])
        try:
            quote = services.booking_quote(room=room, starts_at=start, ends_at=end)
        except ServiceError as exc:
            problem = exc.detail[:1].upper() + exc.detail[1:]
    return render(request, "network/_quote.html", {"quote": quote, "problem": problem, "space": space})


@login_required
def my_bookings(request):
    member = member_or_404(request)
    upcoming, past = member_bookings_by_time(member)
    context = {"upcoming": upcoming, "past": past, "now": timezone.now()}
    return render(request, "network/my_bookings.html", context)


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    member = member_or_404(request)
    try:
        b = services.booking_cancel(member=member, booking_id=booking_id)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        when = date_format(b.local_starts_at, "WEEKDAY_FORMAT")
        done = {
            "room": b.room.name,
            "when": when,
            "time": date_format(b.local_starts_at, "TIME_FORMAT"),
            "reference": b.payment_reference,
        }
        if b.refunded:
            text = _("Cancelled %(room)s on %(when)s, %(time)s. Credit note %(reference)s refunds it.") % done
        else:
            text = _("Cancelled %(room)s on %(when)s, %(time)s. It is not refunded.") % done
        messages.success(request, text)
    return redirect("my_bookings")


def _invoice_for(request, number: str) -> tuple[Invoice, Invoice | None]:
    """The invoice (and for a credit note, the invoice it credits): for the member who booked and
    the space's hosts; anyone else gets the 404 page."""
    member = member_for_user(request.user)
    inv = Invoice.objects.select_related("booking__room__space", "space").filter(number=number[:100]).first()
    if (
        inv is None
        or member is None
        or not (inv.booking.member_id == member.pk or can_host(member, inv.space))
    ):
        raise Http404("no such invoice")
    original = None
    if inv.kind == InvoiceKind.CREDIT_NOTE:
        original = inv.booking.invoices.filter(kind=InvoiceKind.INVOICE).first()
    return inv, original


@login_required
def invoice(request, number: str):
    """A printable invoice or credit note."""
    inv, original = _invoice_for(request, number)
    is_buyer = inv.booking.member_id == member_for_user(request.user).pk  # else a host of the space
    context = {"invoice": inv, "original": original, "is_buyer": is_buyer}
    return render(request, "network/invoice.html", context)


@login_required
def invoice_pdf(request, number: str):
    """The same invoice as an A4 PDF (WeasyPrint, from the web invoice's markup)."""
    inv, original = _invoice_for(request, number)
    html = render_to_string("network/invoice_pdf.html", {"invoice": inv, "original": original}, request)
    try:
        pdf = render_pdf(html)
    except PdfUnavailable:
        return render(request, "network/pdf_unavailable.html", {"invoice": inv}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{inv.number}.pdf"'
    return response
