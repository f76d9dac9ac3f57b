"""Registering and editing a child: bad input is refused on the field and saves nothing;
good input gives a record number, a dialable phone and a place in the mission's queue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused, form_data, guardian_rows
from cleftmission.factories import GuardianFactory
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import ScreeningVisit


def registration(mission: Any = None, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "family_name": "Vũ",
        "middle_name": "Minh",
        "given_name": "Hải",
        "sex": "M",
        "date_of_birth": "2025-01-15",
        "province": "Hà Nội",
        **guardian_rows({"name": "Vũ Thị Mai", "relation": "mother", "phone": "0912 345 678"}),
    }
    if mission is not None:
        data["mission"] = mission.pk
    data.update(changes)
    return data


def row_counts() -> tuple[int, int, int, int]:
    return (Patient.objects.count(), Guardian.objects.count(), ScreeningVisit.objects.count(),
            AuditEntry.objects.count())  # fmt: skip


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


@pytest.fixture
def coordinator_client(as_user: Any, coordinator: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


# Refused on registration


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


# the dates are worked out when each test runs, not when the tests are collected: a run that
# crosses midnight in Vietnam (17:00 UTC) must not find "tomorrow" has become today
@pytest.mark.parametrize(
    ("born", "why"),
    [
        (tomorrow, "tomorrow"),
        (lambda: years_ago(25, days=1), "a day more than 25 years ago"),
        (lambda: years_ago(40), "40 years ago"),
    ],
)
def test_a_date_of_birth_in_the_future_or_over_25_years_ago_is_refused_and_nothing_is_saved(
    coordinator_client: Client, born: Callable[[], dt.date], why: str
) -> None:
    before = row_counts()
    response = coordinator_client.post("/children/new/", registration(date_of_birth=born().isoformat()))
    assert_refused(response, "date_of_birth")
    assert row_counts() == before, why


def test_a_child_born_today_or_exactly_25_years_ago_is_accepted(coordinator_client: Client) -> None:
    for born in (timezone.localdate(), years_ago(25)):
        response = coordinator_client.post("/children/new/", registration(date_of_birth=born.isoformat()))
        assert response.status_code == 302, response.context["form"].errors
    assert Patient.objects.count() == 2


@pytest.mark.parametrize("code", ["LAHSHA", "XAHSHAL", ".......", "A......", "LAHSHLL", "L-....."])
def test_an_invalid_lahshal_code_is_refused_with_the_reason_and_nothing_is_saved(
    coordinator_client: Client, code: str
) -> None:
    before = row_counts()
    message = assert_refused(coordinator_client.post("/children/new/", registration(lahshal=code)), "lahshal")
    assert code in message
    assert row_counts() == before


def test_a_lahshal_code_longer_than_seven_positions_is_refused(coordinator_client: Client) -> None:
    before = row_counts()
    assert_refused(coordinator_client.post("/children/new/", registration(lahshal="LAHSHALL")), "lahshal")
    assert row_counts() == before


@pytest.mark.parametrize("phone", ["not a phone", "12345", "0912", "0000000000", "+1 555"])
def test_a_guardian_phone_that_is_not_a_phone_is_refused_and_nothing_is_saved(
    coordinator_client: Client, phone: str
) -> None:
    before = row_counts()
    response = coordinator_client.post("/children/new/", registration(**{"guardians-0-phone": phone}))
    assert_refused(response, "phone", form="guardians", row=0)
    assert row_counts() == before


def test_a_guardian_without_a_name_is_refused_and_nothing_is_saved(coordinator_client: Client) -> None:
    before = row_counts()
    response = coordinator_client.post("/children/new/", registration(**{"guardians-0-name": ""}))
    assert_refused(response, "name", form="guardians", row=0)
    assert row_counts() == before


@pytest.mark.parametrize("field", ["family_name", "given_name", "sex", "date_of_birth", "province"])
def test_a_missing_required_field_is_refused_on_that_field(coordinator_client: Client, field: str) -> None:
    before = row_counts()
    assert_refused(coordinator_client.post("/children/new/", registration(**{field: ""})), field)
    assert row_counts() == before


def test_a_registrar_must_choose_one_of_their_missions(as_user: Any, registrar: Any, mission: Any) -> None:
    before = row_counts()
    response = as_user(registrar).post("/children/new/", registration())
    assert_refused(response, "mission", form="registration")
    assert row_counts() == before


# Accepted on registration


def test_registering_a_child_gives_a_record_number_drawn_from_its_id(coordinator_client: Client) -> None:
    response = coordinator_client.post("/children/new/", registration())
    child = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/children/{child.pk}/"
    assert re.fullmatch(r"CM-\d{6}", child.record_number)
    assert child.record_number == f"CM-{child.pk:06d}"
    assert (child.full_name, child.search_name) == ("Vũ Minh Hải", "vu minh hai")


def test_two_children_get_distinct_record_numbers(coordinator_client: Client) -> None:
    coordinator_client.post("/children/new/", registration())
    coordinator_client.post("/children/new/", registration(given_name="Hà"))
    numbers = sorted(Patient.objects.values_list("record_number", flat=True))
    assert len(set(numbers)) == 2


@pytest.mark.parametrize("typed", ["0912 345 678", "0912345678", "+84 912 345 678", "84912345678", "0912.345.678"])
def test_the_guardian_phone_is_stored_in_international_form(coordinator_client: Client, typed: str) -> None:
    coordinator_client.post("/children/new/", registration(**{"guardians-0-phone": typed}))
    guardian = Guardian.objects.get()
    assert (guardian.name, guardian.phone, guardian.phone_digits) == ("Vũ Thị Mai", "+84912345678", "84912345678")


def test_a_registrar_puts_each_new_child_in_their_missions_queue_in_order(
    as_user: Any, registrar: Any, mission: Any
) -> None:
    client = as_user(registrar)
    assert client.post("/children/new/", registration(mission, given_name="Một")).status_code == 302
    assert client.post("/children/new/", registration(mission, given_name="Hai")).status_code == 302
    visits = ScreeningVisit.objects.filter(mission=mission).select_related("patient").order_by("queue_number")
    assert [(v.queue_number, v.patient.given_name) for v in visits] == [(1, "Một"), (2, "Hai")]
    # ... and keeps seeing the children they registered.
    listed = client.get("/children/").context["page"]
    assert {p.given_name for p in listed} == {"Một", "Hai"}


def test_a_coordinator_may_register_a_child_without_a_mission(coordinator_client: Client) -> None:
    assert coordinator_client.post("/children/new/", registration()).status_code == 302
    assert not ScreeningVisit.objects.exists()


def test_a_guardian_row_left_empty_is_not_saved(coordinator_client: Client) -> None:
    data = registration(**{"guardians-0-name": "", "guardians-0-relation": "", "guardians-0-phone": ""})
    assert coordinator_client.post("/children/new/", data).status_code == 302
    assert Patient.objects.count() == 1
    assert not Guardian.objects.exists()


# Refused on edit: the stored child stays as it was


def edit_data(client: Client, child: Any, **changes: str) -> dict[str, Any]:
    page = client.get(f"/children/{child.pk}/edit/")
    forms = [page.context["form"]]
    if page.context["guardians"] is not None:
        forms.append(page.context["guardians"])
    data = form_data(*forms)
    data.update(changes)
    return data


def stored(child: Any) -> tuple[Any, ...]:
    child.refresh_from_db()
    return (child.full_name, child.date_of_birth, child.lahshal, child.province, child.updated_at,
            [(g.name, g.phone) for g in child.guardians.all()])  # fmt: skip


@pytest.mark.parametrize("born", [tomorrow, lambda: years_ago(25, days=1)], ids=["future", "over-25"])
def test_editing_a_date_of_birth_out_of_range_is_refused_and_the_child_is_unchanged(
    coordinator_client: Client, child: Any, born: Callable[[], dt.date]
) -> None:
    GuardianFactory(patient=child)
    before, audit_before = stored(child), AuditEntry.objects.count()
    data = edit_data(coordinator_client, child, date_of_birth=born().isoformat(), given_name="Ân")
    assert_refused(coordinator_client.post(f"/children/{child.pk}/edit/", data), "date_of_birth")
    assert stored(child) == before
    assert AuditEntry.objects.count() == audit_before


def test_a_clinician_entering_an_invalid_lahshal_is_refused_and_the_diagnosis_is_unchanged(
    as_user: Any, clinician: Any, child: Any
) -> None:
    client = as_user(clinician)
    before = stored(child)
    data = edit_data(client, child, lahshal="LAHSHAX", diagnosis_notes="bilateral")
    message = assert_refused(client.post(f"/children/{child.pk}/edit/", data), "lahshal")
    assert "LAHSHAX" in message
    assert stored(child) == before
    assert child.diagnosis_notes == ""


def test_a_registrar_entering_a_bad_guardian_phone_is_refused_and_nothing_changes(
    as_user: Any, registrar: Any, child: Any
) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    client = as_user(registrar)
    before, audit_before = stored(child), AuditEntry.objects.count()
    data = edit_data(client, child, given_name="Ân", **{"guardians-0-phone": "call the temple"})
    assert_refused(client.post(f"/children/{child.pk}/edit/", data), "phone", form="guardians", row=0)
    assert stored(child) == before
    assert AuditEntry.objects.count() == audit_before


# Accepted on edit


def test_a_clinician_records_a_diagnosis_that_the_childs_page_explains(
    as_user: Any, clinician: Any, child: Any
) -> None:
    client = as_user(clinician)
    response = client.post(f"/children/{child.pk}/edit/", edit_data(client, child, lahshal="LAHSHAL"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.lahshal == "LAHSHAL"
    diagnosis = client.get(f"/children/{child.pk}/").context["diagnosis"]
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau, diagnosis.icd10) == (
        "CLAP",
        "bilateral",
        "IV",
        "Q37",
    )


def test_a_registrar_adds_a_second_guardian_with_a_normalized_phone(as_user: Any, registrar: Any, child: Any) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    client = as_user(registrar)
    data = edit_data(
        client, child, **{"guardians-1-name": "Nguyễn Văn Bình", "guardians-1-relation": "father",
                          "guardians-1-phone": "0987 654 321"}
    )  # fmt: skip
    assert client.post(f"/children/{child.pk}/edit/", data).status_code == 302
    assert [(g.name, g.phone) for g in child.guardians.order_by("id")] == [
        ("Lê Thị Hoa", "+84912345678"),
        ("Nguyễn Văn Bình", "+84987654321"),
    ]
