from typing import Any

from django.contrib import admin

from cleftmission.core.admin import AuditedAdmin
from cleftmission.volunteers.models import Credential, MissionMember, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(AuditedAdmin):
    list_display = ["family_name", "given_name", "specialty", "origin", "user"]
    list_filter = ["specialty", "origin"]
    search_fields = ["search_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Credential)
class CredentialAdmin(AuditedAdmin):
    list_display = ["volunteer", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    raw_id_fields = ["volunteer"]

    def audit_target(self, obj: Any) -> Any:
        return obj.volunteer


@admin.register(MissionMember)
class MissionMemberAdmin(AuditedAdmin):
    list_display = ["volunteer", "mission", "role"]
    list_filter = ["mission"]
    raw_id_fields = ["volunteer", "mission"]
