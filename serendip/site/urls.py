"""URLs of the pages that combine domains (serendip/urls.py includes them)."""

from django.urls import path

from . import host, views

urlpatterns = [
    path("", views.home, name="home"),
    path("spaces/<slug:slug>/", views.space_today, name="space_today"),
    path("spaces/<slug:slug>/lobby", host.lobby, name="lobby"),
    path("host/", host.host_index, name="host_index"),
    path("host/<slug:slug>/", host.host_space, name="host_space"),
    path("host/<slug:slug>/settings", host.host_settings, name="host_settings"),
    path("host/<slug:slug>/rooms/new", host.host_room, name="host_room_new"),
    path("host/<slug:slug>/rooms/<int:room_id>/", host.host_room, name="host_room"),
    path(
        "host/<slug:slug>/checkins/<int:checkin_id>/<str:outcome>",
        host.host_checkin_mark,
        name="host_checkin_mark",
    ),
    path("introductions/to/<int:member_id>", views.introduction_request, name="introduction_request"),
    path("passport/", views.passport, name="passport"),
    path("passport/balance/", views.balance, name="balance"),
    path("healthz", views.healthz, name="healthz"),
    # Django's name for it, so `{% url 'set_language' %}` and its docs apply.
    path("i18n/setlang/", views.language_set, name="set_language"),
]
