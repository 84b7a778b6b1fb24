from django.contrib import admin

from .models import Account, Posting, Transaction


class ReadOnly(admin.ModelAdmin):
    """The books are append-only: no add, change or delete path in the admin either."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["public_id", "kind", "member", "space", "balance"]
    list_filter = ["kind"]
    search_fields = ["public_id", "member__display_name", "space__name"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnly):
    list_display = ["id", "created_at", "kind", "reason", "beneficiary"]
    list_filter = ["kind"]
    inlines = [PostingInline]
