"""Pages of the notification centre, email links and password reset."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/bell", views.bell, name="notification_bell"),
    path("notifications/settings", views.notification_settings, name="notification_settings"),
    path("notifications/read-all", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:notification_id>/read", views.notification_read, name="notification_read"),
    path("following/", views.following, name="following"),
    path("following/members/<int:member_id>", views.follow_member, name="follow_member"),
    path("following/tags", views.follow_tag, name="follow_tag"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("email/change/<str:token>", views.email_change_confirm, name="email_change_confirm"),
    path("outbox/", views.outbox, name="outbox"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
