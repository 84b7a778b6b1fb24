"""Pages that combine domains: home, today at a space, my passport, my balance; /healthz; the
login lockout answer."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serendip.errors import LOCKED_OUT, ServiceError
from serendip.exchange import services as exchange_services
from serendip.exchange.forms import IntroductionForm
from serendip.exchange.routing import related_tags
from serendip.exchange.selectors import introduction_states, met_on
from serendip.exchange.views import actions_partial
from serendip.experiments.selectors import suggestions_for
from serendip.l10n import follows_space_language, supported
from serendip.ledger.selectors import member_balance, member_postings
from serendip.network.models import Space
from serendip.network.permissions import can_host
from serendip.network.shortcuts import space_or_404
from serendip.pages import member_or_404, redirect_back
from serendip.passport import services as passport_services
from serendip.passport.forms import PassportForm
from serendip.passport.models import Member
from serendip.passport.selectors import (
    billing_details,
    member_for_user,
    member_tags_by_kind,
    member_timeline,
    members_with_tags,
    popular_tags,
    visible_visibilities,
)
from serendip.presence.forms import CheckInForm
from serendip.presence.selectors import (
    checkins_here,
    member_checkin_on,
    member_checkin_today,
    member_checkins,
    space_cards,
    space_day,
)


@require_POST
def language_set(request):
    """The footer's switcher: Django's `set_language` (the `django_language` cookie, back to the
    page it came from), and for a signed-in member also their own setting, so the choice follows
    them to other browsers and into their emails."""
    response = i18n.set_language(request)
    member = member_for_user(request.user)
    language = supported(request.POST.get("language"))
    if member is not None and language and language == request.POST.get("language"):
        passport_services.member_update(member=member, language=language)
    return response


def home(request):
    member = member_for_user(request.user)
    cards, own = space_cards(member)
    # Home shows six: the member's own space, then those with the most free seats today.
    first = [d for d in cards if d.space.pk == own]
    rest = sorted((d for d in cards if d.space.pk != own), key=lambda d: -d.free)
    context = {
        "member": member,
        "spaces": (first + rest)[:6],
        "own": own,
        "space_count": len(cards),
        "here_today": member_checkin_today(member) if member else None,
    }
    return render(request, "home.html", context)


@follows_space_language
def space_today(request, slug: str):
    """Who is here today, whom to meet and why (for members), my check-in, the check-in form."""
    space = space_or_404(slug)
    today = space.local_today()
    member = member_for_user(request.user)
    checkins = checkins_here(space=space, date=today, visibilities=visible_visibilities(member is not None))
    mine = member_checkin_on(member, today) if member else None
    day = space_day(space, today)
    suggested, also_here, ranked, intro_states, met = None, checkins, True, {}, set()
    if member is not None:
        by_member = {c.member_id: c for c in checkins}
        offered = suggestions_for(member=member, space=space, date=today)  # ranked, or the hold-out's
        ranked = offered.ranked
        suggested = [(by_member[s.member_id], s) for s in offered.routes if s.member_id in by_member]
        shown = {c.member_id for c, _s in suggested} | {member.pk}
        also_here = [c for c in checkins if c.member_id not in shown]
        intro_states = introduction_states(member, list(by_member))
        met = met_on(member, today)
    # Checked in already, or full today: the form offers the next day instead of today.
    next_day = mine is not None or day.free == 0
    context = {
        "space": space,
        "day": day,
        "checkins": checkins,
        "suggested": suggested,
        "ranked": ranked,
        "also_here": also_here,
        "intro_states": intro_states,
        "met": met,
        "mine": mine,
        "member": member,
        "is_host": can_host(member, space),
        "form": CheckInForm(initial={"date": today + dt.timedelta(days=1) if next_day else today}),
        "form_is_for_another_day": next_day,
    }
    if request.htmx:  # the who-is-here list refreshes itself every minute
        return render(request, "presence/_here.html", context)
    return render(request, "presence/space_today.html", context)


def _why_meet(recipient, requester_id: int, space_slug: str) -> list[str]:
    """Why the recipient might meet the requester: the reasons the recipient's own suggestions
    give for them at the space today (none when not suggested, or in an experiment's hold-out,
    which sees no reasons)."""
    space = Space.objects.filter(slug=space_slug[:80]).first() if space_slug else None
    if space is None:
        return []
    offered = suggestions_for(member=recipient, space=space, date=space.local_today())
    return next((list(s.reasons) for s in offered.routes if s.member_id == requester_id), [])


@login_required
@require_POST
def introduction_request(request, member_id: int):
    """Ask to be introduced (from today at a space): the in-place button (HTMX) or a redirect."""
    me = member_or_404(request)
    form = IntroductionForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    error = ""
    try:
        recipient = Member.objects.filter(pk=member_id).first() if 0 < member_id < 2**63 else None
        reasons = _why_meet(recipient, me.pk, request.POST.get("space", "")) if recipient else []
        exchange_services.introduction_create(
            member=me, recipient_id=member_id, message=message, reasons=reasons
        )
    except ServiceError as exc:
        error = exc.detail
    if request.htmx:
        return actions_partial(request, me, member_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Introduction requested."))
    return redirect_back(request, "introductions")


@login_required
@require_http_methods(["GET", "POST"])
def passport(request):
    """My passport: edit it, see my upcoming check-ins and my timeline."""
    member = member_for_user(request.user)
    if member is None:
        messages.info(request, _("This account has no passport (it is an admin account)."))
        return redirect("home")
    member = members_with_tags().get(pk=member.pk)
    tags = member_tags_by_kind(member)
    if request.method == "POST":
        form = PassportForm(request.POST)
        if form.is_valid():
            try:
                passport_services.member_edit(member=member, **form.edit_kwargs())
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                # Say it in the language just chosen (the next page will speak it too).
                translation.activate(member.language or translation.get_language_from_request(request))
                messages.success(request, _("Passport saved."))
                return redirect("passport")
    else:
        form = PassportForm.for_member(member, tags)
    known = popular_tags()
    mine = [name for by_name in tags.values() for name in by_name]
    context = {
        "member": member,
        "tags": tags,
        "form": form,
        "known_tags": known,
        "suggested_tags": related_tags(mine, known=known) if mine else known[:8],
        "checkins": member_checkins(member, upcoming_only=True)[:20],
        "timeline": member_timeline(member, limit=30),
        "billing": billing_details(member),
    }
    return render(request, "passport/passport.html", context, status=400 if form.errors else 200)


@login_required
def balance(request):
    """My social capital: the balance and the latest postings with their reasons."""
    member = member_or_404(request)
    entries = [
        {
            "created_at": p.transaction.created_at,
            "kind": p.transaction.get_kind_display(),
            "reason": p.transaction.reason,
            "units": p.amount,
        }
        for p in member_postings(member, limit=200)
    ]
    # Units (1/100 SC): the template's `sc` filter writes them as numbers of the reader's language.
    return render(request, "ledger/balance.html", {"balance": member_balance(member), "entries": entries})


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers, and the benchmarks' ceiling: a bare Django JSON response
    through the whole middleware stack, touching no table. Reveals nothing."""
    return JsonResponse({"ok": True})


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout (settings.AXES_LOCKOUT_CALLABLE): JSON for the API, the page elsewhere."""
    detail = _("too many failed logins; try again in 15 minutes")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(detail), "code": LOCKED_OUT}, status=429)
    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)
