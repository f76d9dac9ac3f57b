"""The operating schedule in the app: build the solver's problem from the database (accepted
children, the team's surgeons and anaesthesiologists by day, the tables), save what the
solver answers as a new version, and the coordinator's changes: move, lock, repair, publish.

Every schedule is a new numbered version; a mission has at most one draft and one published
schedule. Moves and repairs of a published schedule make a draft from it, so the OR doors
keep showing the published list until the coordinator publishes the change.

Ids in the problem: cases are "V<visit id>", tables "T<table id>", surgeons "S<volunteer id>",
anaesthetists "A<volunteer id>"; day i is the i-th operating day (`Schedule.days`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.scheduling import solver
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.screening.models import Decision, DeferralCode, Procedure, ScreeningVisit, Station, StationEvaluation
from cleftmission.volunteers.models import MissionMember, MissionRole, Volunteer

# Minutes between two cases on one table (DOMAIN.md: Bahmni's default cleaning time).
TURNOVER_MINUTES = 15
# What an unoperated child costs, by the decision's priority (1 most urgent … 5 least): an
# urgent child is left out only when three of the least urgent could not be operated otherwise.
PRIORITY_COST = {1: 300, 2: 250, 3: 200, 4: 150, 5: 100}
DEFAULT_PRIORITY = 3
WEIGHTS = {"unscheduled": 100, "delay": 5, "open_table": 30, "surgeon_transfer": 10}
# When a decision gives neither estimated minutes nor a procedure from the catalog.
DEFAULT_MINUTES = 90
BUILD_SECONDS = 10.0
REPAIR_SECONDS = 5.0


def clock_time(mission: Mission, minute: int | None) -> str:
    """The clock time of a minute into the mission's operating day ("10:30"); "" for none."""
    if minute is None:
        return ""
    total = mission.day_start.hour * 60 + mission.day_start.minute + minute
    return f"{total // 60:02d}:{total % 60:02d}"


def case_key(visit_id: int) -> str:
    return f"V{visit_id}"


def table_key(table_id: int) -> str:
    return f"T{table_id}"


def surgeon_key(volunteer_id: int) -> str:
    return f"S{volunteer_id}"


def anesthetist_key(volunteer_id: int) -> str:
    return f"A{volunteer_id}"


def id_of(key: str | None) -> int | None:
    return int(key[1:]) if key else None


def tables_for(mission: Mission) -> list[OperatingTable]:
    """The hospital's tables in use, as many as the mission plans per day."""
    return list(OperatingTable.objects.filter(site_id=mission.site_id, active=True).order_by("name", "pk"))[
        : mission.tables_per_day
    ]


def accepted_visits(mission: Mission) -> list[ScreeningVisit]:
    """The children accepted for surgery at this mission, with what the problem and the
    cards need (procedures, weight), in a fixed number of queries."""
    return list(
        ScreeningVisit.objects.filter(mission=mission, decision__outcome=Decision.Outcome.ACCEPTED)
        .select_related("patient", "decision")
        .prefetch_related(
            Prefetch("decision__procedures", queryset=Procedure.objects.order_by("-planning_minutes", "code")),
        )
        .order_by("queue_number")
    )


def weights_kg(visits: list[ScreeningVisit]) -> dict[int, str]:
    """Each child's weight at the vitals station, for the cards."""
    rows = StationEvaluation.objects.filter(visit__in=[v.pk for v in visits], station=Station.VITALS).values_list(
        "visit_id", "data"
    )
    return {visit_id: str(data.get("weight_kg")) for visit_id, data in rows if data and data.get("weight_kg")}


def _case(visit: ScreeningVisit, first_day: dt.date) -> dict[str, Any]:
    decision = visit.decision
    procedures = list(decision.procedures.all())
    minutes = decision.estimated_minutes or sum(p.planning_minutes for p in procedures) or DEFAULT_MINUTES
    return {
        "id": case_key(visit.pk),
        "minutes": int(minutes),
        # the longest procedure decides who can operate (a lip repair with a nose revision is a lip repair)
        "procedure": procedures[0].code if procedures else "other",
        "priority": PRIORITY_COST[decision.priority or DEFAULT_PRIORITY],
        "age_days": max(0, (first_day - visit.patient.date_of_birth).days),
    }


def _surgeon(member: MissionMember, minutes: list[int]) -> dict[str, Any]:
    """A surgeon with the operations they do (none recorded: any)."""
    surgeon: dict[str, Any] = {"id": surgeon_key(member.volunteer_id), "minutes": minutes}
    codes = sorted(p.code for p in member.volunteer.procedures.all())
    if codes:
        surgeon["procedures"] = codes
    return surgeon


