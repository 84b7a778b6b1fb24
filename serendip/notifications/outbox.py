"""Queue an email in the caller's transaction; the worker sends it after commit."""

from email.utils import make_msgid

from django.conf import settings
from django.utils import timezone, translation

from serendip.passport.models import Member

from .models import OutboundEmail


def email_queue(
    *,
    to: str,
    kind: str,
    subject: str,
    text: str,
    html: str = "",
    member: Member | None = None,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Queue one email in the caller's transaction; the worker sends it after commit."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "serendip.example"
    return OutboundEmail.objects.create(
        member=member,
        to=to,
        kind=kind,
        subject=subject[:200],
        text=text,
        html=html,
        # The language it is written in: composed under the recipient's language (mail.py).
        headers={"Content-Language": translation.get_language() or settings.LANGUAGE_CODE, **(headers or {})},
        attachments=attachments or [],
        message_id=make_msgid(domain=domain),
        next_attempt_at=timezone.now(),
    )
