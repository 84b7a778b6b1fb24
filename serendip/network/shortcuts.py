"""Shortcuts for the pages that show a space."""

from django.http import Http404

from serendip.errors import NotFound

from .models import Space
from .selectors import space_get


def space_or_404(slug: str) -> Space:
    """The space with this slug, or the 404 page."""
    try:
        return space_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
