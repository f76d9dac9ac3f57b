"""Children deferred at earlier missions at a hospital come back, with their re-screen dates,
on the page of the next missions there ("due for re-screen")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cleftmission.factories import (
    MissionFactory,
    MissionMemberFactory,
    PatientFactory,
    ScreeningVisitFactory,
    SiteFactory,
    VolunteerFactory,
)
from cleftmission.missions.models import Mission
from cleftmission.screening import queries
from cleftmission.screening.models import Decision, ScreeningVisit

# The mission under test runs 7–11 December 2026 (MissionFactory's dates).
JUNE = (dt.date(2026, 6, 8), dt.date(2026, 6, 12))
SEPTEMBER = (dt.date(2026, 9, 7), dt.date(2026, 9, 11))


def _mission_at(site: Any, dates: tuple[dt.date, dt.date], name: str) -> Any:
    return MissionFactory(site=site, start_date=dates[0], end_date=dates[1], name=name, phase=Mission.Phase.CLOSED)


def _seen(
    mission: Any,
    patient: Any,
    outcome: str = "deferred",
    rescreen: dt.date | None = dt.date(2026, 12, 1),
    code: str = "LOW_HB",
    referral: str = "",
) -> Decision:
    visit: Any = ScreeningVisitFactory(patient=patient, mission=mission, outcome=outcome)
    return Decision.objects.create(
        visit=visit,
        outcome=outcome,
        deferral_code=code if outcome == "deferred" else "",
        rescreen_date=rescreen if outcome == "deferred" else None,
        referral=referral,
        referred_to="Viện Dinh dưỡng" if referral else "",
    )


def _child(given_name: str) -> Any:
    return PatientFactory(family_name="Lê", middle_name="Văn", given_name=given_name)


@pytest.fixture
def june(mission: Any) -> Any:
    return _mission_at(mission.site, JUNE, "Hà Nội tháng 6")


def _due(mission: Any) -> list[str]:
    return [d.visit.patient.given_name for d in queries.due_for_rescreen(mission)]


def test_a_child_deferred_at_an_earlier_mission_here_is_due_with_the_reason_date_and_referral(
    mission: Any, june: Any
) -> None:
    decision = _seen(june, _child("Hùng"), rescreen=dt.date(2026, 9, 1), referral="nutrition")
    [due] = queries.due_for_rescreen(mission)
    assert due == decision
    assert (due.deferral_code, due.rescreen_date, due.referral) == ("LOW_HB", dt.date(2026, 9, 1), "nutrition")
    assert due.visit.mission == june


def test_a_re_screen_date_on_the_mission_s_last_day_is_due_and_the_day_after_is_not(mission: Any, june: Any) -> None:
    _seen(june, _child("Cuối"), rescreen=mission.end_date)
    _seen(june, _child("Sau"), rescreen=mission.end_date + dt.timedelta(days=1))
    assert _due(mission) == ["Cuối"]


def test_children_deferred_at_another_hospital_are_not_due_here(mission: Any) -> None:
    elsewhere = _mission_at(SiteFactory(name="Bệnh viện Chợ Rẫy"), JUNE, "TP.HCM tháng 6")
    _seen(elsewhere, _child("Xa"))
    assert _due(mission) == []


def test_a_child_already_registered_at_this_mission_is_no_longer_due(mission: Any, june: Any) -> None:
    back = _child("Về")
    _seen(june, back)
    _seen(june, _child("Chưa"))
    ScreeningVisitFactory(patient=back, mission=mission)
    assert _due(mission) == ["Chưa"]


def test_a_merged_record_is_not_due(mission: Any, june: Any) -> None:
    kept, duplicate = _child("Giữ"), _child("Trùng")
    _seen(june, duplicate)
    duplicate.merged_into = kept
    duplicate.save()
    assert _due(mission) == []


def test_only_deferrals_with_a_date_count_not_acceptances_or_referrals(mission: Any, june: Any) -> None:
    _seen(june, _child("Nhận"), outcome="accepted")
    _seen(june, _child("Chuyển"), outcome="referred", referral="cardiology")
    _seen(june, _child("Hoãn"))
    assert _due(mission) == ["Hoãn"]


def test_a_later_mission_s_deferrals_and_this_mission_s_own_are_not_due(mission: Any) -> None:
    january = _mission_at(mission.site, (dt.date(2027, 1, 11), dt.date(2027, 1, 15)), "Hà Nội tháng 1")
    _seen(january, _child("Sau này"), rescreen=dt.date(2026, 12, 8))
    _seen(mission, _child("Hôm nay"), rescreen=dt.date(2026, 12, 9))
    assert _due(mission) == []


def test_a_child_seen_again_since_the_deferral_is_not_called_back_on_the_old_one(mission: Any, june: Any) -> None:
    september = _mission_at(mission.site, SEPTEMBER, "Hà Nội tháng 9")
    operated = _child("Đã mổ")
    _seen(june, operated, rescreen=dt.date(2026, 9, 1))
    _seen(september, operated, outcome="accepted")
    deferred_twice = _child("Hai lần")
    _seen(june, deferred_twice, rescreen=dt.date(2026, 9, 1))
    _seen(september, deferred_twice, rescreen=dt.date(2026, 12, 1), code="MALNUTRITION")
    assert [(d.visit.patient.given_name, d.deferral_code) for d in queries.due_for_rescreen(mission)] == [
        ("Hai lần", "MALNUTRITION")
    ]


def test_the_soonest_re_screen_date_comes_first(mission: Any, june: Any) -> None:
    _seen(june, _child("Muộn"), rescreen=dt.date(2026, 11, 30))
    _seen(june, _child("Sớm"), rescreen=dt.date(2026, 9, 1))
    assert _due(mission) == ["Sớm", "Muộn"]


# ---- the mission page ---------------------------------------------------------------------


@pytest.fixture
def due_child(june: Any) -> Any:
    child = _child("Hùng")
    _seen(june, child, rescreen=dt.date(2026, 10, 1), referral="nutrition")
    return child


def _page(client: Any, mission: Any) -> Any:
    response = client.get(f"/missions/{mission.pk}/", headers={"accept-language": "en"})
    assert response.status_code == 200
    return response


def test_the_coordinator_sees_the_due_children_with_reason_date_referral_and_a_link(
    as_user: Any, coordinator: Any, mission: Any, due_child: Any
) -> None:
    response = _page(as_user(coordinator), mission)
    page = response.content.decode()
    assert 'id="rescreen"' in page
    assert f'href="/children/{due_child.pk}/"' in page
    assert "Lê Văn Hùng" in page
    assert response.context["rescreen"].count == 1
    section = page[page.index('id="rescreen"') :]
    for text in ("Low haemoglobin", "Nutrition programme", "Viện Dinh dưỡng", "Hà Nội tháng 6"):
        assert text in section, text


def test_a_viewer_sees_how_many_children_are_due_but_not_who(
    as_user: Any, viewer: Any, mission: Any, due_child: Any
) -> None:
    response = _page(as_user(viewer), mission)
    page = response.content.decode()
    assert response.context["rescreen"].count == 1
    assert response.context["rescreen"].rows is None
    assert "Lê Văn Hùng" not in page
    assert f"/children/{due_child.pk}/" not in page


def test_a_clinician_sees_by_name_only_the_due_children_of_missions_they_were_on(
    as_user: Any, clinician: Any, mission: Any, june: Any, due_child: Any
) -> None:
    known = _child("Quen")
    _seen(june, known)
    # the clinician was on an earlier mission where `known` was seen too, and not on June's
    earlier = _mission_at(mission.site, (dt.date(2026, 3, 2), dt.date(2026, 3, 6)), "Hà Nội tháng 3")
    MissionMemberFactory(mission=earlier, volunteer=clinician.volunteer)
    ScreeningVisitFactory(patient=known, mission=earlier)
    response = _page(as_user(clinician), mission)
    rescreen = response.context["rescreen"]
    assert (rescreen.count, rescreen.hidden) == (2, 1)
    assert [d.visit.patient for d in rescreen.rows] == [known]
    page = response.content.decode()
    assert "Lê Văn Quen" in page
    assert "Lê Văn Hùng" not in page


@pytest.mark.parametrize("phase", [Mission.Phase.SURGERY, Mission.Phase.FOLLOW_UP, Mission.Phase.CLOSED])
def test_the_section_is_only_on_missions_being_planned_or_screened(
    as_user: Any, coordinator: Any, mission: Any, due_child: Any, phase: str
) -> None:
    Mission.objects.filter(pk=mission.pk).update(phase=phase)
    response = _page(as_user(coordinator), mission)
    assert response.context["rescreen"] is None
    assert "Lê Văn Hùng" not in response.content.decode()


def test_the_section_says_so_when_nobody_is_due(as_user: Any, coordinator: Any, mission: Any) -> None:
    response = _page(as_user(coordinator), mission)
    assert response.context["rescreen"].count == 0
    assert 'id="rescreen"' in response.content.decode()


def test_a_child_registered_at_the_mission_leaves_the_section(
    as_user: Any, coordinator: Any, mission: Any, due_child: Any
) -> None:
    ScreeningVisitFactory(patient=due_child, mission=mission)
    assert _page(as_user(coordinator), mission).context["rescreen"].count == 0
    assert ScreeningVisit.objects.filter(patient=due_child).count() == 2


def test_another_volunteer_on_the_mission_does_not_open_the_children_to_the_clinician(
    as_user: Any, clinician: Any, mission: Any, due_child: Any
) -> None:
    MissionMemberFactory(mission=mission, volunteer=VolunteerFactory())
    rescreen = _page(as_user(clinician), mission).context["rescreen"]
    assert (rescreen.count, rescreen.rows, rescreen.hidden) == (1, [], 1)
