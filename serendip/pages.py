"""Small helpers the pages share (a shared module: it imports no domain app)."""

from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # a type only: the bottom layer imports no domain at run time
    from serendip.passport.models import Member


def redirect_back(request, default: str, field: str = "next", **kwargs):
    """Redirect to the posted `next` URL if it is on this site, else to `default`."""
    target = request.POST.get(field, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, **kwargs)


def member_or_404(request) -> "Member":
    """The signed-in account's passport, or the 404 page (an operator account has none).

    `user.member` is the one-to-one reverse accessor; a missing passport raises an
    AttributeError subclass, so `getattr` answers None."""
    user = request.user
    member = getattr(user, "member", None) if user.is_authenticated else None
    if member is None:
        raise Http404(_("this account has no passport"))
    return member
