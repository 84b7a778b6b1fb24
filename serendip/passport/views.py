"""Pages: sign up, log in/out. (My passport shows check-ins too: serendip/site/views.py.)"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from serendip.errors import ServiceError

from . import services
from .forms import LoginForm, SignupForm


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
