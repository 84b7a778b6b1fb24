"""Pages: all spaces, check in and cancel. (Home and today at a space combine domains:
serendip/site/views.py.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serendip.errors import ServiceError
from serendip.network.shortcuts import space_or_404
from serendip.pages import member_or_404, redirect_back
from serendip.passport.selectors import member_for_user

from . import services
from .forms import CheckInForm
from .selectors import space_cards

SPACES_PER_PAGE = 24


def space_list(request):
    """Every space, the member's own first, a page at a time: all 207 cards of the seed network
    on one page took most of a second to render."""
    days, own = space_cards(member_for_user(request.user))
    page = Paginator(days, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "presence/space_list.html", {"days": page.object_list, "page": page, "own": own})


@login_required
@require_POST
def checkin(request, slug: str):
    space = space_or_404(slug)
    member = member_for_user(request.user)
    form = CheckInForm(request.POST)
    if member is None:
        messages.error(request, _("Only members can check in."))
    elif not form.is_valid():
        messages.error(request, _("Please give a valid date (and a focus of at most 200 characters)."))
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
            messages.success(
                request,
                _("You have a seat at %(space)s on %(date)s.")
                % {"space": space.name, "date": date_format(c.date, "DATE_FORMAT")},
            )
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
    messages.success(
        request,
        _("Cancelled: your seat at %(space)s on %(date)s is free again.")
        % {"space": c.space.name, "date": date_format(c.date, "DATE_FORMAT")},
    )
    return redirect_back(request, "passport")
