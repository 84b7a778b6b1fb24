"""Forms of the notification settings page and the password reset that queues its email."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from serendip.l10n import supported
from serendip.passport.models import Member

from .kinds import KINDS, Channel
from .outbox import email_queue
from .services import verified_address


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, spec in KINDS.items():
            self.fields[kind] = forms.ChoiceField(
                label=spec.label, choices=Channel.choices, initial=current[kind], required=False
            )

    def channels(self) -> dict[str, str]:
        """The kinds the form was sent with (a kind left out keeps its channel)."""
        return {kind: channel for kind, channel in self.cleaned_data.items() if channel}


class FollowTagForm(forms.Form):
    tag = forms.CharField(max_length=50, label=_("Follow a tag"), help_text=_("e.g. fundraising"))


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), max_length=254)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email is queued for the worker (the same transaction
    answers the request) instead of being sent while the visitor waits."""

    def get_users(self, email):
        # Only verified addresses get email; the page answers the same either way.
        for user in super().get_users(email):
            member = Member.objects.filter(user=user).select_related("user").first()
            if member is not None and verified_address(member):
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        member = getattr(context.get("user"), "member", None)
        # The member's own language if they chose one, else the page's they asked from.
        with translation.override(supported(getattr(member, "language", "")) or translation.get_language()):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            text = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, kind="password_reset", subject=subject, text=text, member=member)
