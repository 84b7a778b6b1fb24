"""Small helpers the pages share."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from serendip.errors import NotFound


def redirect_back(request, default: str, field: str = "next", **kwargs):
    """Redirect to the posted `next` URL if it is on this site, else to `default`."""
    target = request.POST.get(field, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, **kwargs)


def member_or_404(request):
    """The signed-in account's passport, or the 404 page (an operator account has none)."""
    from serendip.passport.selectors import member_for_user

    member = member_for_user(request.user)
    if member is None:
        raise Http404("this account has no passport")
    return member


def space_or_404(slug: str):
    """The space with this slug, or the 404 page."""
    from serendip.network.selectors import space_get

    try:
        return space_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
