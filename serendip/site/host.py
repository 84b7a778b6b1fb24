"""The screens of a space: the lobby screen for a TV at the entrance, and the host pages
(today's check-ins and arrivals, rooms, occupancy, settings). They combine the network,
presence and the exchange."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from serendip.errors import ServiceError
from serendip.exchange.selectors import open_questions_at
from serendip.l10n import follows_space_language
from serendip.network import services
from serendip.network.forms import OpeningHoursForm, RoomForm, SpaceSettingsForm
from serendip.network.models import Room, Space
from serendip.network.permissions import can_host
from serendip.network.selectors import (
    EMPTY,
    room_occupancy_by_day,
    space_occupancy,
    space_occupancy_by_day,
    space_rooms,
    space_schedule,
    space_upcoming_bookings,
    spaces_hosted_by,
    week_start,
)
from serendip.network.shortcuts import space_or_404
from serendip.passport.models import Member, TagKind, Visibility
from serendip.passport.selectors import member_for_user
from serendip.presence import services as presence_services
from serendip.presence.selectors import checkins_here, space_checkins_for_host, space_day

LOBBY_TAGS = 3


# --- the lobby screen ---------------------------------------------------------------------------


@follows_space_language
def lobby(request, slug: str):
    """Full screen for a TV at the entrance; the partial refreshes itself every 30 s (HTMX)."""
    space = space_or_404(slug)
    today = space.local_today()
    # Only passports whose members chose "everyone, including the lobby screen".
    here = checkins_here(space=space, date=today, visibilities=[Visibility.PUBLIC])
    context = {
        "space": space,
        "now": timezone.now().astimezone(space.tz),
        # Everyone present: lobby.js pages through them when they don't all fit the screen.
        "people": [
            (c, [name for kind, name, _ in c.tags if kind == TagKind.OFFER][:LOBBY_TAGS]) for c in here
        ],
        "count": len(here),
        "schedule": space_schedule(space, today),
        # Today's open questions asked "here" by people in the building.
        "questions": open_questions_at(space),
    }
    if request.htmx:
        return render(request, "network/_lobby.html", context)
    checkin_url = request.build_absolute_uri(reverse("space_today", args=[space.slug]))
    qr = segno.make(checkin_url, error="m")
    # segno writes plain SVG with presentation attributes only: safe under style-src 'self'.
    context["qr_svg"] = mark_safe(qr.svg_inline(omitsize=True, border=2, dark="#111", light="#fff"))
    context["checkin_url"] = checkin_url
    return render(request, "network/lobby.html", context)


# --- host pages ------------------------------------------------------------------------------------


def _hosted(request, slug: str) -> tuple[Member, Space]:
    space = space_or_404(slug)
    member = member_for_user(request.user)
    if not can_host(member, space):
        raise PermissionDenied(_("only a host of this space can see this page"))
    return member, space


@login_required
def host_index(request):
    member = member_for_user(request.user)
    spaces = list(spaces_hosted_by(member))
    if len(spaces) == 1:
        return redirect("host_space", slug=spaces[0].slug)
    return render(request, "host/index.html", {"spaces": spaces})


@login_required
def host_space(request, slug: str):
    _, space = _hosted(request, slug)
    today = space.local_today()
    monday = week_start(today)
    by_room = room_occupancy_by_day(space=space, start=monday, days=7)
    rooms = space_rooms(space, include_inactive=True)
    room_weeks = [(r, sum(by_room.get(r.pk, {}).values(), EMPTY)) for r in rooms]
    context = {
        "space": space,
        "today": today,
        "day": space_day(space, today),
        "checkins": space_checkins_for_host(space, today),
        "rooms": rooms,
        "room_weeks": room_weeks,
        "occupancy_today": space_occupancy(space=space, start=today),
        "occupancy_week": space_occupancy(space=space, start=monday, days=7),
        "week_days": space_occupancy_by_day(space=space, start=monday, days=7),
        "monday": monday,
        "bookings": space_upcoming_bookings(space, days=7),
        "opening_hours": list(space.opening_hours.all()),
    }
    return render(request, "host/space.html", context)


@login_required
def host_settings(request, slug: str):
    member, space = _hosted(request, slug)
    initial = {
        "seats": space.seats,
        "seat_price": space.seat_price,
        "cancellation_free_hours": space.cancellation_free_hours,
        "house_rules": space.house_rules,
        "language": space.language,
    }
    settings_form = SpaceSettingsForm(initial=initial)
    hours_form = OpeningHoursForm(initial=OpeningHoursForm.initial_for(space.opening_hours.all()))
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "hours":
                hours_form = OpeningHoursForm(request.POST)
                if hours_form.is_valid():
                    services.opening_hours_set(host=member, space_id=space.pk, hours=hours_form.hours())
                    messages.success(request, _("Opening hours saved."))
                    return redirect("host_settings", slug=space.slug)
            else:
                settings_form = SpaceSettingsForm(request.POST)
                if settings_form.is_valid():
                    services.space_update(host=member, space_id=space.pk, **settings_form.cleaned_data)
                    messages.success(request, _("Settings saved."))
                    return redirect("host_settings", slug=space.slug)
        except ServiceError as exc:
            messages.error(request, exc.detail)
        status = 400
    context = {"space": space, "settings_form": settings_form, "hours_form": hours_form}
    return render(request, "host/settings.html", context, status=status)


@login_required
def host_room(request, slug: str, room_id: int | None = None):
    member, space = _hosted(request, slug)
    room = None
    if room_id is not None:
        room = Room.objects.filter(pk=room_id, space=space).first()
        if room is None:
            raise Http404(_("no such room here"))
    if request.method == "POST":
        form = RoomForm(request.POST)
        if form.is_valid():
            fields = dict(
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data["capacity"],
                hourly_price_cents=form.hourly_price_cents(),
                amenities=form.amenity_list(),
            )
            try:
                if room is None:
                    services.room_create(host=member, space_id=space.pk, **fields)
                else:
                    services.room_update(
                        host=member, room_id=room.pk, active=form.cleaned_data["active"], **fields
                    )
            except ServiceError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("Room {name} saved.").format(name=fields["name"]))
                return redirect("host_space", slug=space.slug)
        status = 400
    else:
        initial = {"active": True}
        if room is not None:
            initial = {
                "name": room.name,
                "capacity": room.capacity,
                "hourly_price": room.hourly_price_cents / 100,
                "amenities": ", ".join(room.amenities or []),
                "active": room.active,
            }
        form = RoomForm(initial=initial)
        status = 200
    return render(request, "host/room_form.html", {"space": space, "room": room, "form": form}, status=status)


@login_required
@require_POST
def host_checkin_mark(request, slug: str, checkin_id: int, outcome: str):
    member, space = _hosted(request, slug)
    mark = {
        "present": presence_services.checkin_mark_present,
        "no-show": presence_services.checkin_mark_no_show,
    }.get(outcome)
    if mark is None:
        raise Http404(_("no such action"))
    try:
        c = mark(host=member, checkin_id=checkin_id)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        done = _("{name} arrived.") if outcome == "present" else _("{name} marked as a no-show.")
        messages.success(request, done.format(name=c.member.display_name))
    return redirect("host_space", slug=space.slug)
