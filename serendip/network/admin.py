from django.contrib import admin

from serendip.admin import ReadOnlyAdmin

from .models import Booking, Invoice, OpeningHours, Room, Space


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "timezone", "language", "seats", "seat_price"]
    list_filter = ["country", "language"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["hosts"]
    inlines = [OpeningHoursInline, RoomInline]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Read-only: bookings change only through the services (book, cancel), which invoice."""

    list_display = ["id", "room", "member", "starts_at", "ends_at", "status", "gross_cents", "payment_status"]
    list_filter = ["status", "payment_status", "room__space"]
    list_select_related = ["room__space", "member"]
    date_hierarchy = "starts_at"


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Issued invoices and credit notes are never edited or deleted."""

    list_display = ["number", "kind", "issue_date", "seller_name", "buyer_name", "gross_cents"]
    list_filter = ["kind", "space", "year"]
    search_fields = ["number", "buyer_name"]
