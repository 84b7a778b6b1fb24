"""Admin: the email outbox (attempts, next attempt, last error; "retry now"), notifications,
subscriptions. Failed periodic tasks are under django-tasks' "DB task results"."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, OutboundEmail, Schedule, Subscription
from .services import email_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "to", "status", "attempts", "next_attempt_at", "sent_at", "short_error")
    list_filter = ("status", "kind")
    search_fields = ("to", "message_id")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        n = email_retry(email_ids=queryset.values_list("pk", flat=True))
        text = ngettext("%(n)d email is due again.", "%(n)d emails are due again.", n) % {"n": n}
        self.message_user(request, text, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "email", "created_at", "read_at")
    list_filter = ("kind", "email")
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ("recipient",)

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "followed", "tag", "space", "created_at")
    list_select_related = ("member", "followed", "tag", "space")
    raw_id_fields = ("member", "followed", "tag", "space")


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "next_run_at", "last_enqueued_at")
