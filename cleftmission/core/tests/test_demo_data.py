"""What people rely on in `manage.py load_demo`: logins, hospitals, missions in every state,
a credentialed pool with problems to show, children with histories, and idempotence.

The demo is loaded once for the module (inside a transaction rolled back at the end, so the
other tests never see it) and each test runs in a savepoint on top of it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import Client, override_settings
from django.utils import timezone

from cleftmission.core import demo
from cleftmission.core.roles import Role, role_of
from cleftmission.core.text import digits, search_key
from cleftmission.missions.models import Mission, Site
from cleftmission.patients import lahshal
from cleftmission.patients.access import visible_patients
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import Decision, ScreeningVisit
from cleftmission.screening.queries import due_for_rescreen
from cleftmission.surgery.models import SurgicalCase
from cleftmission.volunteers.models import Credential, MissionMember, Volunteer


@pytest.fixture(scope="module")
def demo_output(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    media = str(tmp_path_factory.mktemp("demo-media"))  # the demo's documents, never into media/
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_output: str, db: None) -> str:
    return demo_output


def test_the_command_says_what_it_loaded_and_prints_the_logins(loaded: str) -> None:
    assert "Demo data loaded" in loaded
    for login in demo.LOGINS:
        assert login.username in loaded
    assert "demo" in loaded


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("admin", Role.ADMINISTRATOR),
        ("coordinator", Role.COORDINATOR),
        ("clinician", Role.CLINICIAN),
        ("registrar", Role.REGISTRAR),
        ("viewer", Role.VIEWER),
    ],
)
def test_each_login_works_with_the_demo_password_and_has_its_role(loaded: str, username: str, role: Role) -> None:
    user = authenticate(username=username, password="demo")
    assert user is not None
    assert role_of(user) is role
    assert user.is_staff is user.is_superuser is (role is Role.ADMINISTRATOR)


def test_clinician_and_registrar_are_on_the_upcoming_and_the_current_missions_and_see_children(loaded: str) -> None:
    upcoming = Mission.objects.get(kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.PLANNING)
    current = Mission.objects.get(phase=Mission.Phase.SCREENING)
    for username in ("clinician", "registrar"):
        volunteer = Volunteer.objects.get(user__username=username)
        missions = set(MissionMember.objects.filter(volunteer=volunteer).values_list("mission_id", flat=True))
        assert {upcoming.pk, current.pk} <= missions
        assert MissionMember.objects.filter(volunteer=volunteer, mission__phase=Mission.Phase.CLOSED).exists()
        user = volunteer.user
        seen = visible_patients(user)
        assert 0 < seen.count() < Patient.objects.count()
        assert seen.filter(search_name="nguyen van an").exists()


def test_two_partner_hospitals_one_in_each_city_with_tables_and_beds(loaded: str) -> None:
    sites = list(Site.objects.annotate(n=Count("tables")))
    assert sorted(s.city for s in sites) == ["Hà Nội", "TP. Hồ Chí Minh"]
    for site in sites:
        assert 4 <= site.n <= 6
        assert site.ward_beds > 0


def test_a_year_of_missions_in_every_state(loaded: str) -> None:
    today = timezone.localdate()
    missions = Mission.objects.all()
    closed = missions.filter(phase=Mission.Phase.CLOSED)
    assert closed.count() >= 20  # about two local missions a month
    assert not closed.filter(end_date__gte=today).exists()
    assert closed.filter(start_date__lt=today - dt.timedelta(days=300)).exists()
    for site in Site.objects.all():
        assert closed.filter(site=site, kind=Mission.Kind.LOCAL).count() >= 10

    upcoming = missions.get(kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.PLANNING)
    assert today + dt.timedelta(days=14) <= upcoming.start_date <= today + dt.timedelta(days=60)
    assert upcoming.days == 7
    assert 30 <= upcoming.members.count() <= upcoming.team_size_cap <= 60
    assert not upcoming.visits.exists()

    current = missions.get(phase=Mission.Phase.SCREENING)
    assert current.start_date <= today <= current.end_date
    assert current.visits.exists()

    operating = missions.get(phase=Mission.Phase.SURGERY)
    assert operating.site.city != current.site.city
    assert operating.start_date < today - dt.timedelta(days=1) and today in operating.operating_days


def test_closed_missions_have_their_numbers(loaded: str) -> None:
    for mission in Mission.objects.filter(phase=Mission.Phase.CLOSED):
        outcomes = set(mission.visits.values_list("outcome", flat=True))
        assert ScreeningVisit.Outcome.OPERATED in outcomes
        assert ScreeningVisit.Outcome.REGISTERED not in outcomes  # everyone was decided
        assert mission.members.exists()


def test_every_specialty_and_origin_is_in_the_pool(loaded: str) -> None:
    assert 140 <= Volunteer.objects.count() <= 160
    assert set(Volunteer.objects.values_list("specialty", flat=True)) == set(Volunteer.Specialty.values)
    assert set(Volunteer.objects.values_list("origin", flat=True)) == set(Volunteer.Origin.values)
    vietnamese = Volunteer.objects.filter(origin=Volunteer.Origin.IN_COUNTRY)
    assert all(v.search_name == search_key(v.full_name) for v in Volunteer.objects.all())
    assert any(v.full_name != search_key(v.full_name) for v in vietnamese)  # diacritics
    assert not Volunteer.objects.filter(origin=Volunteer.Origin.INTERNATIONAL, country="").exists()


def test_credentials_include_expired_expiring_and_ending_during_the_upcoming_mission(loaded: str) -> None:
    today = timezone.localdate()
    assert Credential.objects.expired(today).count() >= 5
    assert Credential.objects.expiring_within(today, 60).count() >= 5
    kinds = set(Credential.objects.values_list("kind", flat=True))
    assert {"licence", "specialty_diploma", "board_certification", "bls", "pals", "nursing_licence"} <= kinds

    upcoming = Mission.objects.get(kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.PLANNING)
    on_team = Credential.objects.filter(volunteer__memberships__mission=upcoming)
    statuses = {c.status(today, upcoming) for c in on_team}
    assert Credential.Status.ENDS_DURING_MISSION in statuses
    assert Credential.Status.EXPIRED in statuses
    assert not Credential.objects.filter(valid_to__lt=F("valid_from")).exists()


def test_children_have_names_codes_guardians_and_valid_phones(loaded: str) -> None:
    today = timezone.localdate()
    children = list(Patient.objects.all())
    # about 600, with the families new at today's screening day and at the operating mission's
    assert 550 <= len(children) <= 760
    assert len({p.record_number for p in children}) == len(children)
    families = {p.family_name for p in children}
    assert {"Nguyễn", "Trần", "Lê", "Phạm", "Đặng"} <= families
    for child in children:
        assert child.record_number == f"CM-{child.pk:06d}"
        assert child.search_name == search_key(child.full_name)
        lahshal.parse(child.lahshal)  # raises on an invalid code
        assert child.date_of_birth < today
        assert child.age_on(today)[0] < 25
    codes = {p.lahshal for p in children}
    assert {"LAHSHAL", "...S...", "......L", "..HSHAL"} <= codes
    assert any(c != c.upper() for c in codes)  # incomplete clefts too
    ages = [p.age_on(today)[0] for p in children]
    assert sum(a < 13 for a in ages) > 0.85 * len(ages)

    assert not Patient.objects.annotate(n=Count("guardians")).filter(n=0).exists()
    for guardian in Guardian.objects.exclude(phone=""):
        number = phonenumbers.parse(guardian.phone, None)
        assert phonenumbers.is_valid_number(number), guardian.phone
        assert phonenumbers.region_code_for_number(number) == "VN"
        assert guardian.phone == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert guardian.phone_digits == digits(guardian.phone)


def test_some_children_were_seen_at_more_than_one_mission(loaded: str) -> None:
    repeat = Patient.objects.annotate(n=Count("visits")).filter(n__gt=1)
    assert repeat.count() >= 30
    an = Patient.objects.get(family_name="Nguyễn", middle_name="Văn", given_name="An")
    visits = list(an.visits.order_by("mission__start_date"))
    assert len(visits) == 2
    assert visits[0].mission.start_date < visits[1].mission.start_date
    assert "lip" in visits[0].procedure and "palate" in visits[1].procedure
    # queue numbers run 1..n per mission; every visit falls after the child was born
    for mission in Mission.objects.filter(visits__isnull=False).distinct():
        numbers = sorted(mission.visits.values_list("queue_number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
    assert not ScreeningVisit.objects.filter(registered_at__date__lte=F("patient__date_of_birth")).exists()


def test_decided_visits_have_decisions_like_the_screening_service_records(loaded: str) -> None:
    visits = ScreeningVisit.objects.select_related("decision")
    for visit in visits.exclude(outcome=ScreeningVisit.Outcome.REGISTERED):
        decision = visit.decision
        assert visit.decided_at == decision.decided_at
        if visit.outcome in (ScreeningVisit.Outcome.ACCEPTED, ScreeningVisit.Outcome.OPERATED):
            assert decision.outcome == Decision.Outcome.ACCEPTED
            assert visit.procedure in set(decision.procedures.values_list("code", flat=True))
        elif visit.outcome == ScreeningVisit.Outcome.DEFERRED:
            assert decision.outcome == Decision.Outcome.DEFERRED
            assert decision.deferral_code and decision.rescreen_date
            # a child cancelled on the day keeps the procedure planned for it
            cancelled = SurgicalCase.objects.filter(visit=visit, status=SurgicalCase.Status.CANCELLED).exists()
            assert cancelled or not visit.procedure
        else:
            assert decision.outcome == Decision.Outcome.REFERRED and decision.referral
    assert not Decision.objects.filter(visit__outcome=ScreeningVisit.Outcome.REGISTERED).exists()
    # the mission under way still has children going through the stations
    assert ScreeningVisit.objects.filter(
        mission__phase=Mission.Phase.SCREENING, outcome=ScreeningVisit.Outcome.REGISTERED
    ).exists()


def test_deferred_children_are_due_back_at_the_upcoming_missions(loaded: str) -> None:
    for mission in Mission.objects.filter(phase=Mission.Phase.PLANNING):
        assert due_for_rescreen(mission).exists(), mission


def test_the_named_child_is_found_alone_by_the_search(loaded: str) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    response = client.get("/children/", {"q": "nguyen van an"})
    assert response.status_code == 200
    assert [p.full_name for p in response.context["page"]] == ["Nguyễn Văn An"]


def test_running_it_again_adds_nothing(loaded: str) -> None:
    apps_with_data = {
        "auth",
        "core",
        "missions",
        "volunteers",
        "patients",
        "screening",
        "scheduling",
        "surgery",
        "followup",
    }
    models = [m for m in apps.get_models() if m._meta.app_label in apps_with_data]
    before = {m._meta.label: m._default_manager.count() for m in models}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert {m._meta.label: m._default_manager.count() for m in models} == before


def test_the_generator_scales_down(loaded: str) -> None:
    """The benchmark grows the same functions; a tiny programme holds together too."""
    # Start from an empty database (this test's savepoint is rolled back afterwards).
    from cleftmission.followup.models import FollowUpVisit
    from cleftmission.scheduling.models import Schedule
    from cleftmission.surgery.models import Complication, SurgicalCase

    FollowUpVisit.objects.all().delete()
    Complication.objects.all().delete()
    SurgicalCase.objects.all().delete()
    Schedule.objects.all().delete()
    Decision.objects.all().delete()
    ScreeningVisit.objects.all().delete()
    MissionMember.objects.all().delete()
    Patient.objects.all().delete()
    Volunteer.objects.all().delete()
    Mission.objects.all().delete()
    Site.objects.all().delete()
    get_user_model().objects.all().delete()
    result = demo.load(demo.Scale(children=40, years=1, volunteers=20), today=dt.date(2026, 3, 2))
    assert result.loaded
    assert Patient.objects.count() == 40
    assert Volunteer.objects.count() == 20
    assert set(Volunteer.objects.values_list("specialty", flat=True)) == set(Volunteer.Specialty.values)
    assert Patient.objects.filter(search_name="nguyen van an").count() == 1


def test_a_mission_in_its_operating_days_has_cases_at_every_milestone(loaded: str) -> None:
    from cleftmission.scheduling import services as scheduling
    from cleftmission.scheduling.models import Schedule
    from cleftmission.screening.models import StationEvaluation
    from cleftmission.surgery import milestones
    from cleftmission.surgery import services as surgery
    from cleftmission.surgery.demo import where_cases_stand
    from cleftmission.surgery.models import Milestone, OperativeNote

    today = timezone.localdate()
    mission = Mission.objects.get(phase=Mission.Phase.SURGERY)
    # screened on its first day through the services: every child seen at every station, decided
    visits = mission.visits.all()
    assert visits.count() >= 40
    assert not visits.filter(outcome=ScreeningVisit.Outcome.REGISTERED).exists()
    assert StationEvaluation.objects.filter(visit__mission=mission).count() == 6 * visits.count()
    # its schedule published; a child with a fever cancelled today, the repaired draft waiting
    assert scheduling.published_schedule(mission) is not None
    cancelled = SurgicalCase.objects.get(mission=mission, status=SurgicalCase.Status.CANCELLED)
    assert (cancelled.cancel_code, cancelled.day) == ("FEVER", today)
    draft = Schedule.objects.get(mission=mission, status=Schedule.Status.DRAFT)
    assert draft.cases.get(visit=cancelled.visit).cancel_code == "FEVER"
    # every milestone is some case's last, and some cases are still planned
    assert list(where_cases_stand(mission)) == ["planned", *milestones.ORDER, "cancelled"]
    assert not Milestone.objects.filter(case__mission=mission, at__gt=timezone.now()).exists()
    cases = list(SurgicalCase.objects.filter(mission=mission).exclude(status=SurgicalCase.Status.CANCELLED))
    yesterday = [c for c in cases if c.day == today - dt.timedelta(days=1)]
    assert yesterday and all(milestones.WARD in surgery.stamped(c) for c in yesterday)
    in_room = []
    for case in cases:
        stamps, phases = surgery.stamped(case), surgery.signed_phases(case)
        if milestones.INCISION in stamps:
            assert {"sign_in", "time_out"} <= phases
        if milestones.SURGERY_END in stamps:
            assert OperativeNote.objects.filter(case=case).exists()
        if milestones.RECOVERY in stamps:
            assert "sign_out" in phases
        if milestones.IN_OR in stamps and milestones.RECOVERY not in stamps:
            in_room.append(case)
            if milestones.ANESTHESIA_START in stamps:
                assert "time_out" in phases  # under anaesthesia, the Time Out done before the incision
    # one child at most in each operating room
    assert len({c.table_id for c in in_room}) == len(in_room) == 4


def test_closed_missions_have_operations_discharges_and_follow_ups_some_overdue(loaded: str) -> None:
    from cleftmission.followup.models import FollowUpVisit
    from cleftmission.reports.figures import mission_report
    from cleftmission.surgery import milestones
    from cleftmission.surgery.models import Complication, Milestone

    today = timezone.localdate()
    operated = ScreeningVisit.objects.filter(
        mission__phase=Mission.Phase.CLOSED, outcome=ScreeningVisit.Outcome.OPERATED
    )
    cases = SurgicalCase.objects.filter(mission__phase=Mission.Phase.CLOSED)
    assert cases.count() == operated.count() > 300
    assert not operated.filter(surgical_case__isnull=True).exists()
    assert not cases.filter(discharge__isnull=True).exists()
    stamps: dict[int, list[str]] = {}
    for case_id, kind in (
        Milestone.objects.filter(case__in=cases).order_by("case_id", "at", "pk").values_list("case_id", "kind")
    ):
        stamps.setdefault(case_id, []).append(kind)
    assert all(kinds == list(milestones.ORDER) for kinds in stamps.values()) and len(stamps) == cases.count()
    visits = FollowUpVisit.objects.filter(case__in=cases)
    assert visits.count() == 3 * cases.count()
    seen = visits.filter(status=FollowUpVisit.Status.SEEN)
    assert seen.count() > visits.count() / 3
    assert not seen.filter(seen_on__isnull=True).exists() and seen.filter(weight_kg__isnull=False).exists()
    assert visits.filter(status=FollowUpVisit.Status.MISSED).exists()
    assert visits.filter(status=FollowUpVisit.Status.PLANNED, due_date__lt=today).count() >= 10  # overdue
    assert visits.filter(status=FollowUpVisit.Status.PLANNED, due_date__gte=today).exists()
    # complications: about 2 % of operations
    complications = Complication.objects.filter(case__in=cases).count()
    assert 0.005 * cases.count() <= complications <= 0.04 * cases.count()
    # the report of the last closed mission reads them
    last = Mission.objects.filter(phase=Mission.Phase.CLOSED).order_by("-start_date").first()
    assert last is not None
    report = mission_report(last)
    assert report.children.operated == report.tables_total.minutes.measured > 0
    assert report.stay.discharged == report.children.operated
