"""Pages: sign up, log in/out, my passport."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from serendip.errors import ServiceError
from serendip.presence.selectors import member_checkins

from . import services
from .forms import LoginForm, PassportForm, SignupForm
from .selectors import member_for_user, member_tags_by_kind, member_timeline, members_with_tags


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_signup(**form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Tell people what you offer and what you need.")
            return redirect("passport")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def passport(request):
    member = member_for_user(request.user)
    if member is None:
        messages.info(request, "This account has no passport (it is an admin account).")
        return redirect("home")
    member = members_with_tags().get(pk=member.pk)
    tags = member_tags_by_kind(member)
    if request.method == "POST":
        form = PassportForm(request.POST)
        if form.is_valid():
            try:
                services.member_edit(member=member, **form.edit_kwargs())
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, "Passport saved.")
                return redirect("passport")
    else:
        form = PassportForm.for_member(member, tags)
    context = {
        "member": member,
        "tags": tags,
        "form": form,
        "checkins": member_checkins(member, upcoming_only=True)[:20],
        "timeline": member_timeline(member, limit=30),
    }
    return render(request, "passport/passport.html", context, status=400 if form.errors else 200)
