"""Pages: home, all spaces, today at a space, check in and cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from serendip.errors import ServiceError
from serendip.network.models import Space
from serendip.network.permissions import can_host
from serendip.pages import member_or_404, redirect_back, space_or_404
from serendip.passport.selectors import member_for_user, visible_visibilities

from . import services
from .forms import CheckInForm
from .selectors import checkins_here, member_checkin_on, space_day, spaces_with_free_seats


def home(request):
    member = member_for_user(request.user)
    context = {"member": member, "spaces": spaces_with_free_seats()[:6], "space_count": Space.objects.count()}
    return render(request, "home.html", context)


def space_list(request):
    return render(request, "presence/space_list.html", {"days": spaces_with_free_seats()})


def space_today(request, slug: str):
    space = space_or_404(slug)
    today = space.local_today()
    member = member_for_user(request.user)
    checkins = checkins_here(space=space, date=today, visibilities=visible_visibilities(member is not None))
    mine = member_checkin_on(member, today) if member else None
    suggested, also_here = None, checkins
    if member is not None:
        from serendip.exchange.routing import suggestions  # the exchange builds on presence

        by_member = {c.member_id: c for c in checkins}
        suggested = [
            (by_member[s.member_id], s)
            for s in suggestions(member=member, space=space, date=today)
            if s.member_id in by_member
        ]
        shown = {c.member_id for c, _ in suggested} | {member.pk}
        also_here = [c for c in checkins if c.member_id not in shown]
    context = {
        "space": space,
        "day": space_day(space, today),
        "checkins": checkins,
        "suggested": suggested,
        "also_here": also_here,
        "mine": mine,
        "member": member,
        "is_host": can_host(member, space),
        "form": CheckInForm(initial={"date": today}),
    }
    if request.htmx:  # the who-is-here list refreshes itself every minute
        return render(request, "presence/_here.html", context)
    return render(request, "presence/space_today.html", context)


@login_required
@require_POST
def checkin(request, slug: str):
    space = space_or_404(slug)
    member = member_for_user(request.user)
    form = CheckInForm(request.POST)
    if member is None:
        messages.error(request, "Only members can check in.")
    elif not form.is_valid():
        messages.error(request, "Please give a valid date (and a focus of at most 200 characters).")
    else:
        try:
            c = services.checkin_create(
                member=member,
                space_id=space.pk,
                date=form.cleaned_data["date"],
                focus=form.cleaned_data["focus"],
            )
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, f"You're checked in at {space.name} on {c.date:%A %d %B}.")
    return redirect("space_today", slug=space.slug)


@login_required
@require_POST
def checkin_cancel(request, checkin_id: int):
    member = member_or_404(request)
    try:
        c = services.checkin_cancel(member=member, checkin_id=checkin_id)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("passport")
    messages.success(request, f"Cancelled: your seat at {c.space.name} on {c.date} is free again.")
    return redirect_back(request, "passport")
