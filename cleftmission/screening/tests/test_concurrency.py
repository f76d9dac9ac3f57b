"""Two stations saving for the same child at the same moment never overwrite each other; two
people editing the same record: the second is told and loses nothing.

On PostgreSQL (DATABASE_URL set) the simultaneous saves run in two threads with their own
connections; SQLite's test database is not shared between threads, so there they run
interleaved from copies read before either saved (what two browser tabs hold)."""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cleftmission.patients.models import Patient
from cleftmission.patients.services import update_patient
from cleftmission.screening import services
from cleftmission.screening.models import ScreeningVisit, Station, StationEvaluation
from cleftmission.screening.tests.station_helpers import (
    PEDIATRIC,
    SURGICAL,
    VITALS,
    evaluate_url,
    in_english,
    record,
    visit_of,
)

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


def at_the_same_moment(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture(scope="module")
def catalog_kept(django_db_blocker: Any) -> Iterator[None]:
    """A transactional test ends by emptying every table, the procedure catalog of the data
    migration with them. Put it back once the threaded tests are done (module scope: after
    the last one's emptying), for the transactional tests that run later."""
    yield
    migration = importlib.import_module("cleftmission.screening.migrations.0003_procedure_catalog")
    with django_db_blocker.unblock():
        migration.add_catalog(django_apps, None)


def fresh(visit: ScreeningVisit) -> ScreeningVisit:
    return ScreeningVisit.objects.select_related("patient", "mission").get(pk=visit.pk)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="threads need a database shared between connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_stations_saving_for_the_same_child_at_the_same_moment_both_persist(
    catalog_kept: None, clinician: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    vitals_copy, pediatric_copy = fresh(visit), fresh(visit)

    results = at_the_same_moment(
        lambda: record(vitals_copy, Station.VITALS, clinician, VITALS),
        lambda: record(pediatric_copy, Station.PEDIATRIC, clinician, {**PEDIATRIC, "uri": "on"}),
    )

    assert all(isinstance(r, StationEvaluation) for r in results), results
    rows = {e.station: e for e in StationEvaluation.objects.filter(visit=visit)}
    assert rows["vitals"].data["weight_kg"] == "9.8"
    assert rows["pediatric"].data["uri"] is True


@pytest.mark.skipif(not ON_POSTGRESQL, reason="threads need a database shared between connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_first_entries_of_the_same_station_at_the_same_moment_keep_one_and_tell_the_other(
    catalog_kept: None, clinician: Any, coordinator: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)

    def first_entry(user: Any, weight: str) -> Callable[[], Any]:
        return lambda: services.record_evaluation(
            visit=fresh(visit),
            station=Station.VITALS,
            data={**VITALS, "weight_kg": weight},
            expected_version=0,
            acting_user=user,
        )

    results = at_the_same_moment(first_entry(clinician, "9.8"), first_entry(coordinator, "9.9"))

    saved = [r for r in results if isinstance(r, StationEvaluation)]
    told = [r for r in results if isinstance(r, services.ConflictError)]
    assert (len(saved), len(told)) == (1, 1), results
    assert StationEvaluation.objects.get(visit=visit, station="vitals").data["weight_kg"] == saved[0].data["weight_kg"]


def test_stations_saving_from_copies_read_before_either_saved_both_persist(
    clinician: Any, coordinator: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    vitals_copy, pediatric_copy, surgical_copy = fresh(visit), fresh(visit), fresh(visit)

    record(vitals_copy, Station.VITALS, clinician, VITALS)
    record(pediatric_copy, Station.PEDIATRIC, coordinator, {**PEDIATRIC, "cardiac_concern": "on"})
    record(surgical_copy, Station.SURGICAL, clinician, SURGICAL)

    rows = {e.station: e for e in StationEvaluation.objects.filter(visit=visit)}
    assert set(rows) == {"vitals", "pediatric", "surgical"}
    assert rows["pediatric"].data["cardiac_concern"] is True
    assert rows["vitals"].data["haemoglobin"] == "11.5"


def test_saving_vitals_with_a_stale_copy_of_the_visit_does_not_erase_the_pediatric_data(
    clinician: Any, coordinator: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    stale = ScreeningVisit.objects.prefetch_related("evaluations").get(pk=visit.pk)
    assert list(stale.evaluations.all()) == []  # read before the pediatrician saved

    record(fresh(visit), Station.PEDIATRIC, coordinator, {**PEDIATRIC, "uri": "on"})
    record(stale, Station.VITALS, clinician, VITALS)
    record(stale, Station.VITALS, clinician, {**VITALS, "weight_kg": "10.0"})

    pediatric = StationEvaluation.objects.get(visit=visit, station="pediatric")
    assert (pediatric.data["uri"], pediatric.data["history"], pediatric.version) == (True, "Bú mẹ tốt", 1)
    assert services.facts_for(fresh(visit)).uri is True


def test_saving_the_surgical_station_from_a_stale_copy_does_not_undo_a_name_corrected_meanwhile(
    clinician: Any, registrar: Any, child: Any, mission: Any
) -> None:
    stale = fresh(visit_of(child, mission))
    update_patient(patient=Patient.objects.get(pk=child.pk), data={"given_name": "Ân"}, acting_user=registrar)

    record(stale, Station.SURGICAL, clinician, {**SURGICAL, "lahshal": "LAHSHAL"})

    patient = Patient.objects.get(pk=child.pk)
    assert (patient.given_name, patient.lahshal) == ("Ân", "LAHSHAL")


def test_the_second_of_two_people_editing_a_station_is_told_and_keeps_what_they_typed(
    as_user: Any, clinician: Any, coordinator: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    record(visit, Station.VITALS, clinician, VITALS)
    first, second = as_user(clinician), in_english(as_user(coordinator))
    url = evaluate_url(visit, "vitals")
    assert first.get(url).context["version"] == 1
    assert second.get(url).context["version"] == 1

    assert first.post(url, {**VITALS, "haemoglobin": "10.2", "version": "1"}).status_code == 302
    theirs = {**VITALS, "weight_kg": "9.6", "haemoglobin": "9.7", "note": "cân lại lần 2", "version": "1"}
    response = second.post(url, theirs)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it." in page
    form = response.context["form"]
    assert (form["weight_kg"].value(), form["haemoglobin"].value(), form["note"].value()) == (
        "9.6",
        "9.7",
        "cân lại lần 2",
    )
    assert 'name="version" value="2"' in page
    compared = {str(r["label"]): r for r in response.context["conflict"]}
    assert compared["Haemoglobin (g/dL)"]["stored"] == "10.2"
    assert compared["Haemoglobin (g/dL)"]["yours"] == "9.7"
    assert compared["Haemoglobin (g/dL)"]["differs"]
    assert not compared["SpO2 (%)"]["differs"]
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert (row.data["haemoglobin"], row.version) == ("10.2", 2)

    again = second.post(url, {**theirs, "version": "2"})
    assert again.status_code == 302
    row.refresh_from_db()
    assert (row.data["haemoglobin"], row.data["weight_kg"], row.note, row.version) == ("9.7", "9.6", "cân lại lần 2", 3)


def test_two_people_entering_the_same_station_for_the_first_time_the_second_is_told(
    as_user: Any, clinician: Any, coordinator: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    url = evaluate_url(visit, "vitals")
    assert as_user(clinician).post(url, {**VITALS, "version": "0"}).status_code == 302
    response = as_user(coordinator).post(url, {**VITALS, "weight_kg": "9.9", "version": "0"})
    assert response.status_code == 409
    assert StationEvaluation.objects.get(visit=visit, station="vitals").data["weight_kg"] == "9.8"


def test_a_child_sent_back_while_the_station_form_was_open_is_a_conflict_not_a_silent_overwrite(
    as_user: Any, clinician: Any, registrar: Any, child: Any, mission: Any
) -> None:
    visit = visit_of(child, mission)
    record(visit, Station.VITALS, clinician, VITALS)
    services.send_back(visit=visit, station=Station.VITALS, reason="Hb to repeat", acting_user=registrar)
    response = as_user(clinician).post(evaluate_url(visit, "vitals"), {**VITALS, "version": "1"})
    assert response.status_code == 409
    assert StationEvaluation.objects.get(visit=visit, station="vitals").status == "sent_back"
