"""Insights pages: the network's numbers for operators, a space's day and week for its hosts.
(/healthz: serendip/site/views.py.)"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from serendip.errors import NotFound
from serendip.experiments.selectors import experiments_page
from serendip.network.permissions import can_host
from serendip.network.selectors import space_get
from serendip.passport.selectors import member_for_user

from . import selectors


@login_required
def network(request):
    """The operator's page: headline numbers (live) with trends and plots (daily aggregates)."""
    if not request.user.is_staff:
        raise PermissionDenied(_("network insights are for the network's operators"))
    headlines = selectors.headline_numbers()
    weekly = selectors.weekly_series()
    tags = selectors.tag_gaps()
    countries = selectors.by_country()
    charts = {
        "weekly": weekly,
        "tags": tags["needed"],
        "gaps": tags["gaps"],
        # The plots' legends, in the viewer's language (insights.js has no catalogue of its own).
        "labels": {
            "checkins": _("check-ins"),
            "active": _("active members"),
            "introductions": _("introductions"),
            "meetings": _("confirmed meetings"),
            "paid_work": _("paid work"),
            "occupancy": _("occupancy"),
            "needs": _("members who need it"),
            "offers": _("members who offer it"),
        },
    }
    return render(
        request,
        "insights/network.html",
        {
            "headlines": headlines,
            "charts": charts,
            "tags": tags,
            "countries": countries,
            "refreshed_at": selectors.stats_refreshed_at(),
            **experiments_page(),
        },
    )


@login_required
def space(request, slug: str):
    """A host's view of one space: today's presence and occupancy, the week, the tags present today."""
    try:
        the_space = space_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if not can_host(member_for_user(request.user), the_space):
        raise PermissionDenied(_("only a host of this space can see its insights"))
    data = selectors.space_insights(the_space)
    return render(
        request,
        "insights/space.html",
        {
            "space": the_space,
            "data": data,
            "charts": {
                "week": data["week"],
                "labels": {"seats": _("seat occupancy %"), "rooms": _("meeting-room occupancy %")},
            },
        },
    )
