"""URLs: the pages, the admin, and the JSON API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import path
from django.views.defaults import page_not_found

from serendip.api import api
from serendip.passport import views as passport_views
from serendip.presence import views as presence_views

urlpatterns = [
    path("", presence_views.home, name="home"),
    path("spaces/", presence_views.space_list, name="space_list"),
    path("spaces/<slug:slug>/", presence_views.space_today, name="space_today"),
    path("spaces/<slug:slug>/checkin", presence_views.checkin, name="checkin"),
    path("checkins/<int:checkin_id>/cancel", presence_views.checkin_cancel, name="checkin_cancel"),
    path("passport/", passport_views.passport, name="passport"),
    path("login/", passport_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", passport_views.signup, name="signup"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]


def handler404(request, exception=None):
    # Unknown URLs under the API answer in the API's own error format.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"no such endpoint: {request.method} {request.path}"}, status=404)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "internal error; it has been logged"}, status=500)
    from django.views.defaults import server_error

    return server_error(request)
