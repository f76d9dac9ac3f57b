"""/sites: partner hospitals and their operating tables."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import checked, filled_form, get_or_404, page, sent
from cleftmission.api.errors import form_errors, invalid
from cleftmission.api.schemas import (
    ERRORS,
    PageParams,
    SiteIn,
    SiteList,
    SiteOut,
    SitePatch,
    TableIn,
    TableOut,
    TablePatch,
)
from cleftmission.core import roles
from cleftmission.missions import services
from cleftmission.missions.forms import SiteForm, TableFormSet
from cleftmission.missions.models import OperatingTable, Site

router = Router(tags=["sites"])

# The web's table form (name, active), for one table at a time.
TableForm = TableFormSet.form


def _sites() -> QuerySet[Site]:
    return Site.objects.prefetch_related("tables").order_by("name", "id")


def _table_formset(site: Site, tables: list[dict[str, Any]]) -> Any:
    """The web page's table formset, filled from a JSON list of tables."""
    data: dict[str, Any] = {"tables-TOTAL_FORMS": str(len(tables)), "tables-INITIAL_FORMS": "0"}
    for i, table in enumerate(tables):
        data[f"tables-{i}-name"] = table.get("name")
        data[f"tables-{i}-active"] = table.get("active", True)
    formset = TableFormSet(data=data, instance=site, prefix="tables")
    for form in formset.forms:
        form.empty_permitted = False  # a table sent is a table wanted, never a blank row
    return formset


def _table_formset_errors(formset: Any) -> list[dict[str, str]]:
    if formset.is_valid():
        return []
    errors = [e for i, form in enumerate(formset.forms) for e in form_errors(form, f"tables.{i}")]
    errors += [{"field": "tables", "message": str(m)} for m in formset.non_form_errors()]
    return errors


def _checked_table(form: Any) -> Any:
    """The table form, checked also for a name already used at this hospital."""
    if form.is_valid():
        try:
            form.instance.validate_constraints()
        except ValidationError as exc:
            form.add_error("name", exc.messages)
    return checked(form)


@router.get("", response={200: SiteList, **ERRORS}, summary="List partner hospitals", auth=allow(roles.ANY_ROLE))
def list_sites(request: HttpRequest, params: Query[PageParams]) -> Any:
    return page(_sites(), params)


@router.get(
    "/{int:site_id}", response={200: SiteOut, **ERRORS}, summary="Get a partner hospital", auth=allow(roles.ANY_ROLE)
)
def get_site(request: HttpRequest, site_id: int) -> Any:
    return get_or_404(_sites(), site_id)


@router.post(
    "",
    response={201: SiteOut, **ERRORS},
    summary="Add a partner hospital, with its tables",
    auth=allow(roles.MANAGE_PLANNING),
)
def create_site(request: HttpRequest, payload: SiteIn) -> Any:
    user = user_of(request)
    changes = sent(payload)
    tables = changes.pop("tables", [])
    site = Site()
    form = filled_form(SiteForm, instance=site, changes=changes)
    formset = _table_formset(site, tables)
    errors = form_errors(form) + _table_formset_errors(formset)
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        saved = services.save_site(site=form.instance, acting_user=user)
        for table_form in formset.forms:
            table = table_form.instance
            table.site = saved
            services.save_table(table=table, acting_user=user)
    return Status(201, _sites().get(pk=saved.pk))


@router.patch(
    "/{int:site_id}",
    response={200: SiteOut, **ERRORS},
    summary="Change a partner hospital",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_site(request: HttpRequest, site_id: int, payload: SitePatch) -> Any:
    user = user_of(request)
    site = get_or_404(Site.objects.all(), site_id)
    form = checked(filled_form(SiteForm, instance=site, changes=sent(payload)))
    services.save_site(site=form.instance, acting_user=user)
    return _sites().get(pk=site.pk)


@router.post(
    "/{int:site_id}/tables",
    response={201: TableOut, **ERRORS},
    summary="Add an operating table to a hospital",
    auth=allow(roles.MANAGE_PLANNING),
)
def create_table(request: HttpRequest, site_id: int, payload: TableIn) -> Any:
    user = user_of(request)
    site = get_or_404(Site.objects.all(), site_id)
    form = _checked_table(filled_form(TableForm, instance=OperatingTable(site=site), changes=sent(payload)))
    return Status(201, services.save_table(table=form.instance, acting_user=user))


@router.patch(
    "/{int:site_id}/tables/{int:table_id}",
    response={200: TableOut, **ERRORS},
    summary="Rename an operating table or take it out of use",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_table(request: HttpRequest, site_id: int, table_id: int, payload: TablePatch) -> Any:
    user = user_of(request)
    site = get_or_404(Site.objects.all(), site_id)
    table = get_or_404(site.tables.all(), table_id)
    form = _checked_table(filled_form(TableForm, instance=table, changes=sent(payload)))
    return services.save_table(table=form.instance, acting_user=user)
