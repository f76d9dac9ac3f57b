from typing import Any

from django.contrib import admin

from cleftmission.core.admin import AuditedAdmin
from cleftmission.volunteers.models import (
    Credential,
    MissionMember,
    RequiredCredential,
    StaffingNeed,
    TeamProposal,
    Unavailability,
    Volunteer,
)


@admin.register(Volunteer)
class VolunteerAdmin(AuditedAdmin):
    list_display = ["family_name", "given_name", "specialty", "origin", "user"]
    list_filter = ["specialty", "origin"]
    search_fields = ["search_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Credential)
class CredentialAdmin(AuditedAdmin):
    list_display = ["volunteer", "kind", "valid_from", "valid_to", "verification"]
    list_filter = ["kind", "verification"]
    raw_id_fields = ["volunteer", "verified_by"]
    # The document is served only through the checking view, never as a public media link.
    exclude = ["document"]

    def audit_target(self, obj: Any) -> Any:
        return obj.volunteer


@admin.register(MissionMember)
class MissionMemberAdmin(AuditedAdmin):
    list_display = ["volunteer", "mission", "role"]
    list_filter = ["mission"]
    raw_id_fields = ["volunteer", "mission"]

    def audit_target(self, obj: Any) -> Any:
        return obj.mission


@admin.register(Unavailability)
class UnavailabilityAdmin(AuditedAdmin):
    list_display = ["volunteer", "first_day", "last_day", "reason"]
    raw_id_fields = ["volunteer"]

    def audit_target(self, obj: Any) -> Any:
        return obj.volunteer


@admin.register(RequiredCredential)
class RequiredCredentialAdmin(AuditedAdmin):
    list_display = ["specialty", "kind"]
    list_filter = ["specialty"]


@admin.register(StaffingNeed)
class StaffingNeedAdmin(AuditedAdmin):
    list_display = ["mission_kind", "role", "per_table", "fixed"]
    list_filter = ["mission_kind"]


@admin.register(TeamProposal)
class TeamProposalAdmin(AuditedAdmin):
    list_display = ["volunteer", "mission", "role", "status", "proposed_at"]
    list_filter = ["status", "mission"]
    raw_id_fields = ["volunteer", "mission", "decided_by"]

    def audit_target(self, obj: Any) -> Any:
        return obj.mission
