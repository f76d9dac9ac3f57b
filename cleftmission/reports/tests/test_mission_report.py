"""The mission report's figures against a mission computed by hand.

The mission is the scheduling tests' one (`setup`): 7–11/12/2026, screening on the 7th,
operating days from the 8th, 08:00–12:00 (240 minutes a table), tables Bàn 1 and Bàn 2,
surgeons Trần Bình and Đỗ Châu (away on the 9th). Everything happens through the real
services, each at its own moment (time frozen with time_machine):

Screening (07/12): six children accepted (`setup`): An (unilateral lip, 90 min), Bảo (palate,
120), Cúc (unilateral lip, 90), Dũng (palate, 120), Em (revision, 60), Giang (bilateral lip,
120); here three more deferred (Hà and Khang for a respiratory infection, Lan for low
haemoglobin), Minh referred to cardiology, and Nam registered but never decided.

The published schedule is placed by hand (the solver may break the tie between the two
tables either way; the figures per table need one placement), then published through the
real service, which makes the surgical cases:

    08/12 Bàn 1: An 08:00 (90 min), Bảo 09:45 (120)      Bình
    08/12 Bàn 2: Cúc 08:00 (90),    Dũng 09:45 (120)     Châu
    09/12 Bàn 1: Giang 08:00 (120), Em 10:15 (60)        Bình

What happened (in the operating room → in recovery, the actual minutes):

    An     08/12 08:05 → 09:41   96 min   discharged 09/12 (1 day)
    Bảo    08/12 09:55 → 12:13  138 min   bleeding, back to the OR that evening; discharged 10/12 (2 days)
    Cúc    08/12 08:02 → 09:20   78 min   discharged 09/12 (1 day)
    Dũng   08/12 09:40 → 11:50  130 min   discharged 11/12 (3 days); oronasal fistula found 05/01/2027
    Giang  09/12 08:10 → 10:25  135 min   discharged 11/12 (2 days)
    Em     cancelled on 09/12 at 07:30: fever (38.6 °C)

Follow-up visits are planned at discharge, 7, 91 and 365 days after it; the report is read
on 11/03/2027 with these recorded (the follow-up nurse's page records them; here the rows
are set directly):

    one week   An seen, Cúc seen, Bảo seen, Dũng missed, Giang not seen yet (due 18/12)
    3 months   An seen (due 10/03), Cúc not seen (due 10/03), Bảo not yet (due 11/03, today),
               Dũng seen on 11/03 a day early (due 12/03), Giang not yet (due 12/03)
    one year   all planned (due from 09/12/2027)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cleftmission.factories import PatientFactory, ScreeningVisitFactory
from cleftmission.followup.models import FollowUpVisit
from cleftmission.reports import figures
from cleftmission.reports.figures import Minutes
from cleftmission.reports.tests.helpers import on, operate
from cleftmission.scheduling import services as scheduling
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.screening import services as screening
from cleftmission.screening.models import ScreeningVisit
from cleftmission.surgery import services
from cleftmission.surgery.models import SurgicalCase

REPORT_DAY = dt.date(2027, 3, 11)


DAY1, DAY2 = dt.date(2026, 12, 8), dt.date(2026, 12, 9)

# child, operating day, table (index), start (minutes after 08:00), planned minutes
PLACEMENT = [
    ("An", DAY1, 0, 0, 90),
    ("Bảo", DAY1, 0, 105, 120),
    ("Cúc", DAY1, 1, 0, 90),
    ("Dũng", DAY1, 1, 105, 120),
    ("Giang", DAY2, 0, 0, 120),
    ("Em", DAY2, 0, 135, 60),
]


def publish_by_hand(setup: Setup, user: Any) -> Schedule:
    problem = scheduling.build_problem(setup.mission)
    schedule = Schedule.objects.create(
        mission=setup.mission, number=1, days=[d.isoformat() for d in problem.days], problem=problem.data
    )
    for name, day, table, start, minutes in PLACEMENT:
        visit = setup.visit(name)
        ScheduledCase.objects.create(
            schedule=schedule,
            visit=visit,
            key=scheduling.case_key(visit.pk),
            procedure=visit.decision.procedures.get().code,
            minutes=minutes,
            day=day,
            table=setup.tables[table],
            surgeon=setup.surgeons[table],
            anesthetist=setup.anesthetists[table],
            start=start,
            end=start + minutes,
        )
    return scheduling.publish_schedule(schedule=schedule, acting_user=user)


def discharge(case: SurgicalCase, day: dt.date, user: Any) -> None:
    with on(day, "16:00"):
        services.record_discharge(
            case=case,
            date=day,
            instructions_vi="Cho bé ăn bằng thìa, giữ vết mổ sạch.",
            instructions_en="Spoon-feed, keep the wound clean.",
            acting_user=user,
        )


def follow_up(case: SurgicalCase, kind: str, status: str, seen_on: dt.date | None = None) -> None:
    FollowUpVisit.objects.filter(case=case, kind=kind).update(status=status, seen_on=seen_on)


@dataclass
class Mission:
    setup: Setup
    cases: dict[str, SurgicalCase]

    @property
    def mission(self) -> Any:
        return self.setup.mission


@pytest.fixture
def operated(setup: Setup, coordinator: Any) -> Mission:
    mission = setup.mission
    with on(dt.date(2026, 12, 7), "15:00"):
        for queue, (given, outcome) in enumerate(
            [("Hà", "URI"), ("Khang", "URI"), ("Lan", "LOW_HB"), ("Minh", "referred"), ("Nam", None)], start=7
        ):
            patient = PatientFactory(family_name="Lê", middle_name="", given_name=given)
            visit: Any = ScreeningVisitFactory(patient=patient, mission=mission, queue_number=queue)
            if outcome == "referred":
                data: dict[str, Any] = {"outcome": "referred", "referral": "cardiology", "referred_to": "Khoa Tim mạch"}
            elif outcome:
                data = {"outcome": "deferred", "deferral_code": outcome, "rescreen_date": dt.date(2027, 1, 7)}
            else:
                continue
            screening.record_decision(visit=visit, data=data, acting_user=coordinator)
    with on(dt.date(2026, 12, 7), "18:00"):
        publish_by_hand(setup, coordinator)
    cases = {
        c.visit.patient.given_name: c
        for c in SurgicalCase.objects.filter(mission=mission).select_related("visit__patient")
    }
    with on(DAY1, "20:00"):
        operate(cases["An"], "08:05", "09:41", coordinator)
        operate(cases["Bảo"], "09:55", "12:13", coordinator)
        operate(cases["Cúc"], "08:02", "09:20", coordinator)
        operate(cases["Dũng"], "09:40", "11:50", coordinator)
        services.record_complication(
            case=cases["Bảo"], kind="bleeding_return", occurred_on=DAY1, note="Cầm máu lại", acting_user=coordinator
        )
    with on(DAY2, "07:30"):
        services.cancel_case(case=cases["Em"], code="FEVER", note="38,6 °C", acting_user=coordinator)
    with on(DAY2, "14:00"):
        operate(cases["Giang"], "08:10", "10:25", coordinator)
    discharge(cases["An"], DAY2, coordinator)
    discharge(cases["Cúc"], DAY2, coordinator)
    discharge(cases["Bảo"], dt.date(2026, 12, 10), coordinator)
    discharge(cases["Dũng"], dt.date(2026, 12, 11), coordinator)
    discharge(cases["Giang"], dt.date(2026, 12, 11), coordinator)
    with on(REPORT_DAY, "09:00"):
        services.record_complication(
            case=cases["Dũng"], kind="fistula", occurred_on=dt.date(2027, 1, 5), note="", acting_user=coordinator
        )
    follow_up(cases["An"], "1w", "seen", dt.date(2026, 12, 16))
    follow_up(cases["Cúc"], "1w", "seen", dt.date(2026, 12, 17))
    follow_up(cases["Bảo"], "1w", "seen", dt.date(2026, 12, 17))
    follow_up(cases["Dũng"], "1w", "missed")
    follow_up(cases["An"], "3m", "seen", dt.date(2027, 3, 10))
    follow_up(cases["Dũng"], "3m", "seen", dt.date(2027, 3, 11))
    return Mission(setup, cases)


@pytest.fixture
def report(operated: Mission) -> Iterator[figures.MissionReport]:
    with on(REPORT_DAY, "10:00"):
        yield figures.mission_report(operated.mission)


def test_the_story_is_what_the_services_recorded(operated: Mission) -> None:
    """The givens of the hand computation, as stored."""
    cases = operated.cases
    assert {
        (c.visit.patient.given_name, c.day, str(c.table and c.table.name), c.planned_minutes) for c in cases.values()
    } == {
        ("An", DAY1, "Bàn 1", 90),
        ("Bảo", DAY1, "Bàn 1", 120),
        ("Cúc", DAY1, "Bàn 2", 90),
        ("Dũng", DAY1, "Bàn 2", 120),
        ("Giang", DAY2, "Bàn 1", 120),
        ("Em", DAY2, "Bàn 1", 60),
    }
    em = SurgicalCase.objects.get(pk=cases["Em"].pk)
    assert (em.status, em.cancel_code) == (SurgicalCase.Status.CANCELLED, "FEVER")
    # the due dates planned at discharge: 7, 91 and 365 days after it
    assert list(FollowUpVisit.objects.filter(case=cases["An"]).values_list("due_date", flat=True)) == [
        dt.date(2026, 12, 16),
        dt.date(2027, 3, 10),
        dt.date(2027, 12, 9),
    ]
    assert list(FollowUpVisit.objects.filter(case=cases["Dũng"]).values_list("due_date", flat=True)) == [
        dt.date(2026, 12, 18),
        dt.date(2027, 3, 12),
        dt.date(2027, 12, 11),
    ]


def test_the_children_figures(report: figures.MissionReport) -> None:
    who = report.children
    # registered: the six accepted + Hà, Khang, Lan, Minh, Nam = 11
    assert who.registered == 11
    # evaluated (a decision): all but Nam = 10
    assert who.evaluated == 10
    # accepted: An, Bảo, Cúc, Dũng, Giang, and Em (accepted, then cancelled on the day) = 6
    assert who.accepted == 6
    # operated: An, Bảo, Cúc, Dũng, Giang = 5
    assert who.operated == 5
    # deferred at screening: Hà, Khang (URI), Lan (LOW_HB) = 3; Em is a cancellation, not here
    assert who.deferred == 3
    assert [(r.code, r.n) for r in who.deferred_by_reason] == [("URI", 2), ("LOW_HB", 1)]
    # referred: Minh = 1
    assert who.referred == 1
    # cancelled on the day: Em, fever = 1
    assert who.cancelled == 1
    assert [(r.code, r.n) for r in who.cancelled_by_reason] == [("FEVER", 1)]
    # accepted and still waiting: 6 accepted − 5 operated − 1 cancelled = 0
    assert who.waiting == 0


def test_complications_by_ichom_kind_and_per_operation(report: figures.MissionReport) -> None:
    found = report.complications
    # 2 complications (Bảo's bleeding, Dũng's fistula) over 5 operations: 2 / 5 = 40 per 100
    assert (found.operations, found.total) == (5, 2)
    assert found.rate_pct == pytest.approx(40.0)
    # each kind 1 / 5 = 20 per 100, in the ICHOM list's order
    assert [(c.kind, c.n, round(c.rate_pct or 0, 1)) for c in found.by_kind] == [
        ("bleeding_return", 1, 20.0),
        ("fistula", 1, 20.0),
    ]


def test_table_utilisation_per_day_and_table(report: figures.MissionReport) -> None:
    rows = [(t.day, t.table, t.minutes, t.day_minutes) for t in report.tables]
    assert rows == [
        # 08/12 Bàn 1: An + Bảo; planned 90 + 120 = 210; actual 96 + 138 = 234 (+24); median (96, 138) = 117
        (DAY1, "Bàn 1", Minutes(2, 2, 210, 210, 234, 117.0), 240),
        # 08/12 Bàn 2: Cúc + Dũng; planned 90 + 120 = 210; actual 78 + 130 = 208 (−2); median 104
        (DAY1, "Bàn 2", Minutes(2, 2, 210, 210, 208, 104.0), 240),
        # 09/12 Bàn 1: Giang only (Em cancelled, left out); planned 120, actual 135 (+15)
        (DAY2, "Bàn 1", Minutes(1, 1, 120, 120, 135, 135.0), 240),
    ]
    assert [t.minutes.difference for t in report.tables] == [24, -2, 15]
    # the share of the 240-minute day: 210 / 240 = 87.5 %, 234 / 240 = 97.5 %; 208 / 240 = 86.67 %;
    # 120 / 240 = 50 %, 135 / 240 = 56.25 %
    assert [(t.planned_pct, round(t.actual_pct or 0, 2)) for t in report.tables] == [
        (87.5, 97.5),
        (87.5, 86.67),
        (50.0, 56.25),
    ]
    total = report.tables_total
    # all: 5 cases; planned 210 + 210 + 120 = 540; actual 234 + 208 + 135 = 577 (+37);
    # median of 78, 96, 130, 135, 138 = 130; three table-days of 240 = 720 minutes
    assert total.minutes == Minutes(5, 5, 540, 540, 577, 130.0)
    assert total.day_minutes == 720
    # 540 / 720 = 75 %; 577 / 720 = 80.14 %
    assert (total.planned_pct, round(total.actual_pct or 0, 2)) == (75.0, 80.14)


def test_minutes_by_procedure(report: figures.MissionReport) -> None:
    # in the catalog's order (primary lip, primary palate; by code within a kind)
    assert [(p.code, p.minutes) for p in report.procedures] == [
        # bilateral lip: Giang; 120 planned, 135 actual
        ("lip_bi", Minutes(1, 1, 120, 120, 135, 135.0)),
        # unilateral lip: An + Cúc; 90 + 90 = 180 planned; 96 + 78 = 174 actual (−6); median 87
        ("lip_uni", Minutes(2, 2, 180, 180, 174, 87.0)),
        # palate: Bảo + Dũng; 120 + 120 = 240 planned; 138 + 130 = 268 actual (+28); median 134
        ("palate", Minutes(2, 2, 240, 240, 268, 134.0)),
    ]


def test_days_in_hospital(report: figures.MissionReport) -> None:
    # An 1, Cúc 1, Bảo 2, Giang 2, Dũng 3: the median of 1, 1, 2, 2, 3 is 2; nobody still in
    assert report.stay == figures.Stay(discharged=5, median_days=2.0, still_in=0)


def test_follow_ups_due_seen_missed_and_overdue(report: figures.MissionReport) -> None:
    rows = {f.kind: (f.planned, f.due, f.seen, f.missed, f.overdue, f.to_come) for f in report.follow_ups}
    assert rows == {
        # one week: 5 planned, all due (16–18/12); seen An, Cúc, Bảo; missed Dũng; Giang overdue
        "1w": (5, 5, 3, 1, 1, 0),
        # 3 months: due An, Cúc (10/03) and Bảo (11/03, today) = 3; seen An and Dũng (early) = 2;
        # Cúc overdue (due 10/03, before today); to come Bảo (today) and Giang (12/03) = 2
        "3m": (5, 3, 2, 0, 1, 2),
        # one year: all to come
        "1y": (5, 0, 0, 0, 0, 5),
    }
    total = report.follow_ups_total
    assert (total.planned, total.due, total.seen, total.missed, total.overdue, total.to_come) == (15, 8, 5, 1, 2, 7)
    # seen of those seen, missed or overdue: one week 3 / 5 = 60 %; 3 months 2 / 3; all 5 / 8 = 62.5 %
    assert [f.reached_pct for f in report.follow_ups][:2] == [60.0, pytest.approx(66.667, abs=0.001)]
    assert report.follow_ups[2].reached_pct is None
    assert total.reached_pct == 62.5


def test_the_report_takes_a_fixed_number_of_queries(
    operated: Mission, django_assert_max_num_queries: Any, as_user: Any, viewer: Any
) -> None:
    with on(REPORT_DAY, "10:00"):
        client = as_user(viewer)  # logged in on the day: a session begun today would have expired
        # the session and user, the mission and its access, then the report: visits, cases,
        # their procedures, stamps, complications, follow-ups; as many for 5 cases as for 500
        with django_assert_max_num_queries(12):
            response = client.get(f"/missions/{operated.mission.pk}/report/")
    assert response.status_code == 200


def test_a_viewer_reads_the_figures_and_no_child_s_name(operated: Mission, as_user: Any, viewer: Any) -> None:
    with on(REPORT_DAY, "10:00"):
        client = as_user(viewer)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        page = client.get(f"/missions/{operated.mission.pk}/report/").content.decode()
        printed = client.get(f"/missions/{operated.mission.pk}/report/print/").content.decode()
    for html in (page, printed):
        assert "Oronasal fistula" in html and "Respiratory infection" in html
        for name in ("Lê An", "Bảo", "Dũng", "Giang", "Khang"):
            assert name not in html
    assert "Planning times" not in page  # the link is for coordinators


def test_the_csv_has_every_figure(operated: Mission, as_user: Any, coordinator: Any) -> None:
    with on(REPORT_DAY, "10:00"):
        client = as_user(coordinator)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.get(f"/missions/{operated.mission.pk}/report.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Item", "Measure", "Value"]
    found = {(section, item, measure): value for section, item, measure, value in rows[1:]}
    assert found["Children", "operated", "children"] == "5"
    assert found["Deferred at screening", "Respiratory infection (URI)", "children"] == "2"
    assert found["Cancelled on the day", "Fever (FEVER)", "children"] == "1"
    assert found["Complications", "all", "per 100 operations"] == "40.0"
    assert found["Operating tables", "08/12/2026 · Bàn 2", "minutes over the plan (cases timed)"] == "-2"
    assert found["Operating tables", "all", "actual use of the day (%)"] == "80.1"
    assert found["By procedure", "Primary palate repair", "actual minutes"] == "268"
    assert found["Days in hospital", "discharged", "median days"] == "2.0"
    assert found["Follow-up visits", "One week", "overdue"] == "1"
    assert found["Follow-up visits", "all", "seen of those past (%)"] == "62.5"


def test_a_clinician_of_another_mission_is_refused(operated: Mission, as_user: Any, clinician: Any) -> None:
    """The clinician persona is on the conftest's `mission`, not on this one."""
    client = as_user(clinician)
    for path in ("report/", "report/print/", "report.csv"):
        assert client.get(f"/missions/{operated.mission.pk}/{path}").status_code == 403


def test_a_mission_without_operations_reports_zeros(mission: Any, as_user: Any, coordinator: Any) -> None:
    ScreeningVisitFactory(mission=mission, outcome=ScreeningVisit.Outcome.REGISTERED)
    report = figures.mission_report(mission)
    assert (report.children.registered, report.children.evaluated, report.complications.rate_pct) == (1, 0, None)
    assert report.tables == [] and report.stay.median_days is None and report.follow_ups == []
    assert as_user(coordinator).get(f"/missions/{mission.pk}/report/").status_code == 200
