from django.contrib import admin

from .models import Room, Space


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "timezone", "seats", "seat_price"]
    list_filter = ["country"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["hosts"]
    inlines = [RoomInline]
