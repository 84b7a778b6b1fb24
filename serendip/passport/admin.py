from django.contrib import admin

from serendip.admin import ReadOnlyAdmin

from .forms import AdminLoginForm
from .models import Activity, ApiToken, Member, MemberTag, Tag

# The admin's login form, with credentials bounded like the site's (forms.BoundedCredentials).
admin.site.login_form = AdminLoginForm


class MemberTagInline(admin.TabularInline):
    model = MemberTag
    extra = 0
    autocomplete_fields = ["tag"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "visibility", "open_to_matching", "language", "created_at"]
    list_filter = ["visibility", "open_to_matching", "language"]
    search_fields = ["display_name", "user__username", "headline"]
    inlines = [MemberTagInline]
    readonly_fields = ["pseudonym", "verified_at", "verified_how"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """The timeline is append-only: the admin may read it, never change or delete it."""

    list_display = ["created_at", "member", "verb", "summary"]
    list_filter = ["verb"]
    search_fields = ["member__display_name", "summary"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "user", "created_at", "expires_at"]

    def has_add_permission(self, request):
        return False
