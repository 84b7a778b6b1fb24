"""Pages: the notification centre (list, bell, mark read), settings (preferences, follows,
calendar feed, email address), Follow/Following clicks and the Following page, one-click
unsubscribe, password reset, the demo outbox."""

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

from serendip.errors import InvalidInput, ServiceError
from serendip.pages import member_or_404, redirect_back
from serendip.passport.models import Member
from serendip.tags import TagError, normalise_tag

from . import selectors, services
from .forms import EmailChangeForm, FollowTagForm, PreferencesForm, QueuedPasswordResetForm
from .models import AccountEmail, Subscription
from .services import calendar_feed_create, calendar_feed_revoke
from .templatetags.follow import member_button_context, tag_menu_context


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
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "following_count": selectors.subscription_list(member).count(),
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
        elif action == "follow":  # the Following page is where this is done now; kept for old forms
            form = FollowTagForm(request.POST)
            if form.is_valid():
                services.subscription_create(member=member, tag=form.cleaned_data["tag"])
                messages.success(request, _("You now follow this tag."))
                return redirect("notification_settings")
            messages.error(request, _("Name a tag to follow."))
            status = 400
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


# Follow / Following -------------------------------------------------------------------------


def _follow_done(request, error: str, done: str):
    """A plain (no-JS) click: say what happened and go back to the page it came from."""
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect_back(request, "following")


@login_required
@require_POST
def follow_member(request, member_id: int):
    """Follow a member everywhere, or stop (action=unfollow): the button swaps itself (HTMX),
    or a plain POST redirects back. Who may be followed is the service's rule, as in the API."""
    me = member_or_404(request)
    unfollow = request.POST.get("action") == "unfollow"
    error = ""
    try:
        if unfollow:
            subscription_id = selectors.followed_members(me).get(member_id)
            if subscription_id is not None:  # already not followed: nothing to do
                services.subscription_delete(member=me, subscription_id=subscription_id)
        else:
            services.subscription_create(member=me, followed_id=member_id)
    except ServiceError as exc:
        error = str(exc.detail)
    if request.htmx:
        person = Member.objects.filter(pk=member_id).first() if 0 < member_id < 2**63 else None
        context = member_button_context(request, me, person, error=error)
        return render(request, "notifications/_follow_member.html", context)
    return _follow_done(
        request, error, _("You no longer follow them.") if unfollow else _("You now follow them.")
    )


@login_required
@require_POST
def follow_tag(request):
    """Follow people who offer a tag at one space (space_id) or everywhere, or stop."""
    me = member_or_404(request)
    unfollow = request.POST.get("action") == "unfollow"
    raw_space = request.POST.get("space_id", "")
    space_id = int(raw_space) if raw_space.isdigit() and 0 < int(raw_space) < 2**63 else None
    error = ""
    try:
        if raw_space and space_id is None:
            raise InvalidInput(_("no such space"))
        if unfollow:
            name = normalise_tag(request.POST.get("tag", ""))
            subscription_id = selectors.followed_tags(me).get((name, space_id))
            if subscription_id is not None:
                services.subscription_delete(member=me, subscription_id=subscription_id)
        else:
            services.subscription_create(member=me, tag=request.POST.get("tag", ""), space_id=space_id)
    except TagError as exc:
        error = str(exc)
    except ServiceError as exc:
        error = str(exc.detail)
    if request.htmx:
        try:
            name = normalise_tag(request.POST.get("tag", ""))
        except TagError:
            return render(request, "notifications/_follow_member.html", {"error": error})
        space = Subscription._meta.get_field("space").related_model.objects.filter(pk=space_id).first()
        context = tag_menu_context(request, me, name, space, opened=True, error=error)
        context["kind"] = "offer"
        return render(request, "notifications/_follow_tag.html", context)
    return _follow_done(
        request, error, _("You no longer follow this tag.") if unfollow else _("You now follow this tag.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def following(request):
    """The members and tags I follow, each with Stop; follow a tag by name."""
    member = member_or_404(request)
    form, status = FollowTagForm(), 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unfollow":
                raw = request.POST.get("id", "")
                subscription_id = int(raw) if raw.isdigit() and int(raw) < 2**63 else 0
                services.subscription_delete(member=member, subscription_id=subscription_id)
                messages.success(request, _("You no longer follow this."))
                return redirect("following")
            form = FollowTagForm(request.POST)
            if form.is_valid():
                services.subscription_create(member=member, tag=form.cleaned_data["tag"])
                messages.success(request, _("You now follow this tag."))
                return redirect("following")
            status = 400
        except ServiceError as exc:
            messages.error(request, exc.detail)
            status = 400
    subscriptions = list(selectors.subscription_list(member))
    context = {
        "people": [s for s in subscriptions if s.followed_id],
        "tags": [s for s in subscriptions if s.tag_id],
        "form": form,
    }
    return render(request, "notifications/following.html", context, status=status)
