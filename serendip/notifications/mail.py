"""Emails: what each says (text + HTML from one template pair) and how it is sent.

Everything here is called by the worker after commit, except the account emails, which are
queued in the request's transaction (the worker sends them)."""

import functools

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serendip.l10n import language_of
from serendip.passport.models import Member

from .kinds import KINDS
from .models import Notification, OutboundEmail
from .outbox import email_queue
from .tokens import unsubscribe_token


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def _render(context: dict) -> tuple[str, str]:
    return (
        render_to_string("notifications/email/message.txt", context),
        render_to_string("notifications/email/message.html", context),
    )


def in_recipients_language(build):
    """Compose an email in its recipient's language (their setting, else English), whatever
    language the worker or the request that queued it speaks: subject, text, HTML and the
    notification texts inside (rendered now, in that language)."""

    @functools.wraps(build)
    def compose(**kwargs) -> OutboundEmail:
        member = kwargs.get("member") or kwargs["notification"].recipient
        with translation.override(language_of(member)):
            return build(**kwargs)

    return compose


def _unsubscribe(member: Member, kind: str) -> tuple[str, dict]:
    url = absolute(reverse("unsubscribe", args=[unsubscribe_token(member=member, kind=kind)]))
    # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return url, headers


@in_recipients_language
def notification_message(*, notification: Notification, to: str) -> OutboundEmail:
    member = notification.recipient
    url, headers = _unsubscribe(member, notification.kind)
    kind = KINDS[notification.kind]
    text, html = _render(
        {
            "name": member.display_name,
            "lines": [notification.text],
            "action_url": absolute(notification.url) if notification.url else "",
            "action_label": _("Open in Serendip"),
            "unsubscribe_url": url,
            "why": _("You get this because of your notification settings for “%(kind)s”.")
            % {"kind": kind.label},
            "settings_url": absolute(reverse("notification_settings")),
        }
    )
    attachments = []
    if notification.params.get("_ics"):
        attachments.append(
            {"filename": "booking.ics", "content": notification.params["_ics"], "mimetype": "text/calendar"}
        )
    return email_queue(
        to=to,
        kind=notification.kind,
        subject=str(kind.label),
        text=text,
        html=html,
        member=member,
        headers=headers,
        attachments=attachments,
    )


@in_recipients_language
def digest_message(*, member: Member, to: str, notifications: list[Notification]) -> OutboundEmail:
    url, headers = _unsubscribe(member, "digest")
    text, html = _render(
        {
            "name": member.display_name,
            "intro": _("Here is what happened since your last digest:"),
            "lines": [n.text for n in notifications],
            "action_url": absolute(reverse("notification_list")),
            "action_label": _("See all notifications"),
            "unsubscribe_url": url,
            "why": _("You get this daily digest because of your notification settings."),
            "settings_url": absolute(reverse("notification_settings")),
        }
    )
    count = len(notifications)
    subject = ngettext(
        "Your Serendip digest: %(count)d new notification",
        "Your Serendip digest: %(count)d new notifications",
        count,
    ) % {"count": count}
    return email_queue(
        to=to, kind="digest", subject=subject, text=text, html=html, member=member, headers=headers
    )


@in_recipients_language
def verification_message(*, member: Member, token: str) -> OutboundEmail:
    text, html = _render(
        {
            "name": member.display_name,
            "lines": [
                _("Please confirm that this is your email address.")
                + " "
                + _("Until you do, Serendip sends you no email.")
            ],
            "action_url": absolute(reverse("email_verify", args=[token])),
            "action_label": _("Confirm my address"),
            "why": _("You get this because this address was given when signing up to Serendip."),
        }
    )
    return email_queue(
        to=member.user.email,
        kind="verify",
        subject=_("Confirm your email address"),
        text=text,
        html=html,
        member=member,
    )


@in_recipients_language
def email_change_message(*, member: Member, new_email: str, token: str) -> OutboundEmail:
    text, html = _render(
        {
            "name": member.display_name,
            "lines": [_("Confirm that Serendip should use this address from now on.")],
            "action_url": absolute(reverse("email_change_confirm", args=[token])),
            "action_label": _("Use this address"),
            "why": _(
                "You get this because someone asked to change a Serendip account's address to this one. "
                "If it was not you, ignore this email: nothing changes."
            ),
        }
    )
    return email_queue(
        to=new_email,
        kind="email_change",
        subject=_("Confirm your new email address"),
        text=text,
        html=html,
        member=member,
    )


def build(email: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id, **email.headers}
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[email.to], headers=headers, connection=connection
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], item["content"], item.get("mimetype", "application/octet-stream"))
    return message
