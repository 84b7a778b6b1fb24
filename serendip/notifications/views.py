"""Pages: the notification centre (list, bell, mark read), settings (preferences, follows,
calendar feed, email address), one-click unsubscribe, password reset, the demo outbox."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serendip.errors import ServiceError
from serendip.pages import member_or_404

from . import selectors, services
from .forms import EmailChangeForm, FollowTagForm, PreferencesForm, QueuedPasswordResetForm
from .models import AccountEmail
from .services import calendar_feed_create, calendar_feed_revoke


@login_required
@require_GET
def notification_list(request):
    member = member_or_404(request)
    items = selectors.notification_list(member, limit=100)
    return render(
        request, "notifications/list.html", {"items": items, "unread": selectors.unread_count(member)}
    )


@login_required
@require_GET
def bell(request):
    """The bell alone: htmx polls it to keep the count current without a reload."""
    member = member_or_404(request)
    context = {"bell_unread": selectors.unread_count(member), "bell_poll": settings.BELL_POLL_SECONDS}
    return render(request, "notifications/_bell.html", context)


@login_required
@require_POST
def notification_read(request, notification_id: int):
    member = member_or_404(request)
    try:
        n = services.notification_mark_read(member=member, notification_id=notification_id)
    except ServiceError as exc:
        raise Http404(exc.detail) from exc
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return redirect(n.url)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_all_read(member=member_or_404(request))
    return redirect("notification_list")


def _settings_context(request, member, **forms):
    state = AccountEmail.objects.filter(member=member).first()
    email = member.user.email
    return {
        "prefs": forms.get("prefs") or PreferencesForm(current=selectors.preference_map(member)),
        "follow": forms.get("follow") or FollowTagForm(),
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "subscriptions": selectors.subscription_list(member),
        "email": email,
        "verified": bool(email and state and state.verified_at and state.address.lower() == email.lower()),
        "has_feed": hasattr(member, "calendar_feed"),
        "feed_url": forms.get("feed_url"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    member = member_or_404(request)
    action = request.POST.get("action", "")
    forms, status, feed_url = {}, 200, None
    try:
        if action == "preferences":
            form = PreferencesForm(request.POST, current=selectors.preference_map(member))
            forms["prefs"] = form
            if form.is_valid():
                services.preferences_set(member=member, channels=form.channels())
                messages.success(request, _("Notification settings saved."))
                return redirect("notification_settings")
        elif action == "follow":
            form = FollowTagForm(request.POST)
            forms["follow"] = form
            if form.is_valid():
                services.subscription_create(member=member, tag=form.cleaned_data["tag"])
                messages.success(request, _("You now follow this tag."))
                return redirect("notification_settings")
        elif action == "unfollow":
            services.subscription_delete(member=member, subscription_id=int(request.POST.get("id") or 0))
            messages.success(request, _("You no longer follow this."))
            return redirect("notification_settings")
        elif action == "email":
            form = EmailChangeForm(request.POST)
            forms["email_form"] = form
            if form.is_valid():
                services.email_change_request(member=member, new_email=form.cleaned_data["email"])
                messages.success(request, _("We sent a confirmation link to the new address."))
                return redirect("notification_settings")
        elif action == "feed":
            feed_url = request.build_absolute_uri(
                reverse("calendar_feed", args=[calendar_feed_create(member=member)])
            )
            member.refresh_from_db()
        elif action == "feed_revoke":
            calendar_feed_revoke(member=member)
            messages.success(request, _("Your calendar feed URL no longer works."))
            return redirect("notification_settings")
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "detail", _("That did not work.")))
        status = 400
    if request.method == "POST" and any(f.errors for f in forms.values()):
        status = 400
    context = _settings_context(request, member, feed_url=feed_url, **forms)
    return render(request, "notifications/settings.html", context, status=status)


@csrf_exempt  # mail clients POST here (RFC 8058) without a CSRF token: the signed token authorises
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a button (link scanners must not unsubscribe anyone); POST applies it."""
    if request.method == "GET":
        from . import tokens

        try:
            tokens.read("unsubscribe", token, max_age=tokens.UNSUBSCRIBE_MAX_AGE)
        except tokens.BadToken:
            return render(request, "notifications/unsubscribe.html", {"bad": True}, status=400)
        return render(request, "notifications/unsubscribe.html", {"token": token})
    try:
        services.unsubscribe_apply(token=token)
    except ServiceError:
        return render(request, "notifications/unsubscribe.html", {"bad": True}, status=400)
    return render(request, "notifications/unsubscribe.html", {"done": True})


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    if request.method == "GET":
        return render(request, "notifications/email_confirm.html", {"token": token})
    try:
        services.email_change_confirm(token=token)
    except ServiceError as exc:
        return render(request, "notifications/email_confirm.html", {"error": exc.detail}, status=400)
    return render(request, "notifications/email_confirm.html", {"done": True})


@require_GET
def outbox(request):
    """The emails the platform sent, for a demo without a mail server (EMAIL_OUTBOX_PAGE)."""
    if not settings.EMAIL_OUTBOX_PAGE:
        raise Http404("the outbox page is off")
    return render(request, "notifications/outbox.html", {"emails": selectors.outbox_recent()})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: the same answer whether or not the address exists; throttled per IP."""

    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        key = f"password-reset:{request.META.get('REMOTE_ADDR', '')}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > settings.PASSWORD_RESET_PER_HOUR:
            return render(
                request,
                "registration/password_reset_form.html",
                {"form": self.get_form(), "throttled": True},
                status=429,
            )
        with transaction.atomic():
            return super().post(request, *args, **kwargs)
