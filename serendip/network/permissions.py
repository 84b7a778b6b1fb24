"""The one gate for what a member may do to a space."""

from serendip.passport.models import Member

from .models import Space


def can_host(member: Member | None, space: Space) -> bool:
    """Hosts manage their own spaces only; operators (staff) manage all."""
    if member is None:
        return False
    if member.user.is_staff:
        return True
    return space.hosts.filter(pk=member.pk).exists()
