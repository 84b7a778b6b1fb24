"""Reads of spaces."""

from serendip.errors import NotFound

from .models import Space


def space_get(*, space_id: int | None = None, slug: str | None = None) -> Space:
    space = (
        Space.objects.filter(pk=space_id).first()
        if space_id is not None
        else Space.objects.filter(slug=slug).first()
    )
    if space is None:
        raise NotFound(f"no space with id {space_id}" if space_id is not None else f"no space {slug!r}")
    return space
