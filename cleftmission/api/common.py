"""Helpers the routers share: pages of results, and the web forms filled from JSON."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db import models
from django.forms.models import model_to_dict
from django.http import Http404
from ninja import Schema

from cleftmission.api.errors import invalid_form
from cleftmission.api.schemas import PageParams

F = TypeVar("F", bound=forms.BaseModelForm[Any])


def page(queryset: models.QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """{"items": [...], "count": N}: one slice of the queryset and the total."""
    return {"items": list(queryset[params.offset : params.offset + params.limit]), "count": queryset.count()}


def sent(payload: Schema) -> dict[str, Any]:
    """Only the fields the client sent (a PATCH leaves the others alone)."""
    return payload.model_dump(exclude_unset=True)


def filled_form(form_class: type[F], *, instance: models.Model, changes: dict[str, Any], **kwargs: Any) -> F:
    """The web form bound to the record's current values (a new record's defaults) with the
    changes sent laid over them, so the form checks the record as it will be saved."""
    data = model_to_dict(instance, fields=form_class._meta.fields)
    data.update(changes)
    return form_class(data=data, instance=instance, **kwargs)


def checked(form: F, prefix: str = "") -> F:
    """The form, if valid; else 422 naming each field at fault."""
    if not form.is_valid():
        raise invalid_form(form, prefix)
    return form


# Ids beyond a 64-bit integer cannot be in the database (and would overflow the query).
MAX_ID = 2**63 - 1

M = TypeVar("M", bound=models.Model)


def get_or_404(queryset: models.QuerySet[M], pk: int) -> M:
    """The record with this id among those the caller may see; else 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    obj = queryset.filter(pk=pk).order_by().first()  # no sort (and no join for the ordering)
    if obj is None:
        raise Http404
    return obj
