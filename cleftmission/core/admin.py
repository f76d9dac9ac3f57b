from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cleftmission.core.models import ApiToken, AuditEntry
from cleftmission.core.services import delete_audited, save_audited


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at"]


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the Django admin go through the same audited writes as the app."""

    def audit_target(self, obj: Any) -> Any:
        """The record whose trail shows a change (a guardian's change shows on the child)."""
        return None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_audited(instance=obj, acting_user=request.user, target=self.audit_target(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_audited(instance=obj, acting_user=request.user, target=self.audit_target(obj))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
