from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serendip.admin import ReadOnlyAdmin

from .models import Erasure, IssuedCredential
from .services import credential_revoke


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(ReadOnlyAdmin):
    list_display = ["id", "uid", "kind", "achievement", "member", "issued_at", "valid_until", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected credentials (abuse)"))
    def revoke(self, request, queryset):
        for credential in queryset:
            credential_revoke(credential=credential, reason="abuse")
        n = queryset.count()
        messages.success(
            request, ngettext("Revoked %(n)d credential.", "Revoked %(n)d credentials.", n) % {"n": n}
        )


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["member", "erased_at", "invoices_kept_until", "invoices_removed_at"]
