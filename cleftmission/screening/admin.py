from typing import Any

from django.contrib import admin

from cleftmission.core.admin import AuditedAdmin
from cleftmission.screening.models import ScreeningVisit


@admin.register(ScreeningVisit)
class ScreeningVisitAdmin(AuditedAdmin):
    list_display = ["mission", "queue_number", "patient", "outcome"]
    list_filter = ["outcome", "mission"]
    raw_id_fields = ["patient", "mission"]

    def audit_target(self, obj: Any) -> Any:
        return obj.patient
