"""Pages: log in/out, password change, sign out everywhere, profile pictures. (Sign-up:
serendip/onboarding; my passport shows check-ins too: serendip/site/views.py.)"""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serendip.errors import InvalidInput, ServiceError

from . import services
from .auth import throttle_posts
from .billing import FIELDS as BILLING_FIELDS
from .forms import BillingForm, LoginForm
from .selectors import billing_details, member_for_user, photo_for


@method_decorator(throttle_posts("login", "LOGIN_RATE"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change my password: every API token and every other session of mine ends with the old one."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
            )
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            update_session_auth_hash(request, request.user)  # this session stays signed in
            messages.success(
                request, _("Password changed. Your API tokens and other sessions were signed out.")
            )
            return redirect("passport")
    return render(
        request, "registration/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every session of mine (this one too) and revoke every API token."""
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You were signed out everywhere, and your API tokens no longer work."))
    return redirect("login")


@login_required
@require_POST
def photo(request):
    """Upload (or, with `remove`, drop) my profile picture."""
    member = member_for_user(request.user)
    if member is None:
        raise Http404("this account has no passport")
    try:
        if request.POST.get("remove"):
            services.member_photo_remove(member=member)
            messages.success(request, _("Your picture is removed; people see your initials."))
        else:
            upload = request.FILES.get("photo")
            if upload is not None and upload.size > services.PHOTO_MAX_BYTES:
                raise InvalidInput(_("a picture may be at most 5 MB"))
            data = upload.read(services.PHOTO_MAX_BYTES + 1) if upload is not None else b""
            services.member_photo_set(member=member, data=data)
            messages.success(request, _("Picture saved."))
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("passport")


@login_required
@require_http_methods(["GET", "POST"])
def billing(request):
    """My billing details: whom my invoices are made out to from now on."""
    member = member_for_user(request.user)
    if member is None:
        raise Http404("this account has no passport")
    if request.method == "POST":
        form = BillingForm(request.POST, prefix="billing")
        if form.is_valid():
            try:
                services.billing_details_set(
                    member=member, **{f: form.cleaned_data.get(f, "") for f in BILLING_FIELDS}
                )
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Billing details saved: they go on your invoices from now on."))
                return redirect("passport")
    else:
        form = BillingForm.for_details(billing_details(member))
    return render(request, "passport/billing.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def photo_image(request, member_id: int):
    """A member's picture, for those who may see their passport; cached until it changes (the
    URL carries its version)."""
    data = photo_for(viewer=member_for_user(request.user), member_id=member_id)
    if data is None:
        raise Http404("no picture")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
