"""The figures of a mission's report, and the planning times over missions: plain functions
over querysets, in a fixed number of queries, returning dataclasses. The pages render them,
the CSV writes them, and the tests compare them with a mission computed by hand.

What each figure counts (the report page says it too):

- registered: children put on the mission's list; evaluated: those with a decision.
- accepted: accepted for surgery at screening, those cancelled on the day included (their
  decision became a deferral when the case was cancelled).
- operated: children whose operation ended (the visit's outcome "operated").
- deferred: deferred at screening, by reason. A child cancelled on the day is counted under
  the cancellations, not here; referred: referred elsewhere.
- cancelled on the day: surgical cases cancelled, by reason.
- waiting: accepted, neither operated nor cancelled (still planned, or never came).
- complications: ICHOM complications recorded on the mission's cases, by kind; the rate is
  per operation (complications ÷ children operated).
- tables: each day and table with cases (cancelled cases left out): the planned minutes of
  its cases, their actual minutes (in the operating room → in recovery, for the cases with
  both stamps) and the operating day's minutes they take up.
- by procedure: each case under its main procedure (the longest in the catalog).
- days in hospital (ICHOM): from the day in the operating room to the day discharged; the
  median over the children discharged.
- follow-up: the visits planned at discharge, by kind: due (due today or before), seen,
  missed, overdue (still planned, due before today) and to come (planned, due today or later).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cleftmission.core.text import search_key
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission
from cleftmission.reports import planning
from cleftmission.screening.models import Decision, DeferralCode, Procedure, ScreeningVisit
from cleftmission.surgery import milestones
from cleftmission.surgery.models import Complication, Milestone, SurgicalCase
from cleftmission.surgery.services import days_in_hospital, stamped

# ---- the mission report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    n: int


@dataclass(frozen=True)
class Children:
    registered: int
    evaluated: int
    accepted: int
    operated: int
    deferred: int
    referred: int
    cancelled: int
    waiting: int
    deferred_by_reason: list[Reason]
    cancelled_by_reason: list[Reason]


@dataclass(frozen=True)
class ComplicationCount:
    kind: str
    label: str
    n: int
    rate_pct: float | None  # per operation


@dataclass(frozen=True)
class Complications:
    operations: int
    total: int
    rate_pct: float | None
    by_kind: list[ComplicationCount]


def _pct(part: float, whole: float) -> float | None:
    return 100 * part / whole if whole else None


@dataclass(frozen=True)
class Minutes:
    """Planned against actual minutes for a group of cases (a day's table, a procedure)."""

    cases: int
    measured: int  # cases with both "in OR" and "in recovery" stamped
    planned: int  # the planned minutes of all the cases
    planned_measured: int  # the planned minutes of the measured cases, to compare with `actual`
    actual: int  # in OR → in recovery, summed over the measured cases
    actual_median: float | None

    @property
    def difference(self) -> int:
        """Minutes over (> 0) or under the plan, for the cases measured."""
        return self.actual - self.planned_measured


@dataclass(frozen=True)
class TableDay:
    day: dt.date | None  # None on the totals' row
    table: str
    minutes: Minutes
    day_minutes: int  # the operating day's minutes (all days together on the totals' row)

    @property
    def planned_pct(self) -> float | None:
        return _pct(self.minutes.planned, self.day_minutes)

    @property
    def actual_pct(self) -> float | None:
        return _pct(self.minutes.actual, self.day_minutes)


@dataclass(frozen=True)
class ProcedureMinutes:
    code: str
    label: str
    minutes: Minutes


@dataclass(frozen=True)
class Stay:
    discharged: int
    median_days: float | None
    still_in: int  # in the operating room already, not discharged yet


@dataclass(frozen=True)
class FollowUps:
    kind: str
    label: str
    planned: int  # every visit planned at discharge
    due: int
    seen: int
    missed: int
    overdue: int
    to_come: int

    @property
    def reached_pct(self) -> float | None:
        """Of the visits that are past (seen, missed, or overdue), the share seen."""
        return _pct(self.seen, self.seen + self.missed + self.overdue)


@dataclass(frozen=True)
class MissionReport:
    mission: Mission
    today: dt.date
    children: Children
    complications: Complications
    tables: list[TableDay]
    tables_total: TableDay
    procedures: list[ProcedureMinutes]
    stay: Stay
    follow_ups: list[FollowUps]
    follow_ups_total: FollowUps


def children(mission: Mission) -> Children:
    """Who was seen and what became of them, in one query."""
    rows = ScreeningVisit.objects.filter(mission=mission).values_list(
        "outcome", "decision__outcome", "decision__deferral_code", "surgical_case__status", "surgical_case__cancel_code"
    )
    registered = evaluated = accepted = operated = deferred = referred = cancelled = waiting = 0
    deferrals: Counter[str] = Counter()
    cancellations: Counter[str] = Counter()
    for outcome, decided, deferral_code, case_status, cancel_code in rows:
        registered += 1
        if decided is None:
            continue
        evaluated += 1
        was_cancelled = case_status == SurgicalCase.Status.CANCELLED
        if was_cancelled:
            cancelled += 1
            cancellations[cancel_code or DeferralCode.OTHER] += 1
        if decided == Decision.Outcome.ACCEPTED or was_cancelled:
            accepted += 1
            if outcome == ScreeningVisit.Outcome.OPERATED:
                operated += 1
            elif not was_cancelled:
                waiting += 1
        elif decided == Decision.Outcome.DEFERRED:
            deferred += 1
            deferrals[deferral_code or DeferralCode.OTHER] += 1
        elif decided == Decision.Outcome.REFERRED:
            referred += 1
    return Children(
        registered=registered,
        evaluated=evaluated,
        accepted=accepted,
        operated=operated,
        deferred=deferred,
        referred=referred,
        cancelled=cancelled,
        waiting=waiting,
        deferred_by_reason=_reasons(deferrals),
        cancelled_by_reason=_reasons(cancellations),
    )


def _reasons(counts: Counter[str]) -> list[Reason]:
    """In the order of the reason codes (DOMAIN.md), each with its label."""
    labels = dict(DeferralCode.choices)
    return [Reason(code, str(labels[code]), counts[code]) for code in DeferralCode.values if counts[code]]


def complications(mission: Mission, operations: int) -> Complications:
    counts = Counter(Complication.objects.filter(case__mission=mission).values_list("kind", flat=True))
    labels = dict(Complication.Kind.choices)
    by_kind = [
        ComplicationCount(kind, str(labels[kind]), counts[kind], _pct(counts[kind], operations))
        for kind in Complication.Kind.values
        if counts[kind]
    ]
    total = sum(counts.values())
    return Complications(operations=operations, total=total, rate_pct=_pct(total, operations), by_kind=by_kind)


def _procedures_prefetch(lookup: str = "procedures") -> Prefetch:
    # Longest first: the first is the case's main procedure (as the scheduler decides who operates).
    return Prefetch(lookup, queryset=Procedure.objects.order_by("-planning_minutes", "code"))


def _milestones_prefetch(kinds: Iterable[str]) -> Prefetch:
    # Only the stamps the figures read, for surgery.services.stamped.
    return Prefetch("milestones", queryset=Milestone.objects.filter(kind__in=list(kinds)))


def _took(case: SurgicalCase) -> int | None:
    return milestones.minutes_between(stamped(case), milestones.IN_OR, milestones.RECOVERY)


def _minutes(cases: list[SurgicalCase]) -> Minutes:
    actual: list[int] = []
    planned_measured = 0
    for case in cases:
        took = _took(case)
        if took is not None:
            actual.append(took)
            planned_measured += case.planned_minutes
    return Minutes(
        cases=len(cases),
        measured=len(actual),
        planned=sum(c.planned_minutes for c in cases),
        planned_measured=planned_measured,
        actual=sum(actual),
        actual_median=planning.median(actual),
    )


def _procedure_order(procedure: Procedure) -> tuple[int, str]:
    return (
        Procedure.Kind.values.index(procedure.kind) if procedure.kind in Procedure.Kind.values else 99,
        procedure.code,
    )


def mission_report(mission: Mission, today: dt.date | None = None) -> MissionReport:
    today = today or timezone.localdate()
    who = children(mission)
    cases = list(
        SurgicalCase.objects.filter(mission=mission)
        .exclude(status=SurgicalCase.Status.CANCELLED)
        .select_related("table")
        .prefetch_related(
            _procedures_prefetch(),
            _milestones_prefetch((milestones.IN_OR, milestones.RECOVERY, milestones.DISCHARGED)),
        )
        .order_by("day", "table__name", "table_id", "order")
    )

    by_table: dict[tuple[dt.date, str], list[SurgicalCase]] = defaultdict(list)
    by_procedure: dict[str, list[SurgicalCase]] = defaultdict(list)
    procedures: dict[str, Procedure] = {}
    for case in cases:
        by_table[case.day, case.table.name if case.table else "—"].append(case)
        main = next(iter(case.procedures.all()), None)
        code = main.code if main else ""
        if main is not None:
            procedures[code] = main
        by_procedure[code].append(case)
    tables = [TableDay(day, table, _minutes(group), mission.day_minutes) for (day, table), group in by_table.items()]
    # The totals' row: every table-day with cases, and the operating minutes they had.
    total = TableDay(None, "", _minutes(cases), sum(t.day_minutes for t in tables))
    order = sorted(by_procedure, key=lambda code: _procedure_order(procedures[code]) if code else (100, ""))
    procedure_rows = [
        ProcedureMinutes(code, str(procedures[code]) if code else "—", _minutes(by_procedure[code])) for code in order
    ]

    stays = []
    still_in = 0
    for case in cases:
        days = days_in_hospital(case, today)
        if days is None:
            continue
        if milestones.DISCHARGED in stamped(case):
            stays.append(days)
        else:
            still_in += 1
    stay = Stay(
        discharged=len(stays), median_days=float(statistics.median(stays)) if stays else None, still_in=still_in
    )

    visits = list(FollowUpVisit.objects.filter(case__mission=mission).values_list("kind", "status", "due_date"))
    follow_ups = [
        _follow_ups(kind, str(label), [v for v in visits if v[0] == kind], today)
        for kind, label in FollowUpVisit.Kind.choices
        if any(v[0] == kind for v in visits)
    ]
    return MissionReport(
        mission=mission,
        today=today,
        children=who,
        complications=complications(mission, who.operated),
        tables=tables,
        tables_total=total,
        procedures=procedure_rows,
        stay=stay,
        follow_ups=follow_ups,
        follow_ups_total=_follow_ups("", "", visits, today),
    )


def _follow_ups(kind: str, label: str, visits: list[tuple[str, str, dt.date]], today: dt.date) -> FollowUps:
    planned = FollowUpVisit.Status.PLANNED
    return FollowUps(
        kind=kind,
        label=label,
        planned=len(visits),
        due=sum(1 for _k, _s, due in visits if due <= today),
        seen=sum(1 for _k, status, _d in visits if status == FollowUpVisit.Status.SEEN),
        missed=sum(1 for _k, status, _d in visits if status == FollowUpVisit.Status.MISSED),
        overdue=sum(1 for _k, status, due in visits if status == planned and due < today),
        to_come=sum(1 for _k, status, due in visits if status == planned and due >= today),
    )


# ---- planning times over missions -------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureTimes:
    comparison: planning.Comparison
    label: str
    procedure: Procedure | None  # the catalog entry, for one procedure (not a combination)

    @property
    def current(self) -> int | None:
        return self.procedure.planning_minutes if self.procedure else None

    @property
    def changes(self) -> bool:
        proposal = self.comparison.proposal
        return proposal is not None and self.procedure is not None and proposal != self.procedure.planning_minutes


@dataclass(frozen=True)
class SurgeonTimes:
    comparison: planning.Comparison
    label: str


@dataclass(frozen=True)
class PlanningTimes:
    missions: list[Mission]
    measured: int
    procedures: list[ProcedureTimes]
    surgeons: list[SurgeonTimes]


def timings(missions: QuerySet[Mission]) -> tuple[list[planning.Timing], dict[str, Procedure]]:
    """The operated cases of the missions with both "in OR" and "in recovery" stamped: what
    was done (the operative note's procedures, else those planned), by whom (the note's
    surgeon, else the planned one), minutes planned and taken. With the catalog entries met."""
    cases = (
        SurgicalCase.objects.filter(mission__in=missions)
        .exclude(status=SurgicalCase.Status.CANCELLED)
        .select_related("surgeon", "operative_note__surgeon")
        .prefetch_related(
            _procedures_prefetch(),
            _procedures_prefetch("operative_note__procedures"),
            _milestones_prefetch((milestones.IN_OR, milestones.RECOVERY)),
        )
    )
    found: list[planning.Timing] = []
    catalog: dict[str, Procedure] = {}
    for case in cases:
        took = _took(case)
        if took is None:
            continue
        note = getattr(case, "operative_note", None)
        done = list(note.procedures.all()) if note is not None else []
        done = done or list(case.procedures.all())
        for procedure in done:
            catalog[procedure.code] = procedure
        surgeon = (note.surgeon if note is not None and note.surgeon else None) or case.surgeon
        found.append(
            planning.Timing(
                procedures=tuple(p.code for p in done),
                surgeon=surgeon.full_name if surgeon else "",
                planned=case.planned_minutes,
                actual=took,
            )
        )
    return found, catalog


def _label(codes: tuple[str, ...], catalog: dict[str, Procedure]) -> str:
    return " + ".join(str(catalog[c]) if c in catalog else c for c in codes) or "—"


def planning_times(missions: QuerySet[Mission]) -> PlanningTimes:
    found, catalog = timings(missions)

    def order(codes: tuple[str, ...]) -> tuple[int, tuple[tuple[int, str], ...]]:
        return (len(codes), tuple(_procedure_order(catalog[c]) if c in catalog else (99, c) for c in codes))

    rows = sorted(planning.by_procedure(found), key=lambda c: order(c.procedures))
    per_surgeon = sorted(planning.by_surgeon(found), key=lambda c: (search_key(c.surgeon), order(c.procedures)))
    return PlanningTimes(
        missions=list(missions.order_by("-start_date")),
        measured=len(found),
        procedures=[
            ProcedureTimes(row, _label(row.procedures, catalog), catalog.get(row.procedures[0]) if row.single else None)
            for row in rows
        ],
        surgeons=[SurgeonTimes(row, _label(row.procedures, catalog)) for row in per_surgeon],
    )
