"""The audit trail: every write of a child, a volunteer or a credential goes through here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from cleftmission.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None  # the stored file's (random) name, never its contents
    if isinstance(value, Promise):
        return str(value)  # a label in the writer's language (a lazy translation is not JSON)
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of a record, as JSON-friendly values."""
    names = fields or [
        f.name for f in instance._meta.concrete_fields if f.name not in {"id", "search_name", "phone_digits"}
    ]
    values: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(instance, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    *,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]],
    acting_user: Any,
    target: models.Model | None = None,
) -> AuditEntry | None:
    """Write one audit entry. `target` is the record whose trail shows it (a guardian's
    change is shown on the child)."""
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    subject = target or instance
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        object_repr=str(instance)[:200],
        model=instance._meta.label_lower,
        action=action,
        changes={str(name): [_plain(v) for v in pair] for name, pair in changes.items()},
        actor=actor,
    )


def trail(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    ).select_related("actor")
