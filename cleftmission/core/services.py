"""Shared write helpers: every audited create, change and delete goes through these."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry

M = TypeVar("M", bound=models.Model)


def save_audited(*, instance: M, acting_user: Any, target: models.Model | None = None) -> M:
    """Validate and save `instance` (new or changed) and record what changed.

    The old values are read from the database inside the same transaction, so the trail
    shows what was really replaced."""
    with transaction.atomic():
        instance.full_clean()
        if instance.pk is None:
            instance.save()
            audit.record(
                instance=instance,
                action=AuditEntry.Action.CREATE,
                changes={k: [None, v] for k, v in audit.snapshot(instance).items() if v not in (None, "")},
                acting_user=acting_user,
                target=target,
            )
        else:
            model = type(instance)
            before = audit.snapshot(model._default_manager.select_for_update().get(pk=instance.pk))
            after = audit.snapshot(instance)
            changes = audit.diff(before, after)
            if changes:
                # Only the changed columns: a concurrent edit of another field survives.
                instance.save(update_fields=list(changes))
                audit.record(
                    instance=instance,
                    action=AuditEntry.Action.UPDATE,
                    changes=changes,
                    acting_user=acting_user,
                    target=target,
                )
    return instance


def delete_audited(*, instance: models.Model, acting_user: Any, target: models.Model | None = None) -> None:
    with transaction.atomic():
        audit.record(
            instance=instance,
            action=AuditEntry.Action.DELETE,
            changes={k: [v, None] for k, v in audit.snapshot(instance).items() if v not in (None, "")},
            acting_user=acting_user,
            target=target,
        )
        instance.delete()
