from typing import Any

from django.contrib import admin

from cleftmission.core.admin import AuditedAdmin
from cleftmission.patients.models import Guardian, Patient


@admin.register(Patient)
class PatientAdmin(AuditedAdmin):
    list_display = ["record_number", "family_name", "middle_name", "given_name", "sex", "date_of_birth", "province"]
    search_fields = ["record_number", "search_name"]
    list_filter = ["sex"]
    readonly_fields = ["record_number"]


@admin.register(Guardian)
class GuardianAdmin(AuditedAdmin):
    list_display = ["name", "relation", "phone", "patient"]
    search_fields = ["name", "phone_digits"]
    raw_id_fields = ["patient"]

    def audit_target(self, obj: Any) -> Any:
        return obj.patient
