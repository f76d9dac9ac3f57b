from typing import Any

from django.contrib import admin

from cleftmission.core.admin import AuditedAdmin
from cleftmission.missions.models import Mission, OperatingTable, Site


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "city", "ward_beds"]
    search_fields = ["name", "city"]


@admin.register(OperatingTable)
class OperatingTableAdmin(AuditedAdmin):
    list_display = ["name", "site", "active"]
    list_filter = ["site", "active"]

    def audit_target(self, obj: Any) -> Any:
        return obj.site


@admin.register(Mission)
class MissionAdmin(AuditedAdmin):
    list_display = ["name", "kind", "site", "start_date", "end_date", "phase"]
    list_filter = ["kind", "phase", "site"]
    search_fields = ["name"]
    date_hierarchy = "start_date"
