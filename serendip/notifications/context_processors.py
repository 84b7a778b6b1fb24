"""The bell's unread count for the header of every page (one indexed count per signed-in page)."""

from django.conf import settings

from serendip.passport.selectors import member_for_user

from .selectors import unread_count


def bell(request):
    member = member_for_user(getattr(request, "user", None))
    if member is None:
        return {}
    # lazy: only pages that show the bell pay for the count
    return {"bell_unread": lambda: unread_count(member), "bell_poll": settings.BELL_POLL_SECONDS}
