from django.contrib import admin

from .models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["date", "space", "member", "status", "focus"]
    list_filter = ["status", "space__country"]
    date_hierarchy = "date"
    search_fields = ["member__display_name", "space__name"]
    raw_id_fields = ["member"]