@dataclass
class Problem:
    """The solver's problem for a mission, and the days it is about."""

    data: dict[str, Any]
    days: list[dt.date]


def build_problem(mission: Mission, *, cancelled: set[int] | None = None) -> Problem:
    """The accepted children (less those `cancelled`, by visit id), the tables and the team's
    surgeons and anaesthesiologists on each operating day. Refused, with the reason, when
    there is nothing to plan on."""
    days = mission.operating_days
    if not days:
        raise ValidationError({"screening_days": _("This mission has no operating day after its screening days.")})
    tables = tables_for(mission)
    if not tables:
        raise ValidationError(
            {"tables": _("The hospital has no operating table in use. Add its tables on the hospital's page.")}
        )
    members = list(
        MissionMember.objects.filter(
            mission=mission, role__in=[MissionRole.PLASTIC_SURGEON, MissionRole.ANESTHESIOLOGIST]
        )
        .select_related("volunteer")
        .prefetch_related("volunteer__procedures")
    )
    surgeons = [m for m in members if m.role == MissionRole.PLASTIC_SURGEON]
    anesthetists = [m for m in members if m.role == MissionRole.ANESTHESIOLOGIST]
    if not surgeons:
        raise ValidationError({"team": _("No plastic surgeon is on the team. Add surgeons on the Team page.")})
    length = mission.day_minutes

    def minutes(member: MissionMember) -> list[int]:
        return [length if day.isoformat() in member.days else 0 for day in days]

    visits = [v for v in accepted_visits(mission) if v.pk not in (cancelled or set())]
    data: dict[str, Any] = {
        "days": len(days),
        "day_start": mission.day_start.strftime("%H:%M"),
        "turnover": TURNOVER_MINUTES,
        "sequence": True,
        "tables": [{"id": table_key(t.pk), "minutes": [length] * len(days)} for t in tables],
        "surgeons": [_surgeon(m, minutes(m)) for m in surgeons],
        "cases": [_case(v, days[0]) for v in visits],
        "weights": dict(WEIGHTS),
    }
    if anesthetists:
        data["anesthetists"] = [{"id": anesthetist_key(m.volunteer_id), "minutes": minutes(m)} for m in anesthetists]
    return Problem(data=data, days=days)


# ---- saving a solution -------------------------------------------------------------------


def _next_number(mission: Mission) -> int:
    return (Schedule.objects.filter(mission=mission).aggregate(n=Max("number"))["n"] or 0) + 1


def _audit(schedule: Schedule, changes: dict[str, list[Any]], acting_user: Any, action: str) -> None:
    audit.record(instance=schedule, action=action, changes=changes, acting_user=acting_user, target=schedule.mission)


