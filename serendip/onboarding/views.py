"""The sign-up page: per-IP throttled; the new passport starts with 0 SC (see services)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from serendip.errors import ServiceError
from serendip.ledger.models import UNITS_PER_SC
from serendip.ledger.rules import WELCOME_GRANT
from serendip.passport.auth import throttle_posts
from serendip.passport.forms import SignupForm
from serendip.passport.services import member_signup


@throttle_posts("signup", "SIGNUP_RATE")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_signup(**form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "Welcome! Tell people what you offer and what you need. Your first seat is on the"
                    " house; when the space confirms you arrived, you receive %(grant)s SC to book more."
                )
                % {"grant": WELCOME_GRANT // UNITS_PER_SC},
            )
            return redirect("passport")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)
