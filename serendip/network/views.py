"""Pages: rooms and bookings for members, invoices. (The lobby screen and the host pages combine
domains: serendip/site/host.py.)"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from serendip.errors import ServiceError
from serendip.pages import member_or_404
from serendip.passport.selectors import member_for_user

from . import services
from .forms import BookingForm
from .models import Invoice, InvoiceKind
from .permissions import can_host
from .selectors import member_bookings, space_rooms, space_schedule
from .shortcuts import space_or_404

# --- rooms and bookings for members ---------------------------------------------------------------


def space_rooms_page(request, slug: str):
    space = space_or_404(slug)
    today = space.local_today()
    try:
        date = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        date = today
    if abs((date - today).days) > services.BOOKING_HORIZON_DAYS:
        date = today
    rooms = space_rooms(space)
    form = BookingForm(rooms=rooms, initial={"date": date})
    context = {
        "space": space,
        "date": date,
        "schedule": space_schedule(space, date),
        "form": form,
        "member": member_for_user(request.user),
        "prev": date - dt.timedelta(days=1),
        "next": date + dt.timedelta(days=1),
    }
    return render(request, "network/rooms.html", context)


@login_required
@require_POST
def room_book(request, slug: str):
    space = space_or_404(slug)
    member = member_for_user(request.user)
    form = BookingForm(request.POST, rooms=space_rooms(space))
    if member is None:
        messages.error(request, "Only members can book rooms.")
    elif not form.is_valid():
        messages.error(request, "Please choose a room, a date and a start and end time.")
    else:
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
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                f"Booked {b.room.name} on {b.local_starts_at:%A %d %B, %H:%M}–{b.local_ends_at:%H:%M}. "
                f"Invoice {b.payment_reference} is ready.",
            )
            return redirect("my_bookings")
    date = form.data.get("date", "")
    return redirect(reverse("space_rooms", args=[space.slug]) + (f"?date={date}" if date else ""))


@login_required
def my_bookings(request):
    member = member_or_404(request)
    bookings = list(member_bookings(member)[:100])
    return render(request, "network/my_bookings.html", {"bookings": bookings, "now": timezone.now()})


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    member = member_or_404(request)
    try:
        b = services.booking_cancel(member=member, booking_id=booking_id)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        note = f" Credit note {b.payment_reference} refunds it." if b.refunded else " It is not refunded."
        messages.success(request, f"Cancelled {b.room.name} on {b.local_starts_at:%A %d %B, %H:%M}." + note)
    return redirect("my_bookings")


@login_required
def invoice(request, number: str):
    """A printable invoice or credit note: for the member who booked and the space's hosts."""
    member = member_for_user(request.user)
    inv = Invoice.objects.select_related("booking__room__space", "space").filter(number=number).first()
    if (
        inv is None
        or member is None
        or not (inv.booking.member_id == member.pk or can_host(member, inv.space))
    ):
        raise Http404("no such invoice")
    original = None
    if inv.kind == InvoiceKind.CREDIT_NOTE:
        original = inv.booking.invoices.filter(kind=InvoiceKind.INVOICE).first()
    return render(request, "network/invoice.html", {"invoice": inv, "original": original})
