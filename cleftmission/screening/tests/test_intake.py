"""Intake at the gate: the known children are proposed before any record is made, a known
child is put on the mission's list once, a new child is registered with the guardian, bad
input saves nothing; then the wristband."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused
from cleftmission.factories import GuardianFactory, MissionFactory, PatientFactory, ScreeningVisitFactory
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import ScreeningVisit
from cleftmission.screening.views_intake import qr_svg


def url(mission: Any) -> str:
    return f"/missions/{mission.pk}/screening/intake/"


def family(**changes: str) -> dict[str, str]:
    """What the registrar types for the family at the gate."""
    data = {
        "family_name": "Nguyen",
        "middle_name": "Van",
        "given_name": "An",
        "sex": "M",
        "date_of_birth": "01/06/2025",
        "province": "Hà Nội",
        "guardian-name": "Lê Thị Hoa",
        "guardian-relation": "mother",
        "guardian-phone": "0912 345 678",
    }
    data.update(changes)
    return data


def state() -> tuple[int, int, int, int]:
    return Patient.objects.count(), Guardian.objects.count(), ScreeningVisit.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def registrar_client(as_user: Any, registrar: Any) -> Client:
    client: Client = as_user(registrar)
    return client


@pytest.fixture
def known_from_earlier(db: None, mission: Any) -> Patient:
    """Nguyễn Văn An, seen at an earlier mission the registrar was not on."""
    earlier = MissionFactory(name="Hà Nội tháng 6", start_date=dt.date(2025, 6, 9), end_date=dt.date(2025, 6, 13))
    patient: Any = PatientFactory(
        family_name="Nguyễn", middle_name="Văn", given_name="An", date_of_birth=dt.date(2025, 6, 1)
    )
    GuardianFactory(patient=patient, phone="+84912345678")
    ScreeningVisitFactory(patient=patient, mission=earlier, registered_at=timezone.now() - dt.timedelta(days=180))
    return patient


def suggest(client: Client, mission: Any, data: dict[str, str]) -> Any:
    return client.post(url(mission), {**data, "action": "suggest"}, headers={"HX-Request": "true"})


def test_the_registrar_opens_intake_for_their_mission(registrar_client: Client, mission: Any) -> None:
    response = registrar_client.get(url(mission))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="family_name"' in page
    assert 'name="guardian-phone"' in page
    assert 'name="lahshal"' not in page  # the diagnosis is the stations' work


def test_intake_proposes_the_child_known_from_an_earlier_mission_as_the_registrar_types(
    registrar_client: Client, mission: Any, known_from_earlier: Patient
) -> None:
    response = suggest(registrar_client, mission, family())
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # only the proposals, for htmx
    [proposal] = response.context["proposals"]
    assert proposal.patient == known_from_earlier
    assert proposal.registered_today is False
    assert [v.mission.name for v in proposal.history] == ["Hà Nội tháng 6"]
    page = response.content.decode()
    for shown in ("Nguyễn Văn An", known_from_earlier.record_number, "Hà Nội tháng 6", 'name="pick"'):
        assert shown in page
    assert "+84912345678" not in page  # the registrar is not on that mission: no contact details


def test_the_reasons_of_a_proposal_are_shown(
    as_user: Any, registrar: Any, mission: Any, known_from_earlier: Patient
) -> None:
    client = as_user(registrar)
    client.cookies.load({"django_language": "en"})
    page = suggest(client, mission, family()).content.decode()
    for reason in ("same name without diacritics", "same date of birth", "same guardian phone", "same province"):
        assert reason in page


def test_the_phone_alone_finds_the_known_child(
    registrar_client: Client, mission: Any, known_from_earlier: Patient
) -> None:
    typed = family(family_name="Lê", middle_name="", given_name="Tí", date_of_birth="", province="")
    [proposal] = suggest(registrar_client, mission, typed).context["proposals"]
    assert proposal.patient == known_from_earlier


def test_a_child_registered_twice_today_is_marked(registrar_client: Client, mission: Any, child: Any) -> None:
    registrar_client.cookies.load({"django_language": "en"})
    response = registrar_client.post(url(mission), family(action="check"))
    assert response.status_code == 200
    [proposal] = response.context["proposals"]
    assert proposal.patient == child
    assert proposal.registered_today is True
    number = proposal.visit_here.queue_number
    assert f"Registered today on this mission: number {number}. Registered twice?" in response.content.decode()


def test_a_child_on_the_list_since_an_earlier_day_is_marked_but_not_as_today(
    registrar_client: Client, mission: Any, child: Any
) -> None:
    ScreeningVisit.objects.filter(patient=child).update(registered_at=timezone.now() - dt.timedelta(days=2))
    [proposal] = suggest(registrar_client, mission, family()).context["proposals"]
    assert proposal.visit_here is not None
    assert proposal.registered_today is False


def test_picking_the_known_child_puts_them_on_the_list_with_the_next_number_and_opens_the_wristband(
    registrar_client: Client, mission: Any, child: Any, known_from_earlier: Patient
) -> None:
    first = mission.visits.get(patient=child)
    response = registrar_client.post(url(mission), {**family(), "pick": str(known_from_earlier.pk)})
    visit = ScreeningVisit.objects.get(patient=known_from_earlier, mission=mission)
    assert response.status_code == 302
    assert response["Location"] == f"/missions/{mission.pk}/screening/visits/{visit.pk}/wristband/"
    assert visit.queue_number == first.queue_number + 1
    assert Patient.objects.filter(family_name__in=["Nguyễn", "Nguyen"]).count() == 2  # no new record


def test_picking_the_same_child_twice_makes_no_second_visit(
    registrar_client: Client, mission: Any, known_from_earlier: Patient
) -> None:
    registrar_client.post(url(mission), {**family(), "pick": str(known_from_earlier.pk)})
    before = state()
    response = registrar_client.post(url(mission), {**family(), "pick": str(known_from_earlier.pk)}, follow=True)
    assert state() == before
    assert ScreeningVisit.objects.filter(patient=known_from_earlier, mission=mission).count() == 1
    assert response.status_code == 200
    assert response.context["visit"].patient == known_from_earlier


def test_the_picked_child_becomes_visible_to_the_registrar(
    registrar_client: Client, mission: Any, known_from_earlier: Patient
) -> None:
    assert registrar_client.get(f"/children/{known_from_earlier.pk}/").status_code == 404
    registrar_client.post(url(mission), {**family(), "pick": str(known_from_earlier.pk)})
    assert registrar_client.get(f"/children/{known_from_earlier.pk}/").status_code == 200


def test_a_child_who_is_not_among_the_matches_cannot_be_picked(
    registrar_client: Client, mission: Any, other_child: Any
) -> None:
    before = state()
    response = registrar_client.post(url(mission), {**family(), "pick": str(other_child.pk)})
    assert response.status_code == 200
    assert response.context["notice"]
    assert state() == before


def test_a_new_child_is_registered_with_the_guardian_on_the_mission(registrar_client: Client, mission: Any) -> None:
    response = registrar_client.post(url(mission), family(action="new"))
    patient = Patient.objects.get(given_name="An")
    visit = patient.visits.get(mission=mission)
    assert response.status_code == 302
    assert response["Location"] == f"/missions/{mission.pk}/screening/visits/{visit.pk}/wristband/"
    assert (patient.full_name, patient.province, str(patient.date_of_birth)) == (
        "Nguyen Van An",
        "Hà Nội",
        "2025-06-01",
    )
    assert patient.record_number == f"CM-{patient.pk:06d}"
    [guardian] = patient.guardians.all()
    assert (guardian.name, guardian.relation, guardian.phone) == ("Lê Thị Hoa", "mother", "+84912345678")
    assert AuditEntry.objects.filter(object_id=str(patient.pk), action="create").count() >= 3


def test_the_new_child_gets_the_next_queue_number(registrar_client: Client, mission: Any, child: Any) -> None:
    existing = mission.visits.get(patient=child).queue_number
    registrar_client.post(url(mission), family(given_name="Bình", date_of_birth="01/02/2024", action="new", seen=""))
    assert Patient.objects.get(given_name="Bình").visits.get().queue_number == existing + 1


def test_no_new_record_is_made_before_the_known_children_were_seen(
    registrar_client: Client, mission: Any, known_from_earlier: Patient
) -> None:
    before = state()
    response = registrar_client.post(url(mission), family(action="new"))
    assert response.status_code == 200
    assert response.context["notice"]
    assert [p.patient for p in response.context["proposals"]] == [known_from_earlier]
    assert state() == before

    # Seen and judged another child: the registrar confirms a new one.
    response = registrar_client.post(url(mission), {**family(action="new"), "seen": str(known_from_earlier.pk)})
    assert response.status_code == 302
    assert Patient.objects.filter(given_name="An").count() == 2


@pytest.mark.parametrize(
    ("changes", "form", "field"),
    [
        ({"date_of_birth": "01/01/2999"}, "form", "date_of_birth"),
        ({"date_of_birth": "31/02/2025"}, "form", "date_of_birth"),
        ({"family_name": ""}, "form", "family_name"),
        ({"sex": "X"}, "form", "sex"),
        ({"guardian-phone": "12"}, "guardian", "phone"),
        ({"guardian-name": ""}, "guardian", "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    registrar_client: Client, mission: Any, changes: dict[str, str], form: str, field: str
) -> None:
    before = state()
    response = registrar_client.post(url(mission), family(action="new", **changes))
    assert_refused(response, field, form=form)
    assert state() == before


def test_a_date_of_birth_in_the_future_is_refused_in_so_many_words(registrar_client: Client, mission: Any) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    registrar_client.cookies.load({"django_language": "en"})
    response = registrar_client.post(url(mission), family(action="new", date_of_birth=tomorrow))
    assert assert_refused(response, "date_of_birth") == "The date of birth cannot be in the future."


def test_a_registrar_of_another_mission_is_refused_and_nothing_is_saved(
    registrar_client: Client, other_mission: Any, known_from_earlier: Patient
) -> None:
    before = state()
    assert registrar_client.get(url(other_mission)).status_code == 403
    assert registrar_client.post(url(other_mission), family(action="new")).status_code == 403
    assert (
        registrar_client.post(url(other_mission), {**family(), "pick": str(known_from_earlier.pk)}).status_code == 403
    )
    assert suggest(registrar_client, other_mission, family()).status_code == 403
    assert state() == before


def test_a_clinician_cannot_do_intake(as_user: Any, clinician: Any, mission: Any) -> None:
    client = as_user(clinician)
    before = state()
    assert client.get(url(mission)).status_code == 403
    assert client.post(url(mission), family(action="new")).status_code == 403
    assert state() == before


def test_a_coordinator_does_intake_on_any_open_mission_but_not_a_closed_one(
    as_user: Any, coordinator: Any, other_mission: Any
) -> None:
    client = as_user(coordinator)
    assert client.post(url(other_mission), family(action="new")).status_code == 302
    Mission.objects.filter(pk=other_mission.pk).update(phase=Mission.Phase.CLOSED)
    assert client.get(url(other_mission)).status_code == 403


def test_the_intake_page_lists_todays_registrations(registrar_client: Client, mission: Any, child: Any) -> None:
    response = registrar_client.get(url(mission))
    assert response.context["today_count"] == 1
    assert "Nguyễn Văn An" in response.content.decode()


# The wristband --------------------------------------------------------------------------


def wristband_url(visit: ScreeningVisit) -> str:
    return f"/missions/{visit.mission_id}/screening/visits/{visit.pk}/wristband/"


def test_the_wristband_shows_name_number_record_birthday_mission_and_a_qr_code(
    registrar_client: Client, mission: Any, child: Any
) -> None:
    visit = mission.visits.get(patient=child)
    ScreeningVisit.objects.filter(pk=visit.pk).update(queue_number=47)
    registrar_client.cookies.load({"django_language": "en"})
    response = registrar_client.get(wristband_url(visit))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="label-number">47</div>' in page
    for shown in ("Nguyễn Văn An", child.record_number, "01/06/2025", mission.name):
        assert shown in page
    assert re.search(r"<svg[^>]*><path d=\"M", page), "no inline QR code"


def test_the_qr_code_encodes_the_childs_visit_page(registrar_client: Client, mission: Any, child: Any) -> None:
    visit = mission.visits.get(patient=child)
    response = registrar_client.get(wristband_url(visit))
    assert response.context["visit_url"] == f"http://testserver{visit.get_absolute_url()}"
    assert str(response.context["qr"]) == str(qr_svg(response.context["visit_url"]))
    assert str(response.context["qr"]) in response.content.decode()


def test_the_wristband_fetches_nothing_from_another_site(registrar_client: Client, mission: Any, child: Any) -> None:
    page = registrar_client.get(wristband_url(mission.visits.get(patient=child))).content.decode()
    addresses = re.findall(r"(?:src|href|action)=[\"']([^\"']+)", page)
    assert addresses
    assert [a for a in addresses if re.match(r"^(https?:)?//", a)] == []
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "").replace("http://testserver/", "")


def test_a_registrar_of_another_mission_cannot_print_its_wristbands(
    registrar_client: Client, other_child: Any, other_mission: Any
) -> None:
    visit = other_mission.visits.get(patient=other_child)
    assert registrar_client.get(wristband_url(visit)).status_code == 403


def test_a_visit_of_another_mission_is_not_found_under_this_mission(
    registrar_client: Client, mission: Any, other_child: Any, other_mission: Any
) -> None:
    visit = other_mission.visits.get(patient=other_child)
    assert registrar_client.get(f"/missions/{mission.pk}/screening/visits/{visit.pk}/wristband/").status_code == 404
