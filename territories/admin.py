"""Staff grant territories to organisers here (the `owners` field)."""

from __future__ import annotations

from django.contrib import admin

from territories.models import Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "code"]
    search_fields = ["name", "slug", "code"]
    filter_horizontal = ["owners"]
    fields = ["name", "slug", "kind", "code", "owners"]
    readonly_fields = ["slug", "kind", "code"]
