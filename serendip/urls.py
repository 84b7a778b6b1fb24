"""URLs: the pages, the admin, and the JSON API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import bad_request, page_not_found, server_error

from serendip.api import api
from serendip.errors import INTERNAL_ERROR, NO_SUCH_ENDPOINT, PAYLOAD_TOO_LARGE, InvalidInput
from serendip.exchange import views as exchange_views
from serendip.insights import views as insights_views
from serendip.ledger import views as ledger_views
from serendip.network import views as network_views
from serendip.onboarding import views as onboarding_views
from serendip.passport import views as passport_views
from serendip.presence import views as presence_views
from serendip.reach import views as reach_views

urlpatterns = [
    # The API first: Django tries patterns in order, and API clients (check-ins above all) are
    # the busiest callers; a page request pays one failed prefix match for it.
    path("api/v1/", api.urls),
    # Pages that combine domains (home, today at a space, lobby, host pages, my passport and
    # balance, /healthz): serendip/site/urls.py.
    path("", include("serendip.site.urls")),
    path("spaces/", presence_views.space_list, name="space_list"),
    path("spaces/<slug:slug>/checkin", presence_views.checkin, name="checkin"),
    path("spaces/<slug:slug>/rooms", network_views.space_rooms_page, name="space_rooms"),
    path("spaces/<slug:slug>/rooms/book", network_views.room_book, name="room_book"),
    path("spaces/<slug:slug>/rooms/quote", network_views.room_quote, name="room_quote"),
    path("bookings/", network_views.my_bookings, name="my_bookings"),
    path("bookings/<int:booking_id>/cancel", network_views.booking_cancel, name="booking_cancel"),
    path("invoices/<str:number>.pdf", network_views.invoice_pdf, name="invoice_pdf"),  # before <str:number>
    path("invoices/<str:number>", network_views.invoice, name="invoice"),
    path("checkins/<int:checkin_id>/cancel", presence_views.checkin_cancel, name="checkin_cancel"),
    path("passport/password", passport_views.password_change, name="password_change"),
    path("passport/sign-out-everywhere", passport_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("login/", passport_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", onboarding_views.signup, name="signup"),
    path("passport/photo", passport_views.photo, name="photo"),
    path("passport/billing", passport_views.billing, name="billing"),
    path("members/<int:member_id>/photo", passport_views.photo_image, name="photo_image"),
    path("questions/", exchange_views.questions, name="questions"),
    path("questions/ask", exchange_views.ask, name="ask"),
    path("questions/<int:question_id>/", exchange_views.question, name="question"),
    path("questions/<int:question_id>/answer", exchange_views.answer, name="answer"),
    path("questions/<int:question_id>/accept/<int:answer_id>", exchange_views.accept, name="accept"),
    path("introductions/", exchange_views.introductions, name="introductions"),
    path(
        "introductions/<int:introduction_id>/<str:answer>",
        exchange_views.introduction_respond,
        name="introduction_respond",
    ),
    path("meetings/", exchange_views.meetings, name="meetings"),
    path("meetings/record", exchange_views.meeting_record, name="meeting_record"),
    path("meetings/<int:meeting_id>/confirm", exchange_views.meeting_confirm, name="meeting_confirm"),
    path("meetings/<int:meeting_id>/outcome", exchange_views.outcome, name="outcome"),
    path("passport/balance/verify/", ledger_views.verify_howto, name="ledger_verify_howto"),
    path("ledger/", include("serendip.ledger.urls")),
    path("insights/", insights_views.network, name="insights"),
    path("", include("serendip.experiments.urls")),
    path("insights/spaces/<slug:slug>/", insights_views.space, name="insights_space"),
    path("", include("serendip.rights.urls")),
    path("admin/", admin.site.urls),
    path("", include("serendip.notifications.urls")),
    path("email/verify/<str:token>", reach_views.verify_email, name="email_verify"),
    path("calendar/<str:token>", reach_views.calendar_feed, name="calendar_feed"),
]


def handler404(request, exception=None):
    # Unknown URLs under the API answer in the API's own error format.
    if request.path.startswith("/api/"):
        detail = f"no such endpoint: {request.method} {request.path}"
        return JsonResponse({"detail": detail, "code": NO_SUCH_ENDPOINT}, status=404)
    return page_not_found(request, exception)


def handler400(request, exception=None):
    # Django refuses some requests before any view runs (a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    # read by a middleware, too many fields, a bad Host): the API answers in its format, 413
    # for a body too large.
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            body = {"detail": "the body is over the size limit", "code": PAYLOAD_TOO_LARGE}
            return JsonResponse(body, status=413)
        return JsonResponse({"detail": "bad request", "code": InvalidInput.code}, status=400)
    return bad_request(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        body = {"detail": "internal error; it has been logged", "code": INTERNAL_ERROR}
        return JsonResponse(body, status=500)
    return server_error(request)
