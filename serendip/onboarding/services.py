"""Becoming a member: a verified account earns the welcome grant, once.

Above passport and ledger: signing up (`passport.services.member_signup`, through the sign-up
page here) makes a passport with 0 SC; `member_verify` marks it verified and pays the welcome
grant, once and atomically. Verification is a space confirming the member's first arrival
(`presence.services.checkin_mark_present` calls it with how="arrival"), a confirmed e-mail
address (how="email") or the operator (how="operator": the demo, imports).

Until then a new member's first seat is on the house (`ledger.services.seat_pay`): the network
pays it, once per member, so they can come in, be seen by a host and be verified.
"""

from django.db import transaction

from serendip.ledger.services import welcome_grant
from serendip.passport.models import Member
from serendip.passport.services import activity_record, member_mark_verified


@transaction.atomic
def member_verify(*, member: Member, how: str) -> bool:
    """Mark `member` verified and pay the welcome grant, both once: True if this call did it,
    False if the member was verified already (nothing is written then). Concurrent calls are
    safe: only one of them wins the passport's conditional update and pays."""
    if member.verified_at is not None:
        return False
    if not member_mark_verified(member=member, how=how):
        return False
    welcome_grant(member=member)
    activity_record(
        member=member, verb="verified", summary="Account verified: welcome grant received", extra={"how": how}
    )
    return True
