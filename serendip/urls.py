"""URLs: the pages, the admin, and the JSON API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

from serendip.api import api
from serendip.exchange import views as exchange_views
from serendip.insights import views as insights_views
from serendip.ledger import views as ledger_views
from serendip.network import views as network_views
from serendip.passport import views as passport_views
from serendip.presence import views as presence_views

urlpatterns = [
    # The API first: Django tries patterns in order, and API clients (check-ins above all) are
    # the busiest callers; a page request pays one failed prefix match for it.
    path("api/v1/", api.urls),
    path("", presence_views.home, name="home"),
    path("spaces/", presence_views.space_list, name="space_list"),
    path("spaces/<slug:slug>/", presence_views.space_today, name="space_today"),
    path("spaces/<slug:slug>/checkin", presence_views.checkin, name="checkin"),
    path("spaces/<slug:slug>/lobby", network_views.lobby, name="lobby"),
    path("spaces/<slug:slug>/rooms", network_views.space_rooms_page, name="space_rooms"),
    path("spaces/<slug:slug>/rooms/book", network_views.room_book, name="room_book"),
    path("bookings/", network_views.my_bookings, name="my_bookings"),
    path("bookings/<int:booking_id>/cancel", network_views.booking_cancel, name="booking_cancel"),
    path("invoices/<str:number>", network_views.invoice, name="invoice"),
    path("host/", network_views.host_index, name="host_index"),
    path("host/<slug:slug>/", network_views.host_space, name="host_space"),
    path("host/<slug:slug>/settings", network_views.host_settings, name="host_settings"),
    path("host/<slug:slug>/rooms/new", network_views.host_room, name="host_room_new"),
    path("host/<slug:slug>/rooms/<int:room_id>/", network_views.host_room, name="host_room"),
    path(
        "host/<slug:slug>/checkins/<int:checkin_id>/<str:outcome>",
        network_views.host_checkin_mark,
        name="host_checkin_mark",
    ),
    path("checkins/<int:checkin_id>/cancel", presence_views.checkin_cancel, name="checkin_cancel"),
    path("passport/", passport_views.passport, name="passport"),
    path("login/", passport_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", passport_views.signup, name="signup"),
    path("questions/", exchange_views.questions, name="questions"),
    path("questions/ask", exchange_views.ask, name="ask"),
    path("questions/<int:question_id>/", exchange_views.question, name="question"),
    path("questions/<int:question_id>/answer", exchange_views.answer, name="answer"),
    path("questions/<int:question_id>/accept/<int:answer_id>", exchange_views.accept, name="accept"),
    path("introductions/", exchange_views.introductions, name="introductions"),
    path(
        "introductions/to/<int:member_id>", exchange_views.introduction_request, name="introduction_request"
    ),
    path(
        "introductions/<int:introduction_id>/<str:answer>",
        exchange_views.introduction_respond,
        name="introduction_respond",
    ),
    path("meetings/", exchange_views.meetings, name="meetings"),
    path("meetings/record", exchange_views.meeting_record, name="meeting_record"),
    path("meetings/<int:meeting_id>/confirm", exchange_views.meeting_confirm, name="meeting_confirm"),
    path("meetings/<int:meeting_id>/outcome", exchange_views.outcome, name="outcome"),
    path("passport/balance/", ledger_views.balance, name="balance"),
    path("ledger/", include("serendip.ledger.urls")),
    path("insights/", insights_views.network, name="insights"),
    path("insights/spaces/<slug:slug>/", insights_views.space, name="insights_space"),
    path("healthz", insights_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
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
