"""The overdue list, recording a visit from it (inline with htmx, or on its page), planning a
visit by hand and the CSV for the phone team, as each role sees them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cleftmission.factories import GuardianFactory, MissionMemberFactory, SiteFactory
from cleftmission.followup.models import FollowUpVisit
from cleftmission.followup.tests.conftest import TODAY, case_of, discharge, week_visit
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.surgery import services as surgery_services
from cleftmission.surgery.models import SurgicalCase

LIST = "/follow-up/"


def on_the_mission(setup: Setup, user: Any) -> Any:
    MissionMemberFactory(mission=setup.mission, volunteer=user.volunteer)
    return user


def test_the_overdue_list_shows_days_overdue_the_operation_and_the_guardian_s_phone_oldest_first(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    GuardianFactory(patient=discharged.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    other = discharge(case_of(setup, "Dũng"), coordinator)
    response = as_user(coordinator).get(LIST, headers={"accept-language": "en"})
    assert response.status_code == 200
    rows = [r.visit for r in response.context["overdue"]]
    assert rows == sorted(rows, key=lambda v: v.due_date) and {v.case for v in rows} == {discharged, other}
    first = response.context["overdue"][0]
    assert first.days_overdue == (TODAY - first.visit.due_date).days > 0
    page = response.content.decode()
    assert "Lê An" in page and "0912 345 678" in page and "Primary lip repair, unilateral" in page
    assert f'id="fu-{week_visit(discharged).pk}"' in page
    assert "Record" in page


def test_a_viewer_sees_the_list_without_phones_or_the_record_button(
    discharged: SurgicalCase, viewer: Any, as_user: Any, today: dt.date
) -> None:
    GuardianFactory(patient=discharged.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    page = as_user(viewer).get(LIST).content.decode()
    assert "Lê An" in page
    for secret in ("912 345 678", "+84912345678", "Lê Thị Hoa", f"/follow-up/{week_visit(discharged).pk}/"):
        assert secret not in page


def test_clinicians_see_only_the_children_of_missions_they_are_on(
    setup: Setup, discharged: SurgicalCase, clinician: Any, as_user: Any, today: dt.date
) -> None:
    client = as_user(clinician)
    assert client.get(LIST).context["overdue"] == []
    assert client.get(f"/follow-up/{week_visit(discharged).pk}/").status_code == 404
    on_the_mission(setup, clinician)
    assert [r.visit.case for r in client.get(LIST).context["overdue"]] == [discharged]


def test_the_lists_filter_by_hospital_and_by_mission(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    client = as_user(coordinator)
    elsewhere: Any = SiteFactory(name="Bệnh viện Khác")
    assert len(client.get(LIST, {"site": setup.mission.site_id}).context["overdue"]) == 1
    assert client.get(LIST, {"site": elsewhere.pk}).context["overdue"] == []
    assert len(client.get(LIST, {"mission": setup.mission.pk}).context["overdue"]) == 1
    assert client.get(LIST, {"mission": setup.mission.pk + 1000}).context["overdue"] == []
    assert len(client.get(LIST, {"mission": "x"}).context["overdue"]) == 1  # ignored


def test_due_in_the_next_fourteen_days_lists_the_visits_coming(
    discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    FollowUpVisit.objects.create(case=discharged, kind="other", due_date=TODAY + dt.timedelta(days=14))
    FollowUpVisit.objects.create(case=discharged, kind="other", due_date=TODAY + dt.timedelta(days=15))
    soon = as_user(coordinator).get(LIST).context["soon"]
    assert [r.visit.due_date for r in soon] == [TODAY + dt.timedelta(days=14)]


def test_the_list_reads_a_fixed_number_of_queries_however_many_children(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    client = as_user(coordinator)
    client.get(LIST)  # warm the session and the content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    one = count()
    for name in ("Dũng", "Bảo"):
        GuardianFactory(patient=case_of(setup, name).visit.patient)
        discharge(case_of(setup, name), coordinator)
    assert count() == one


def test_a_clinician_records_a_visit_on_its_page_and_comes_back_to_the_list(
    setup: Setup, discharged: SurgicalCase, clinician: Any, as_user: Any, today: dt.date
) -> None:
    on_the_mission(setup, clinician)
    visit = week_visit(discharged)
    client = as_user(clinician)
    page = client.get(f"/follow-up/{visit.pk}/", headers={"accept-language": "vi"})
    assert page.status_code == 200 and "Lê An" in page.content.decode()
    response = client.post(
        f"/follow-up/{visit.pk}/",
        {"status": "seen", "seen_on": "18/01/2027", "weight_kg": "8.4", "wound_healed": "true", "version": 1,
         "velopharyngeal_competence": "0", "next": LIST + "?site=1"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == LIST + "?site=1"
    visit.refresh_from_db()
    assert (visit.status, visit.seen_on, visit.wound_healed, visit.velopharyngeal_competence, visit.version) == (
        "seen",
        dt.date(2027, 1, 18),
        True,
        0,
        2,
    )
    assert visit not in [r.visit for r in client.get(LIST).context["overdue"]]


def test_inline_with_htmx_the_form_comes_in_the_row_errors_name_the_field_and_saving_reloads_the_list(
    discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    client = as_user(coordinator)
    htmx = {"hx-request": "true", "accept-language": "en"}
    form = client.get(f"/follow-up/{visit.pk}/?next=/follow-up/", headers=htmx)
    assert form.templates[0].name == "followup/_record_form.html"
    assert "<html" not in form.content.decode()
    future = client.post(
        f"/follow-up/{visit.pk}/", {"status": "seen", "seen_on": "21/01/2027", "version": 1}, headers=htmx
    )
    assert future.status_code == 200
    assert future.context["form"].errors == {"seen_on": ["The date is in the future."]}
    vpc = client.post(
        f"/follow-up/{visit.pk}/",
        {"status": "seen", "seen_on": "19/01/2027", "velopharyngeal_competence": "3", "version": 1},
        headers=htmx,
    )
    assert "velopharyngeal_competence" in vpc.context["form"].errors
    saved = client.post(
        f"/follow-up/{visit.pk}/",
        {"status": "missed", "notes": "Không nghe máy", "version": 1, "next": LIST},
        headers=htmx,
    )
    assert saved.status_code == 204 and saved["HX-Redirect"] == LIST
    visit.refresh_from_db()
    assert (visit.status, visit.notes) == ("missed", "Không nghe máy")


def test_a_stale_form_shows_what_is_stored_now_and_overwrites_nothing(
    discharged: SurgicalCase, coordinator: Any, clinician: Any, setup: Setup, as_user: Any, today: dt.date
) -> None:
    on_the_mission(setup, clinician)
    visit = week_visit(discharged)
    first = {"status": "seen", "seen_on": "18/01/2027", "notes": "Lành tốt", "version": 1}
    assert as_user(clinician).post(f"/follow-up/{visit.pk}/", first).status_code == 302
    second = {"status": "missed", "notes": "Không đến", "version": 1}
    response = as_user(coordinator).post(f"/follow-up/{visit.pk}/", second, headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record" in page and "Lành tốt" in page
    assert response.context["version"] == 2
    visit.refresh_from_db()
    assert (visit.status, visit.notes) == ("seen", "Lành tốt")


def test_registrars_and_viewers_may_not_record_a_visit(
    setup: Setup, discharged: SurgicalCase, registrar: Any, viewer: Any, as_user: Any, today: dt.date
) -> None:
    on_the_mission(setup, registrar)
    visit = week_visit(discharged)
    for user in (registrar, viewer):
        response = as_user(user).post(f"/follow-up/{visit.pk}/", {"status": "missed", "version": 1})
        assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_a_visit_is_planned_by_hand_and_a_duplicate_is_refused_on_its_field(
    discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    client = as_user(coordinator)
    url = f"/follow-up/cases/{discharged.pk}/plan/"
    data = {"kind": "other", "due_date": "01/02/2027", "notes": "Đánh giá ngôn ngữ"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/children/{discharged.visit.patient_id}/journey/"
    assert FollowUpVisit.objects.filter(case=discharged, due_date=dt.date(2027, 2, 1), kind="other").exists()
    again = client.post(url, data, headers={"accept-language": "en"})
    assert again.status_code == 200
    assert again.context["form"].errors == {"due_date": ["A visit of this kind is already planned on this date."]}


def test_the_csv_for_the_phone_team_has_the_phone_and_a_viewer_s_has_none(
    discharged: SurgicalCase, coordinator: Any, viewer: Any, as_user: Any, today: dt.date
) -> None:
    GuardianFactory(patient=discharged.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    response = as_user(coordinator).get("/follow-up/overdue.csv", headers={"accept-language": "en"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Child", "Record number", "Date of birth", "Visit", "Due", "Days overdue"]
    assert rows[0][-2:] == ["Guardian", "Phone"]
    [row] = rows[1:]
    visit = week_visit(discharged)
    assert row[0] == "Lê An" and row[5] == str((TODAY - visit.due_date).days)
    assert row[-2:] == ["Lê Thị Hoa (Mother)", "+84912345678"]
    viewer_csv = as_user(viewer).get("/follow-up/overdue.csv").content.decode("utf-8-sig")
    assert "912345678" not in viewer_csv and "Lê Thị Hoa" not in viewer_csv and "Lê An" in viewer_csv


def test_a_child_who_died_is_never_on_the_lists_to_call(
    discharged: SurgicalCase, coordinator: Any, as_user: Any, today: dt.date
) -> None:
    FollowUpVisit.objects.create(case=discharged, kind="other", due_date=TODAY + dt.timedelta(days=3))
    surgery_services.record_complication(
        case=discharged, kind="death", occurred_on=TODAY - dt.timedelta(days=1), note="", acting_user=coordinator
    )
    response = as_user(coordinator).get(LIST)
    assert response.context["overdue"] == [] and response.context["soon"] == []
    assert len(as_user(coordinator).get("/follow-up/overdue.csv").content.decode("utf-8-sig").splitlines()) == 1


def test_the_dashboard_counts_the_overdue_visits_the_user_may_see_and_links_the_list(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, clinician: Any, as_user: Any, today: dt.date
) -> None:
    overdue = FollowUpVisit.objects.filter(case=discharged, due_date__lt=TODAY, status="planned").count()
    assert overdue > 0
    response = as_user(coordinator).get("/", headers={"accept-language": "en"})
    assert response.context["follow_ups_overdue"] == overdue
    assert f'href="{LIST}"' in response.content.decode()
    assert as_user(clinician).get("/").context["follow_ups_overdue"] == 0  # not on this mission
