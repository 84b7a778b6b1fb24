from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from serendip.admin import ReadOnlyAdmin

from .api import sc
from .models import Account, Posting, Transaction


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    fields = ["account_name", "amount_sc"]
    readonly_fields = ["account_name", "amount_sc"]

    @admin.display(description=_("account"))
    def account_name(self, obj) -> str:
        return _account_name(obj.account)

    @admin.display(description=_("amount (SC)"))
    def amount_sc(self, obj) -> str:
        return sc(obj.amount)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _account_name(account) -> str:
    """Whose account, in words (the public id is for the log, not for people)."""
    if account.member_id:
        return str(_("%(name)s (member)") % {"name": account.member.display_name})
    if account.space_id:
        return str(_("%(name)s (space)") % {"name": account.space.name})
    return str(_("the network (issuer)"))


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    # Balances in SC, not in the 1/100 SC the database keeps; the owner by name before the id.
    list_display = ["owner", "kind", "balance_sc", "public_id"]
    list_select_related = ["member", "space"]
    list_filter = ["kind"]
    search_fields = ["public_id", "member__display_name", "space__name"]

    @admin.display(description=_("owner"))
    def owner(self, obj) -> str:
        return _account_name(obj)

    @admin.display(description=_("balance (SC)"), ordering="balance")
    def balance_sc(self, obj) -> str:
        return sc(obj.balance)


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "reason", "beneficiary"]
    list_filter = ["kind"]
    inlines = [PostingInline]
