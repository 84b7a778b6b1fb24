"""Pages that combine reach with the domains: the calendar feed and address verification
(which, once verified, lets onboarding verify the member)."""

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from serendip.errors import ServiceError
from serendip.notifications.selectors import member_for_feed
from serendip.notifications.services import email_verify
from serendip.onboarding.services import member_verify
from serendip.passport.models import Member, Verification

from .calendar import member_feed


@require_GET
def calendar_feed(request, token: str):
    member = member_for_feed(token.removesuffix(".ics"))
    if member is None:
        raise Http404("no such calendar feed (it may have been revoked)")
    response = HttpResponse(member_feed(member), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="serendip.ics"'
    return response


def on_email_verified(member: Member) -> None:
    """THE call site for onboarding: a verified address verifies the member (pays the welcome
    grant once; nothing if the member was verified already, e.g. by a first arrival)."""
    member_verify(member=member, how=Verification.EMAIL)


@require_http_methods(["GET", "POST"])
def verify_email(request, token: str):
    """GET shows a button (mail scanners open links); POST verifies."""
    if request.method == "GET":
        return render(request, "notifications/email_confirm.html", {"token": token})
    try:
        with transaction.atomic():  # the address and the member are verified together
            member = email_verify(token=token)
            on_email_verified(member)
    except ServiceError as exc:
        return render(request, "notifications/email_confirm.html", {"error": exc.detail}, status=400)
    return render(request, "notifications/email_confirm.html", {"done": True})