def _save(
    *,
    mission: Mission,
    problem: dict[str, Any],
    days: list[dt.date],
    solution: dict[str, Any],
    kind: str,
    acting_user: Any,
    based_on: Schedule | None = None,
    events: list[dict[str, Any]] | None = None,
    carried: dict[int, ScheduledCase] | None = None,
) -> Schedule:
    """A new draft from the solver's answer; the mission's previous draft is replaced.
    `carried`: rows of the schedule repaired (visit id → row), for what the problem no longer
    holds (cancelled children) and what a coordinator set (locks)."""
    carried = carried or {}
    with transaction.atomic():
        Mission.objects.select_for_update().filter(pk=mission.pk).first()
        Schedule.objects.filter(mission=mission, status=Schedule.Status.DRAFT).update(status=Schedule.Status.REPLACED)
        schedule = Schedule.objects.create(
            mission=mission,
            number=_next_number(mission),
            kind=kind,
            based_on=based_on,
            days=[d.isoformat() for d in days],
            problem=problem,
            events=events or [],
            solver_status=solution.get("status", ""),
            objective=solution.get("objective"),
            bound=solution.get("bound"),
            cost=solution.get("cost", {}),
            changes=solution.get("changes", 0) or 0,
            seconds=round(float(solution.get("seconds", 0) or 0), 2),
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        placed = {a["case"]: a for a in solution.get("assignments", [])}
        reasons = {u["case"]: u.get("reason", "") for u in solution.get("unscheduled", [])}
        codes = {u["case"]: u.get("code", "") for u in solution.get("unscheduled", [])}
        rows = []
        in_problem = set()
        for case in problem["cases"]:
            visit_id = id_of(case["id"])
            assert visit_id is not None
            in_problem.add(visit_id)
            before = carried.get(visit_id)
            row = ScheduledCase(
                schedule=schedule,
                visit_id=visit_id,
                key=case["id"],
                procedure=case.get("procedure", ""),
                minutes=case["minutes"],
                locked=bool(before and before.locked),
            )
            where = placed.get(case["id"])
            if where is not None:
                row.day = days[where["day"]]
                row.table_id = id_of(where["table"])
                row.surgeon_id = id_of(where.get("surgeon"))
                row.anesthetist_id = id_of(where.get("anesthetist"))
                row.start = where.get("start")
                row.end = where.get("end")
            else:
                row.locked = False
                row.unscheduled_reason = (reasons.get(case["id"]) or _("Not operated"))[:300]
                row.unscheduled_code = (codes.get(case["id"]) or "")[:40]
            rows.append(row)
        for visit_id, before in carried.items():
            if visit_id not in in_problem and before.cancel_code:
                rows.append(
                    ScheduledCase(
                        schedule=schedule,
                        visit_id=visit_id,
                        key=before.key,
                        procedure=before.procedure,
                        minutes=before.minutes,
                        cancel_code=before.cancel_code,
                        cancel_note=before.cancel_note,
                    )
                )
        ScheduledCase.objects.bulk_create(rows)
        _audit(
            schedule,
            {
                "status": [None, schedule.get_status_display()],
                "kind": [None, schedule.get_kind_display()],
                "events": [None, len(schedule.events)],
                "objective": [None, schedule.objective],
                "changes": [None, schedule.changes],
            },
            acting_user,
            AuditEntry.Action.CREATE,
        )
    return schedule


def build_schedule(*, mission: Mission, acting_user: Any, time_limit: float = BUILD_SECONDS) -> Schedule:
    """Solve the mission's schedule from scratch and save it as the new draft. Cases locked on
    the current schedule stay where they are; children cancelled on it stay off."""
    current = current_schedule(mission)
    carried = _rows_by_visit(current) if current else {}
    cancelled = {visit_id for visit_id, row in carried.items() if row.cancel_code}
    problem = build_problem(mission, cancelled=cancelled)
    _fix_locked(problem.data, carried, problem.days)
    solution = solver.solve(problem.data, time_limit=time_limit)
    return _save(
        mission=mission,
        problem=problem.data,
        days=problem.days,
        solution=solution,
        kind=Schedule.Kind.BUILT,
        based_on=current,
        carried=carried,
        acting_user=acting_user,
    )


def _fix_locked(problem: dict[str, Any], carried: dict[int, ScheduledCase], days: list[dt.date]) -> None:
    """Locked cases keep their day, table, surgeon and start when the schedule is built again."""
    index = {d: i for i, d in enumerate(days)}
    tables = {t["id"] for t in problem["tables"]}
    surgeons = {s["id"] for s in problem["surgeons"]}
    for case in problem["cases"]:
        row = carried.get(id_of(case["id"]) or 0)
        if row is None or not row.locked or row.day not in index or row.table_id is None:
            case.pop("fixed", None)
            continue
        if table_key(row.table_id) not in tables:
            continue
        fixed: dict[str, Any] = {"day": index[row.day], "table": table_key(row.table_id)}
        if row.start is not None:
            fixed["start"] = row.start
        if row.surgeon_id is not None and surgeon_key(row.surgeon_id) in surgeons:
            fixed["surgeon"] = surgeon_key(row.surgeon_id)
        case["fixed"] = fixed


def _rows_by_visit(schedule: Schedule) -> dict[int, ScheduledCase]:
    return {row.visit_id: row for row in schedule.cases.all()}


# ---- reading -----------------------------------------------------------------------------


def current_schedule(mission: Mission) -> Schedule | None:
    """The draft the coordinator is working on, else the published schedule."""
    schedules = {
        s.status: s
        for s in Schedule.objects.filter(mission=mission, status__in=[Schedule.Status.DRAFT, Schedule.Status.PUBLISHED])
    }
    return schedules.get(Schedule.Status.DRAFT) or schedules.get(Schedule.Status.PUBLISHED)


def published_schedule(mission: Mission) -> Schedule | None:
    return Schedule.objects.filter(mission=mission, status=Schedule.Status.PUBLISHED).first()


def solution_of(schedule: Schedule, rows: list[ScheduledCase] | None = None) -> dict[str, Any]:
    """The schedule's rows as the solver's solution (what `check` and `repair` read)."""
    rows = list(schedule.cases.all()) if rows is None else rows
    index = {d: i for i, d in enumerate(schedule.operating_days)}
    assignments = []
    unscheduled = []
    for row in rows:
        if row.cancel_code:
            continue
        if row.day is None or row.table_id is None:
            unscheduled.append({"case": row.key, "reason": row.unscheduled_reason})
            continue
        a: dict[str, Any] = {
            "case": row.key,
            "day": index[row.day],
            "table": table_key(row.table_id),
            "surgeon": surgeon_key(row.surgeon_id) if row.surgeon_id else None,
            "anesthetist": anesthetist_key(row.anesthetist_id) if row.anesthetist_id else None,
            "start": row.start,
            "end": row.end,
        }
        assignments.append(a)
    return {
        "status": schedule.solver_status,
        "objective": schedule.objective,
        "bound": schedule.bound,
        "cost": schedule.cost,
        "assignments": assignments,
        "unscheduled": unscheduled,
        "changes": schedule.changes,
        "seconds": schedule.seconds,
    }


def moved_since_published(schedule: Schedule, rows: list[ScheduledCase]) -> dict[int, ScheduledCase | None]:
    """The cases of a draft whose day, table or start differ from the published schedule:
    visit id → the published row (None when the child was not on it)."""
    if schedule.status != Schedule.Status.DRAFT:
        return {}
    published = published_schedule(schedule.mission)
    if published is None:
        return {}
    before = {row.visit_id: row for row in published.cases.select_related("table")}  # the cards name the table
    moved: dict[int, ScheduledCase | None] = {}
    for row in rows:
        old = before.get(row.visit_id)
        if old is None:
            if row.day is not None:
                moved[row.visit_id] = None
        elif (old.day, old.table_id, old.start, old.cancel_code) != (row.day, row.table_id, row.start, row.cancel_code):
            moved[row.visit_id] = old
    return moved


# ---- changing ----------------------------------------------------------------------------


def _editable(schedule: Schedule, acting_user: Any) -> Schedule:
    """The draft to change: the schedule itself when it is the draft, else a new draft copied
    from it (a published schedule changes only by publishing its successor)."""
    if schedule.status == Schedule.Status.DRAFT:
        return schedule
    if schedule.status == Schedule.Status.REPLACED:
        raise ValidationError({"schedule": _("This version has been replaced: change the current one.")})
    rows = list(schedule.cases.all())
    copy = _save(
        mission=schedule.mission,
        problem=schedule.problem,
        days=schedule.operating_days,
        solution=solution_of(schedule, rows),
        kind=Schedule.Kind.EDITED,
        based_on=schedule,
        carried={r.visit_id: r for r in rows},
        acting_user=acting_user,
    )
    copy.bound = schedule.bound
    copy.save(update_fields=["bound"])
    return copy


def _table_day(rows: list[ScheduledCase], day: dt.date, table_id: int) -> list[ScheduledCase]:
    return [r for r in rows if r.day == day and r.table_id == table_id and not r.cancel_code]


def _ages(schedule: Schedule) -> dict[str, int]:
    return {c["id"]: c.get("age_days", 0) for c in schedule.problem.get("cases", [])}


def _insert(rows: list[ScheduledCase], ages: dict[str, int], turnover: int) -> None:
    """Put the case without a time into its youngest-first place on the table-day: the cases
    before it keep their times, the later ones move only as far as they must."""
    clock = 0
    for row in sorted(rows, key=lambda r: (ages.get(r.key, 0), r.start if r.start is not None else -1, r.key)):
        start = clock if row.start is None else max(row.start, clock)
        row.start, row.end = start, start + row.minutes
        clock = row.end + turnover


@dataclass
class Move:
    day: dt.date | None  # None: take the child off the schedule
    table_id: int | None = None
    surgeon_id: int | None = None


def move_case(*, case: ScheduledCase, move: Move, acting_user: Any) -> ScheduledCase:
    """Move a case to another day, table or surgeon (or off the schedule). The lists of the
    table-days it leaves and joins are put back in youngest-first order; the whole schedule
    is then checked against every rule, and the move is refused naming the broken ones."""
    schedule = _editable(case.schedule, acting_user)
    if case.cancel_code:
        raise ValidationError({"case": _("This child's case was cancelled.")})
    days = schedule.operating_days
    if move.day is not None and move.day not in days:
        raise ValidationError({"day": _("Choose one of the operating days.")})
    table_ids = {id_of(t["id"]) for t in schedule.problem["tables"]}
    if move.day is not None and move.table_id not in table_ids:
        raise ValidationError({"table": _("Choose one of the mission's tables.")})
    surgeon_ids = {id_of(s["id"]) for s in schedule.problem["surgeons"]}
    if move.surgeon_id is not None and move.surgeon_id not in surgeon_ids:
        raise ValidationError({"surgeon": _("Choose one of the team's surgeons.")})
    with transaction.atomic():
        rows = list(schedule.cases.select_for_update(of=("self",)).order_by("pk"))
        row = next(r for r in rows if r.visit_id == case.visit_id)
        old = (row.day, row.table_id, row.start, row.surgeon_id)
        # What the schedule already breaks is not this move's doing: only new breaks refuse it.
        broken_before = {
            (v["rule"], v["message"]) for v in solver.check(schedule.problem, solution_of(schedule, rows))["violations"]
        }
        ages = _ages(schedule)
        turnover = int(schedule.problem.get("turnover", 0))
        if move.day is None:
            row.day = row.table_id = row.start = row.end = row.anesthetist_id = None
            row.unscheduled_reason = "Taken off the schedule by hand"
            row.unscheduled_code = "by_hand"
            row.locked = False
        else:
            moving = (row.day, row.table_id) != (move.day, move.table_id)
            row.day, row.table_id = move.day, move.table_id
            row.surgeon_id = move.surgeon_id or row.surgeon_id
            row.unscheduled_reason = row.unscheduled_code = ""
            if row.surgeon_id is None:
                raise ValidationError({"surgeon": _("Choose the surgeon who operates.")})
            if moving:
                row.start = row.end = None
                _insert(_table_day(rows, row.day, row.table_id), ages, turnover)  # type: ignore[arg-type]
            if "anesthetists" in schedule.problem and (moving or row.anesthetist_id is None):
                row.anesthetist_id = _anesthetist_for(schedule, rows, row)
        solution = solution_of(schedule, rows)
        report = solver.check(schedule.problem, solution)
        new = [v for v in report["violations"] if (v["rule"], v["message"]) not in broken_before]
        if new:
            raise ValidationError({"case": explain(new, schedule, rows)})
        for r in rows:
            r.save(
                update_fields=[
                    "day",
                    "table",
                    "surgeon",
                    "anesthetist",
                    "start",
                    "end",
                    "unscheduled_reason",
                    "unscheduled_code",
                    "locked",
                ]
            )
        schedule.objective = report.get("objective")
        schedule.cost = report.get("cost", {})
        schedule.save(update_fields=["objective", "cost"])
        audit.record(
            instance=row,
            action=AuditEntry.Action.UPDATE,
            changes={"place": [_place(*old), _place(row.day, row.table_id, row.start, row.surgeon_id)]},
            acting_user=acting_user,
            target=schedule.mission,
        )
    return row


def explain(violations: list[dict[str, Any]], schedule: Schedule, rows: list[ScheduledCase]) -> list[str]:
    """The solver's broken rules told with the children's, tables' and people's names, in the
    reader's language (the solver's own messages speak in ids)."""
    by_key = {r.key: r for r in rows}
    tables = OperatingTable.objects.in_bulk([r.table_id for r in rows if r.table_id])
    people = volunteers_by_id(schedule)
    out: list[str] = []
    for v in violations:
        row = by_key.get(v.get("case") or "")
        if row is None or row.day is None:
            out.append(v["message"])
            continue
        names = {
            "child": row.visit.patient.full_name,
            "table": tables[row.table_id].name if row.table_id in tables else "",
            "day": date_format(row.day, "D d/m"),
        }
        rule = v["rule"]
        minutes = re.search(r"over by (\d+) minutes", v["message"])
        if rule in ("surgeon_minutes", "surgeon_overlap", "surgeon_procedure", "surgeon"):
            person = people.get(row.surgeon_id or 0)
        else:
            person = people.get(row.anesthetist_id or 0)
        names["person"] = person.full_name if person else ""
        names["minutes"] = minutes.group(1) if minutes else ""
        if rule == "table_capacity" and "closed" in v["message"]:
            message = _("%(table)s is closed on %(day)s.")
        elif rule == "table_capacity":
            message = _("%(table)s on %(day)s would run %(minutes)s minutes past the end of the day.")
        elif rule == "table_overlap":
            message = _("%(child)s would overlap another case on %(table)s on %(day)s.")
        elif rule == "youngest_first":
            message = _("%(child)s would not be in youngest-first order on %(table)s on %(day)s.")
        elif rule in ("surgeon_minutes", "anesthetist_minutes") and "absent" in v["message"]:
            message = _("%(person)s is not present on %(day)s.")
        elif rule in ("surgeon_minutes", "anesthetist_minutes"):
            message = _("%(person)s would work %(minutes)s minutes more than they are present on %(day)s.")
        elif rule in ("surgeon_overlap", "anesthetist_overlap"):
            message = _("%(person)s would be in two operations at once on %(day)s.")
        elif rule == "surgeon_procedure":
            message = _("%(person)s does not do this operation.")
        elif rule == "anesthetist":
            message = _("No anaesthesiologist is free for %(child)s at that time on %(day)s.")
        elif rule == "locked":
            message = _("%(child)s is locked in place.")
        else:
            out.append(v["message"])
            continue
        out.append(message % names)
    return out


def _anesthetist_for(schedule: Schedule, rows: list[ScheduledCase], row: ScheduledCase) -> int | None:
    """The anaesthetist already at that table that day, else one present and free at that time."""
    index = schedule.operating_days.index(row.day) if row.day else 0
    present = [id_of(a["id"]) for a in schedule.problem.get("anesthetists", []) if a["minutes"][index] > 0]
    at_table = Counter(
        r.anesthetist_id for r in rows if r is not row and r.day == row.day and r.table_id == row.table_id
    )
    busy = {
        r.anesthetist_id
        for r in rows
        if r is not row
        and r.day == row.day
        and None not in (r.start, r.end, row.start, row.end)
        and r.start < row.end  # type: ignore[operator]
        and row.start < r.end  # type: ignore[operator]
    }
    for volunteer_id, _n in at_table.most_common():
        if volunteer_id in present and volunteer_id not in busy:
            return volunteer_id
    return next((v for v in present if v not in busy), None)


def _place(day: dt.date | None, table_id: int | None, start: int | None, surgeon_id: int | None) -> str:
    if day is None:
        return "—"
    return f"{day.isoformat()} T{table_id} +{start} S{surgeon_id}"


def set_locked(*, case: ScheduledCase, locked: bool, acting_user: Any) -> ScheduledCase:
    """A locked case stays where it is when the schedule is built again or repaired."""
    if locked and case.day is None:
        raise ValidationError({"locked": _("Only a scheduled case can be locked.")})
    if case.locked != locked:
        case.locked = locked
        case.save(update_fields=["locked"])
        audit.record(
            instance=case,
            action=AuditEntry.Action.UPDATE,
            changes={"locked": [not locked, locked]},
            acting_user=acting_user,
            target=case.schedule.mission,
        )
    return case


def publish_schedule(*, schedule: Schedule, acting_user: Any) -> Schedule:
    """The draft becomes what the OR doors show; the schedule published before is replaced."""
    if schedule.status != Schedule.Status.DRAFT:
        raise ValidationError({"schedule": _("Only a draft can be published.")})
    with transaction.atomic():
        Mission.objects.select_for_update().filter(pk=schedule.mission_id).first()
        Schedule.objects.filter(mission_id=schedule.mission_id, status=Schedule.Status.PUBLISHED).update(
            status=Schedule.Status.REPLACED
        )
        schedule.status = Schedule.Status.PUBLISHED
        schedule.published_at = timezone.now()
        schedule.published_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        schedule.save(update_fields=["status", "published_at", "published_by"])
        _audit(
            schedule,
            {"status": [Schedule.Status.DRAFT.label, Schedule.Status.PUBLISHED.label]},
            acting_user,
            AuditEntry.Action.UPDATE,
        )
        # The operating days follow what is published: each child on it gets a surgical case.
        from cleftmission.surgery.services import sync_cases

        sync_cases(schedule=schedule, acting_user=acting_user)
    return schedule


def discard_draft(*, schedule: Schedule, acting_user: Any) -> None:
    if schedule.status != Schedule.Status.DRAFT:
        raise ValidationError({"schedule": _("Only a draft can be discarded.")})
    schedule.status = Schedule.Status.REPLACED
    schedule.save(update_fields=["status"])
    _audit(
        schedule,
        {"status": [Schedule.Status.DRAFT.label, Schedule.Status.REPLACED.label]},
        acting_user,
        AuditEntry.Action.UPDATE,
    )


# ---- repairs -----------------------------------------------------------------------------


def now_in(schedule: Schedule, at: dt.datetime | None = None) -> dict[str, int]:
    """Where the operating days stand now, as the solver's `now`: cases started before it stay."""
    days = schedule.operating_days
    local = timezone.localtime(at or timezone.now())
    mission = schedule.mission
    if local.date() < days[0]:
        return {"day": 0, "minute": 0}
    if local.date() > days[-1]:
        return {"day": len(days) - 1, "minute": mission.day_minutes}
    minute = (local.hour * 60 + local.minute) - (mission.day_start.hour * 60 + mission.day_start.minute)
    return {"day": days.index(local.date()), "minute": max(0, min(minute, mission.day_minutes))}


@dataclass
class Event:
    """One thing that changed, in the app's terms; `as_solver` gives the solver's event."""

    type: str  # cancel, duration, table_closed, surgeon_absent, add_case
    case: ScheduledCase | None = None
    minutes: int | None = None
    table_id: int | None = None
    day: dt.date | None = None
    from_minute: int = 0
    surgeon_id: int | None = None
    visit: ScreeningVisit | None = None
    cancel_code: str = ""
    cancel_note: str = ""

    def as_solver(self, schedule: Schedule) -> dict[str, Any]:
        days = schedule.operating_days
        if self.type == "cancel":
            assert self.case is not None
            return {"type": "cancel", "case": self.case.key}
        if self.type == "duration":
            assert self.case is not None and self.minutes is not None
            return {"type": "duration", "case": self.case.key, "minutes": self.minutes}
        if self.type == "table_closed":
            assert self.table_id is not None and self.day is not None
            return {
                "type": "table_closed",
                "table": table_key(self.table_id),
                "day": days.index(self.day),
                "from": self.from_minute,
            }
        if self.type == "surgeon_absent":
            assert self.surgeon_id is not None and self.day is not None
            return {"type": "surgeon_absent", "surgeon": surgeon_key(self.surgeon_id), "day": days.index(self.day)}
        if self.type == "add_case":
            assert self.visit is not None
            return {"type": "add_case", "case": _case(self.visit, days[0])}
        raise ValueError(self.type)


def summary(schedule: Schedule, rows: list[ScheduledCase], *, show_names: bool) -> list[str]:
    """What made this version, told in the reader's language from what is stored (the events
    a repair answered, the version an edit was copied from, what a build could not plan)."""
    tables = OperatingTable.objects.in_bulk([id_of(t["id"]) for t in schedule.problem.get("tables", [])])
    people = volunteers_by_id(schedule)
    lines: list[str] = []
    mission = schedule.mission
    by_key = {r.key: r for r in rows}
    days = schedule.operating_days

    def child(key: str) -> str:
        row = by_key.get(key)
        if row is None:
            return key
        return row.visit.patient.full_name if show_names else f"#{row.visit.queue_number}"

    def day(index: int) -> str:
        return date_format(days[index], "D d/m") if 0 <= index < len(days) else str(index)

    for event in schedule.events:
        kind = event.get("type")
        if kind == "cancel":
            row = by_key.get(event.get("case", ""))
            reason = row.get_cancel_code_display() if row is not None and row.cancel_code else ""
            lines.append(_("Cancelled %(child)s (%(reason)s)") % {"child": child(event["case"]), "reason": reason})
        elif kind == "duration":
            lines.append(
                _("%(child)s takes %(minutes)s minutes") % {"child": child(event["case"]), "minutes": event["minutes"]}
            )
        elif kind == "table_closed":
            table = tables.get(id_of(event["table"]) or 0)
            lines.append(
                _("%(table)s closed on %(day)s from %(time)s")
                % {
                    "table": table.name if table else event["table"],
                    "day": day(event["day"]),
                    "time": clock_time(mission, event.get("from", 0)),
                }
            )
        elif kind == "surgeon_absent":
            surgeon = people.get(id_of(event["surgeon"]) or 0)
            lines.append(
                _("%(surgeon)s absent on %(day)s")
                % {"surgeon": surgeon.full_name if surgeon else event["surgeon"], "day": day(event["day"])}
            )
        elif kind == "add_case":
            lines.append(_("Added %(child)s") % {"child": child(event["case"]["id"])})
    if schedule.kind == Schedule.Kind.EDITED and schedule.based_on_id:
        based_on = Schedule.objects.filter(pk=schedule.based_on_id).values_list("number", flat=True).first()
        lines.append(_("Copied from version %(n)s to change it") % {"n": based_on})
    if "anesthetists" not in schedule.problem:
        lines.append(_("No anaesthesiologist is on the team: the schedule does not plan their days."))
    return lines


# What each part of the cost counts, told with its number (ngettext_lazy picks by "n").
COST_PARTS = (
    (
        "unscheduled",
        ngettext_lazy("%(points)s for %(n)s child not operated", "%(points)s for %(n)s children not operated", "n"),
    ),
    (
        "delay",
        ngettext_lazy(
            "%(points)s for %(n)s day of waiting past the first possible day",
            "%(points)s for %(n)s days of waiting past the first possible day",
            "n",
        ),
    ),
    (
        "open_table",
        ngettext_lazy(
            "%(points)s for %(n)s table opened for a day", "%(points)s for %(n)s tables opened for a day", "n"
        ),
    ),
    (
        "surgeon_transfer",
        ngettext_lazy(
            "%(points)s for %(n)s time a surgeon changes tables in a day",
            "%(points)s for %(n)s times a surgeon changes tables in a day",
            "n",
        ),
    ),
)


def cost_parts(schedule: Schedule, unoperated: int) -> list[str]:
    """What the schedule's cost adds up, one phrase per part that is not zero, told with what
    it counts ("600 for 3 children not operated"), so a coordinator can read the number.
    Each child left out counts their own priority, so their number is `unoperated`; the other
    parts are a weight times what they count."""
    cost = schedule.cost or {}
    weights = {**WEIGHTS, **schedule.problem.get("weights", {})}
    parts = []
    for part, phrase in COST_PARTS:
        points = int(cost.get(part) or 0)
        if points:
            n = unoperated if part == "unscheduled" else points // max(1, int(weights[part]))
            parts.append(str(phrase % {"n": n, "points": points}))
    return parts


def repair(
    *,
    schedule: Schedule,
    events: list[Event],
    acting_user: Any,
    time_limit: float = REPAIR_SECONDS,
    now: dict[str, int] | None = None,
) -> Schedule:
    """Apply what changed to the schedule and let the solver move as few published cases as
    it can; the result is a new draft to look at before publishing."""
    if schedule.status == Schedule.Status.REPLACED:
        raise ValidationError({"schedule": _("This version has been replaced: repair the current one.")})
    if not events:
        raise ValidationError({"events": _("Say what changed.")})
    rows = list(schedule.cases.select_related("visit__patient"))
    carried = {r.visit_id: r for r in rows}
    now = now or now_in(schedule)
    days = schedule.operating_days
    for event in events:
        if (
            event.type in ("table_closed", "surgeon_absent")
            and event.day in days
            and days.index(event.day) < now["day"]
        ):
            raise ValidationError({"day": _("That operating day has passed: choose today or a later one.")})
        if (
            event.type == "duration"
            and event.case is not None
            and event.case.day in days
            and days.index(event.case.day) < now["day"]
        ):
            raise ValidationError(
                {"minutes": _("This child was operated on a day that has passed: the minutes can no longer change.")}
            )
        if event.type == "cancel" and event.case is not None:
            if not event.cancel_code or event.cancel_code not in DeferralCode.values:
                raise ValidationError({"cancel_code": _("Choose the reason for the cancellation.")})
            if event.cancel_code == DeferralCode.OTHER and not event.cancel_note.strip():
                raise ValidationError({"cancel_note": _("Say why, for the reason “Other”.")})
            row = carried[event.case.visit_id]
            row.cancel_code, row.cancel_note = event.cancel_code, event.cancel_note.strip()
        if event.type == "duration" and (event.minutes is None or not 5 <= event.minutes <= 900):
            raise ValidationError({"minutes": _("Give the case's minutes, between 5 and 900.")})
        if event.type in ("table_closed", "surgeon_absent") and event.day not in schedule.operating_days:
            raise ValidationError({"day": _("Choose one of the operating days.")})
        if event.type == "table_closed" and not 0 <= event.from_minute <= schedule.mission.day_minutes:
            raise ValidationError({"from_minute": _("The table closes within the operating day.")})
        if event.type == "add_case" and event.visit is not None and event.visit.pk in carried:
            raise ValidationError({"visit": _("This child is on the schedule already.")})
    _fix_locked(schedule.problem, carried, schedule.operating_days)
    payload: dict[str, Any] = {"now": now, "events": [e.as_solver(schedule) for e in events]}
    try:
        solution = solver.repair(schedule.problem, solution_of(schedule, rows), payload, time_limit=time_limit)
        problem = solver.apply_events(schedule.problem, payload)
    except solver.ProblemError as error:
        raise ValidationError({"events": str(error)}) from error
    return _save(
        mission=schedule.mission,
        problem=problem,
        days=schedule.operating_days,
        solution=solution,
        kind=Schedule.Kind.REPAIRED,
        based_on=schedule,
        events=payload["events"],
        carried=carried,
        acting_user=acting_user,
    )


def children_not_on(schedule: Schedule) -> list[ScreeningVisit]:
    """Children accepted since the schedule was made: a repair can add them."""
    on = set(schedule.cases.values_list("visit_id", flat=True))
    return [v for v in accepted_visits(schedule.mission) if v.pk not in on]


def volunteers_by_id(schedule: Schedule) -> dict[int, Volunteer]:
    ids = {id_of(s["id"]) for s in schedule.problem.get("surgeons", [])} | {
        id_of(a["id"]) for a in schedule.problem.get("anesthetists", [])
    }
    return Volunteer.objects.in_bulk([i for i in ids if i is not None])
