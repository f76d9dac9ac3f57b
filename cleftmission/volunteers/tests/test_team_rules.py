"""The team rules a coordinator edits: which credentials each specialty must hold, and the
staffing template of each kind of mission. Saved all at once and audited, or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cleftmission.core.models import AuditEntry
from cleftmission.volunteers.forms import staffing_field
from cleftmission.volunteers.models import RequiredCredential, StaffingNeed

URL = "/volunteers/rules/"


@pytest.fixture
def coordinator_client(as_user: Any, coordinator: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


def required() -> set[tuple[str, str]]:
    return set(RequiredCredential.objects.values_list("specialty", "kind"))


def templates() -> dict[tuple[str, str], tuple[int, int]]:
    return {(n.mission_kind, n.role): (n.per_table, n.fixed) for n in StaffingNeed.objects.all()}


def staffing_data(client: Client) -> dict[str, Any]:
    """What the page posts back when saved untouched."""
    form = client.get(URL).context["staffing_form"]
    return {"section": "staffing", **{name: form[name].value() for name in form.fields}}


def test_the_page_shows_the_seeded_rules(coordinator_client: Client) -> None:
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="nurse:nursing_licence" checked' in page
    assert 'value="nurse:licence" checked' not in page
    form = response.context["staffing_form"]
    assert form[staffing_field("international", "or_nurse", "per_table")].value() == 2
    assert form[staffing_field("international", "student", "fixed")].value() == 2
    assert form[staffing_field("local", "student", "fixed")].value() == 0


def test_a_coordinator_changes_the_required_credentials_one_audited_row_at_a_time(
    coordinator_client: Client, coordinator: Any
) -> None:
    before = required()
    wanted = (before - {("nurse", "pals")}) | {("interpreter", "passport")}
    response = coordinator_client.post(URL, {"section": "required", "required": [f"{s}:{k}" for s, k in wanted]})
    assert response.status_code == 302
    assert required() == wanted
    entries = AuditEntry.objects.order_by("action")
    assert [(e.action, e.actor) for e in entries] == [("create", coordinator), ("delete", coordinator)]


def test_saving_the_required_credentials_unchanged_writes_nothing(coordinator_client: Client) -> None:
    before = required()
    coordinator_client.post(URL, {"section": "required", "required": [f"{s}:{k}" for s, k in before]})
    assert required() == before
    assert not AuditEntry.objects.exists()


def test_an_unknown_specialty_or_kind_is_refused_and_nothing_changes(coordinator_client: Client) -> None:
    before = required()
    response = coordinator_client.post(URL, {"section": "required", "required": ["nurse:bls", "wizard:wand"]})
    assert response.status_code == 200
    assert "required" in response.context["required_form"].errors
    assert required() == before
    assert not AuditEntry.objects.exists()


def test_a_coordinator_changes_the_staffing_templates(coordinator_client: Client, coordinator: Any) -> None:
    data = staffing_data(coordinator_client)
    data[staffing_field("local", "or_nurse", "per_table")] = 3  # changed
    data[staffing_field("local", "interpreter", "fixed")] = 2  # new line
    data[staffing_field("local", "ward_nurse", "fixed")] = 0  # no longer needed
    response = coordinator_client.post(URL, data)
    assert response.status_code == 302
    now = templates()
    assert now[("local", "or_nurse")] == (3, 0)
    assert now[("local", "interpreter")] == (0, 2)
    assert ("local", "ward_nurse") not in now
    assert now[("international", "ward_nurse")] == (0, 4)  # the other kind is untouched
    assert sorted(e.action for e in AuditEntry.objects.all()) == ["create", "delete", "update"]


def test_saving_the_staffing_templates_unchanged_writes_nothing(coordinator_client: Client) -> None:
    before = templates()
    assert coordinator_client.post(URL, staffing_data(coordinator_client)).status_code == 302
    assert templates() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("bad", ["-1", "21", "two", ""])
def test_a_bad_number_is_refused_naming_it_and_nothing_is_saved(coordinator_client: Client, bad: str) -> None:
    before = templates()
    data = staffing_data(coordinator_client)
    data[staffing_field("local", "coordinator", "fixed")] = 5  # a good change beside the bad one
    name = staffing_field("international", "plastic_surgeon", "per_table")
    data[name] = bad
    response = coordinator_client.post(URL, data)
    assert response.status_code == 200
    form = response.context["staffing_form"]
    assert list(form.errors) == [name]
    page = response.content.decode()
    assert f"{form.fields[name].label}:" in page  # the summary names the field
    assert templates() == before
    assert not AuditEntry.objects.exists()


def test_the_rules_are_linked_from_the_volunteer_list_and_the_expiry_page(coordinator_client: Client) -> None:
    assert f'href="{URL}"' in coordinator_client.get("/volunteers/").content.decode()
    assert f'href="{URL}"' in coordinator_client.get("/volunteers/credentials/").content.decode()


@pytest.mark.parametrize("persona", ["viewer", "clinician", "registrar", "volunteer_user", "outsider"])
def test_only_coordinators_change_the_rules(request: pytest.FixtureRequest, as_user: Any, persona: str) -> None:
    client = as_user(request.getfixturevalue(persona))
    before_required, before_templates = required(), templates()
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"section": "required", "required": []}).status_code == 403
    assert (required(), templates()) == (before_required, before_templates)
    assert not AuditEntry.objects.exists()


def test_a_viewer_sees_no_link_to_the_rules(as_user: Any, viewer: Any) -> None:
    assert f'href="{URL}"' not in as_user(viewer).get("/volunteers/").content.decode()
    assert f'href="{URL}"' not in as_user(viewer).get("/volunteers/credentials/").content.decode()
