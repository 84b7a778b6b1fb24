from django.contrib import admin

from serendip.admin import ReadOnlyAdmin

from .models import Account, Posting, Transaction


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "kind", "member", "space", "balance"]
    list_filter = ["kind"]
    search_fields = ["public_id", "member__display_name", "space__name"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "reason", "beneficiary"]
    list_filter = ["kind"]
    inlines = [PostingInline]
