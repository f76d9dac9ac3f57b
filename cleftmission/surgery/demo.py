"""Demo: the operating days and after.

- The mission in its operating days (core.demo.make_operating_mission): yesterday's lists are
  done (children discharged, or on the ward after a palate repair), today's are under way at
  every milestone (a case in the operating room on each table, at its own step; the next
  children called, in holding, identity checked; the one before in recovery; the rest still
  planned), and one child has a fever: cancelled, the repaired schedule waits as a draft.
  Written through the real services (audited), each stamp at its time, as the nurses would;
  the recorded-at clocks are then set to those times. The mission's operating hours begin
  three and a half hours before the demo is loaded (core.demo), so that whenever it is
  loaded its day is under way; late at night the lists stand as they stood four hours in.
- The closed missions: their operated children get their operations (planned and actual
  times, the WHO checklist, operative note, anaesthesia record), discharge and follow-up
  visits, most seen with outcomes, some missed, some overdue; about 2 % have a complication.
  History loaded by the system: written in bulk, without audit entries (as core.demo).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.scheduling.services import TURNOVER_MINUTES
from cleftmission.screening.models import Procedure, ScreeningVisit
from cleftmission.surgery import checklist, milestones, services
from cleftmission.surgery.models import (
    AnesthesiaRecord,
    CareNote,
    ChecklistPhase,
    Complication,
    Discharge,
    Milestone,
    OperativeNote,
    SurgicalCase,
)
from cleftmission.volunteers.models import MissionMember, MissionRole

MINUTE = dt.timedelta(minutes=1)

# How long each operation really takes against its planning minutes: what the planning times
# page finds (a palate repair runs long, a revision short).
PACE = {"lip_uni": 0.98, "lip_bi": 1.0, "palate": 1.08, "revision": 0.88, "fistula": 1.0, "bone_graft": 1.05}
# Nights in hospital after each (Operation Smile Philippines: lip about 24 h, palate about 48 h).
NIGHTS = {"lip_uni": 1, "lip_bi": 1, "palate": 2, "revision": 0, "fistula": 2, "bone_graft": 2}

TECHNIQUE = {
    "lip_uni": "Tạo hình môi theo Millard cải tiến, khâu cơ vòng môi ba lớp.",
    "lip_bi": "Tạo hình môi hai bên theo Mulliken, một thì.",
    "palate": "Tạo hình vòm miệng theo Furlow (Z-plasty kép), khâu màn hầu.",
    "revision": "Chỉnh sửa sẹo môi, nâng cánh mũi.",
    "fistula": "Vá lỗ rò vòm miệng hai lớp.",
    "bone_graft": "Ghép xương xốp mào chậu vào khe hở cung răng.",
}
FINDINGS = ["Không có biến cố.", "Mất máu ít, khoảng 10 ml.", "Cầm máu tốt.", "Mô tại chỗ mềm mại, đủ để khâu kín."]
INSTRUCTIONS = {
    "lip": (
        "Cho bé ăn bằng thìa hoặc bình sữa đầu mềm trong 2 tuần. Giữ vết mổ sạch, bôi thuốc mỡ ngày 2 lần. "
        "Không để bé cho tay hay đồ chơi vào miệng. Tái khám sau 1 tuần để cắt chỉ.",
        "Spoon- or soft-teat-feed for 2 weeks. Keep the wound clean, ointment twice a day. Keep hands and toys "
        "away from the mouth. Come back in one week to remove the stitches.",
    ),
    "palate": (
        "Chỉ cho bé ăn thức ăn lỏng, mềm trong 3 tuần; súc miệng bằng nước sau khi ăn. Không dùng ống hút, "
        "không cho bé ngậm đồ vật cứng. Đưa bé đến viện ngay nếu chảy máu miệng hoặc sốt cao.",
        "Liquid and soft food only for 3 weeks; rinse with water after meals. No straws or hard objects in the "
        "mouth. Come back at once for bleeding from the mouth or a high fever.",
    ),
}


def _answers(phase: str) -> dict[str, str]:
    """Every item of the phase answered: confirmed, no risk, nothing to label or display."""
    na = {"specimen_labelled", "imaging_displayed"}
    return {i.code: checklist.NOT_APPLICABLE if i.code in na else i.answers[0] for i in checklist.ITEMS[phase]}


def _main(procedures: Iterable[Procedure]) -> Procedure | None:
    return max(procedures, key=lambda p: (p.planning_minutes, p.code), default=None)


def _surgeon_pace(volunteer_id: int | None) -> float:
    """Each surgeon's own pace, 0.90 to 1.14, the same on every mission."""
    return 0.9 + ((volunteer_id or 0) * 37 % 25) / 100


def _actual_minutes(rng: random.Random, code: str, planned: int, surgeon_id: int | None) -> int:
    factor = PACE.get(code, 1.0) * _surgeon_pace(surgeon_id) * rng.lognormvariate(0, 0.08)
    return max(50, round(planned * factor))


def _timeline(rng: random.Random, in_or: dt.datetime, minutes: int) -> dict[str, dt.datetime]:
    """A case's stamps around its time in the operating room (`minutes` from in OR to recovery)."""
    return {
        milestones.CALLED: in_or - rng.randint(40, 55) * MINUTE,
        milestones.HOLDING: in_or - rng.randint(20, 30) * MINUTE,
        milestones.IDENTITY_CHECKED: in_or - rng.randint(8, 15) * MINUTE,
        milestones.IN_OR: in_or,
        milestones.ANESTHESIA_START: in_or + rng.randint(3, 8) * MINUTE,
        milestones.INCISION: in_or + rng.randint(18, 28) * MINUTE,
        milestones.SURGERY_END: in_or + (minutes - rng.randint(6, 12)) * MINUTE,
        milestones.RECOVERY: in_or + minutes * MINUTE,
        milestones.WARD: in_or + (minutes + rng.randint(65, 80)) * MINUTE,
    }


# ---- the mission in its operating days ---------------------------------------------------------


@dataclass
class Walk:
    """What happened to one case: its stamps, and the phases signed early (a Time Out signed
    while the child is under anaesthesia, before the incision)."""

    case: SurgicalCase
    times: dict[str, dt.datetime]
    last: str | None  # the last milestone reached
    extra_phases: list[str] = field(default_factory=list)


def _walk(case: SurgicalCase, walk: Walk, user: Any) -> None:
    """Stamp the case up to `walk.last` through the services, signing each phase when needed."""
    if walk.last is None:
        return
    for milestone in milestones.ORDER[: milestones.ORDER.index(walk.last) + 1]:
        phase = milestones.NEEDS_PHASE.get(milestone)
        if phase is not None:
            services.sign_phase(case=case, phase=phase, answers=_answers(phase), acting_user=user)
        services.record_milestone(case=case, milestone=milestone, at=walk.times[milestone], acting_user=user)
    for phase in walk.extra_phases:
        services.sign_phase(case=case, phase=phase, answers=_answers(phase), acting_user=user)


def _notes(rng: random.Random, case: SurgicalCase, last: str | None, user: Any) -> None:
    """What the team writes as the case goes: anaesthesia record, operative note, care notes."""
    if last is None or milestones.ORDER.index(last) < milestones.ORDER.index(milestones.ANESTHESIA_START):
        return
    reached = milestones.ORDER.index(last)
    services.save_anesthesia_record(
        case=case,
        data={
            "asa": rng.choice([1, 1, 2]),
            "airway": AnesthesiaRecord.Airway.ETT,
            "agents": "Sevoflurane, fentanyl, propofol",
            "events": "" if rng.random() < 0.85 else "Co thắt thanh quản thoáng qua khi rút ống, xử trí tốt.",
        },
        acting_user=user,
    )
    if reached >= milestones.ORDER.index(milestones.SURGERY_END):
        procedures = list(case.procedures.all())
        main = _main(procedures)
        services.save_operative_note(
            case=case,
            procedures=procedures,
            technique=TECHNIQUE.get(main.code if main else "", ""),
            surgeon=case.surgeon,
            assistant=None,
            findings=rng.choice(FINDINGS),
            acting_user=user,
        )
    if reached >= milestones.ORDER.index(milestones.RECOVERY):
        services.add_care_note(
            case=case,
            kind=CareNote.Kind.RECOVERY,
            text=rng.choice(["Tỉnh, thở êm, SpO2 98 %.", "Tỉnh, quấy nhẹ; đã giảm đau.", "Tỉnh, bú được ít nước."]),
            acting_user=user,
        )
    if reached >= milestones.ORDER.index(milestones.WARD):
        services.add_care_note(
            case=case,
            kind=CareNote.Kind.WARD,
            text=rng.choice(["Ăn uống được, vết mổ khô.", "Sốt nhẹ 37,8 °C, theo dõi.", "Ngủ yên, mẹ bên cạnh."]),
            acting_user=user,
        )


def _lists(cases: Iterable[SurgicalCase]) -> dict[tuple[dt.date, int], list[SurgicalCase]]:
    lists: dict[tuple[dt.date, int], list[SurgicalCase]] = defaultdict(list)
    for case in cases:
        lists[case.day, case.table_id or 0].append(case)
    for cases_on in lists.values():
        cases_on.sort(key=lambda c: c.planned_start)
    return dict(sorted(lists.items(), key=lambda item: (item[0][0], item[1][0].table.name if item[1][0].table else "")))


def _code(case: SurgicalCase) -> str:
    main = _main(case.procedures.all())
    return main.code if main else ""


def _yesterday(rng: random.Random, table: list[SurgicalCase]) -> list[Walk]:
    """A list done from end to end: each case after the one before and its turnover."""
    walks = []
    free = table[0].planned_start
    for case in table:
        in_or = max(case.planned_start + rng.randint(-5, 10) * MINUTE, free)
        minutes = _actual_minutes(rng, _code(case), case.planned_minutes, case.surgeon_id)
        times = _timeline(rng, in_or, minutes)
        walks.append(Walk(case, times, milestones.WARD))
        free = times[milestones.RECOVERY] + rng.randint(TURNOVER_MINUTES, TURNOVER_MINUTES + 10) * MINUTE
    return walks


# The next child on a list: called, in holding or identity checked.
NEXT = [milestones.IDENTITY_CHECKED, milestones.HOLDING, milestones.CALLED]


def _in_room(rng: random.Random, case: SurgicalCase, state: str, at: dt.datetime) -> Walk:
    """The case in the operating room at `at`, at `state`: in when planned (a few minutes
    late) if that fits the state, else as long ago as the state needs."""
    minutes = _actual_minutes(rng, _code(case), case.planned_minutes, case.surgeon_id)
    lowest, highest = {
        milestones.IN_OR: (1, 2),
        milestones.ANESTHESIA_START: (10, 14),
        milestones.INCISION: (30, minutes - 14),
        milestones.SURGERY_END: (minutes - 5, minutes - 1),
    }[state]
    as_planned = (at - case.planned_start).total_seconds() // 60 - rng.randint(0, 8)
    went_in = int(min(max(as_planned, lowest), highest))
    times = _timeline(rng, at - went_in * MINUTE, minutes)
    # under anaesthesia, the team has done its Time Out: the incision comes next
    extra = [checklist.TIME_OUT] if state == milestones.ANESTHESIA_START else []
    return Walk(case, times, state, extra)


def _next_up(case: SurgicalCase, state: str, at: dt.datetime, in_or: dt.datetime) -> Walk:
    before = {milestones.CALLED: [8], milestones.HOLDING: [25, 6], milestones.IDENTITY_CHECKED: [35, 20, 4]}[state]
    times = {m: at - b * MINUTE for m, b in zip(milestones.ORDER, before, strict=False)}
    times[milestones.IN_OR] = in_or
    return Walk(case, times, state)


def _today(rng: random.Random, lists: list[list[SurgicalCase]], at: dt.datetime) -> list[Walk]:
    """Today's lists as they stand at `at`: on each table the case planned at that moment is
    in the operating room (the one furthest into its time at the end of surgery, the next past
    its incision, then under anaesthesia, then just in), the ones before it done (the last of
    them in recovery or back on the ward), the next child on its way, the rest planned."""
    walks: list[Walk] = []
    if not lists:
        return walks
    positions = []
    for table in lists:
        started = [i for i, c in enumerate(table) if c.planned_start <= at]
        positions.append(min(started[-1] if started else 0, len(table) - 1))
    if not any(positions):  # a child done before, to be in recovery
        longest = max(range(len(lists)), key=lambda t: len(lists[t]))
        positions[longest] = min(1, len(lists[longest]) - 1)
    order = sorted(range(len(lists)), key=lambda t: at - lists[t][positions[t]].planned_start, reverse=True)
    states = [milestones.SURGERY_END, milestones.INCISION, milestones.ANESTHESIA_START, milestones.IN_OR]
    next_states = iter(NEXT)
    for rank, t in enumerate(order):
        table, current = lists[t], positions[t]
        walk = _in_room(rng, table[current], states[rank % len(states)], at)
        walks.append(walk)
        # backwards from it: each case before left the room a turnover before the next went in
        went_in = walk.times[milestones.IN_OR]
        for case in reversed(table[:current]):
            minutes = _actual_minutes(rng, _code(case), case.planned_minutes, case.surgeon_id)
            recovery = went_in - rng.randint(TURNOVER_MINUTES, TURNOVER_MINUTES + 5) * MINUTE
            times = _timeline(rng, recovery - minutes * MINUTE, minutes)
            walks.append(Walk(case, times, milestones.WARD if times[milestones.WARD] <= at else milestones.RECOVERY))
            went_in = times[milestones.IN_OR]
        if current + 1 < len(table):
            following = next(next_states, None)
            if following is not None:
                due = walk.times[milestones.RECOVERY] + TURNOVER_MINUTES * MINUTE
                walks.append(_next_up(table[current + 1], following, at, max(due, at + 5 * MINUTE)))
    if not any(w.last == milestones.RECOVERY for w in walks):
        # the child who left an operating room last is still in recovery
        done = [w for w in walks if w.last == milestones.WARD]
        if done:
            max(done, key=lambda w: w.times[milestones.RECOVERY]).last = milestones.RECOVERY
    return walks


def _discharge(case: SurgicalCase, day: dt.date, user: Any) -> None:
    code = _code(case)
    vi, en = INSTRUCTIONS["palate" if code in PALATE_LIKE else "lip"]
    services.record_discharge(case=case, date=day, instructions_vi=vi, instructions_en=en, acting_user=user)


@dataclass
class OperatingDay:
    reached: dict[str, int]  # last milestone → cases
    cancelled: SurgicalCase | None
    draft: Any  # the repaired schedule waiting, a scheduling.Schedule


def walk_operating_days(mission: Mission, now: dt.datetime | None = None, seed: int = 31) -> OperatingDay:
    """Walk the mission's published cases to where they stand now (see the module's docstring)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    yesterday = today - dt.timedelta(days=1)
    User = get_user_model()
    nurse = User.objects.filter(username="clinician").first()
    coordinator = User.objects.filter(username="coordinator").first()
    cases = list(
        SurgicalCase.objects.filter(mission=mission)
        .exclude(status=SurgicalCase.Status.CANCELLED)
        .select_related("table", "visit__patient")
        .prefetch_related(Prefetch("procedures", queryset=Procedure.objects.order_by("-planning_minutes", "code")))
    )
    lists = _lists(cases)
    # The moment today's lists are drawn at: now, three to four hours into the operating day
    # (core.demo sets its hours around the time the demo is loaded); late at night, when the
    # day's hours cannot follow, four hours in, and the lists stand as they stood then.
    start = timezone.make_aware(dt.datetime.combine(today, mission.day_start))
    at = min(max(now, start + dt.timedelta(hours=3)), start + dt.timedelta(hours=4))
    back = max(at - now, dt.timedelta(0))

    walks = [w for (day, _t), table in lists.items() if day == yesterday for w in _yesterday(rng, table)]
    today_walks = _today(rng, [table for (day, _t), table in lists.items() if day == today], at)
    for walk in today_walks:
        walk.times = {m: t - back for m, t in walk.times.items()}
    with transaction.atomic():
        for walk in [*walks, *today_walks]:
            _walk(walk.case, walk, nurse)
            _notes(rng, walk.case, walk.last, nurse)
        # Yesterday's children: after a revision home the same evening, after a lip repair this
        # morning; after a palate repair a second night on the ward (one child stays whatever).
        leaving = [w for w in walks if NIGHTS.get(_code(w.case), 1) <= 1]
        if len(leaving) == len(walks) and leaving:
            leaving.pop()  # a second night for one child: the ward is never empty
        for walk in leaving:
            ward = timezone.localtime(walk.times[milestones.WARD])
            # home the same evening (17:00) when back on the ward before half past four
            same_day = NIGHTS.get(_code(walk.case), 1) == 0 and ward < _aware(yesterday, dt.time(16, 30))
            _discharge(walk.case, yesterday if same_day else today, nurse)
        # A child on today's list not yet called has a fever: cancelled, the schedule repaired.
        stamped = {w.case.pk for w in today_walks}
        waiting = [c for (day, _t), table in lists.items() if day == today for c in table if c.pk not in stamped]
        waiting = waiting or [c for (day, _t), table in lists.items() if day > today for c in table]
        cancelled = waiting[-1] if waiting else None
        draft = None
        if cancelled is not None:
            draft = services.cancel_case(
                case=cancelled, code="FEVER", note="Sốt 38,6 °C sáng nay (demo)", acting_user=coordinator
            )
        _set_clocks(mission, [*walks, *today_walks])
    return OperatingDay(reached=where_cases_stand(mission), cancelled=cancelled, draft=draft)


def where_cases_stand(mission: Mission) -> dict[str, int]:
    """How many of the mission's cases have reached each milestone last ("planned": none yet;
    "cancelled")."""
    latest: dict[int, str] = {}
    for case_id, kind in Milestone.objects.filter(case__mission=mission).values_list("case_id", "kind"):
        if case_id not in latest or milestones.ORDER.index(kind) > milestones.ORDER.index(latest[case_id]):
            latest[case_id] = kind
    counts: dict[str, int] = defaultdict(int)
    for pk, status in SurgicalCase.objects.filter(mission=mission).values_list("pk", "status"):
        counts["cancelled" if status == SurgicalCase.Status.CANCELLED else latest.get(pk, "planned")] += 1
    return {key: counts[key] for key in ["planned", *milestones.ORDER, "cancelled"] if counts[key]}


def _set_clocks(mission: Mission, walks: list[Walk]) -> None:
    """The services record the moment they run; set each record's clock to when it was done."""
    Milestone.objects.filter(case__mission=mission).update(recorded_at=F("at"))
    needs = {phase: milestone for milestone, phase in milestones.NEEDS_PHASE.items()}
    for walk in walks:
        if walk.last is None:
            continue
        latest = walk.times[walk.last]
        for phase in ChecklistPhase.objects.filter(case=walk.case):
            before = walk.times.get(needs[phase.phase], latest)
            # a phase signed ahead (the Time Out under anaesthesia) was signed after the last stamp
            ChecklistPhase.objects.filter(pk=phase.pk).update(signed_at=min(before - 3 * MINUTE, latest + 2 * MINUTE))
        end = walk.times.get(milestones.SURGERY_END)
        if end is not None and walk.last and walk.times.get(walk.last, end) >= end:
            OperativeNote.objects.filter(case=walk.case).update(recorded_at=end + 10 * MINUTE)
        if walk.times.get(milestones.ANESTHESIA_START):
            AnesthesiaRecord.objects.filter(case=walk.case).update(
                recorded_at=walk.times.get(milestones.RECOVERY, walk.times[milestones.ANESTHESIA_START])
            )
        for note in CareNote.objects.filter(case=walk.case):
            where = milestones.RECOVERY if note.kind == CareNote.Kind.RECOVERY else milestones.WARD
            if where in walk.times:
                CareNote.objects.filter(pk=note.pk).update(recorded_at=walk.times[where] + 20 * MINUTE)


# ---- the closed missions' operations ----------------------------------------------------------

# Of the follow-up visits long past, the share seen (the one-year visit reaches fewer: DOMAIN.md).
SEEN = {"1w": 0.85, "3m": 0.65, "1y": 0.45}
# A visit due this recently may still wait for its call; older ones were closed, but a few.
RECENT = dt.timedelta(days=45)
FORGOTTEN = 0.03
# About 2 % of operations (Operation Smile: 0.8 %; a small programme records more).
COMPLICATION_RATE = 0.02
K = Complication.Kind
COMPLICATIONS = {
    "palate": [(K.FISTULA, 5), (K.PALATAL_DEHISCENCE, 2), (K.FLAP_NECROSIS, 1), (K.LOWER_RESPIRATORY_INFECTION, 1)],
    "lip": [(K.DEHISCENCE, 3), (K.INFECTION_RETURN, 2), (K.BLEEDING_RETURN, 1)],
}
PALATE_LIKE = {"palate", "fistula", "bone_graft"}
SEEN_, MISSED, PLANNED = FollowUpVisit.Status.SEEN, FollowUpVisit.Status.MISSED, FollowUpVisit.Status.PLANNED


def _aware(day: dt.date, time: dt.time, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time)) + minutes * MINUTE


def _planned(visit: ScreeningVisit) -> int:
    decision = getattr(visit, "decision", None)
    if decision is None:
        return 90
    return decision.estimated_minutes or sum(p.planning_minutes for p in decision.procedures.all()) or 90


def record_past_operations(today: dt.date | None = None, seed: int = 43) -> int:
    """The closed missions' operated children: their operations, discharge and follow-up, in
    bulk (see the module's docstring). Returns the number of operations written."""
    from cleftmission.screening.demo import _median_weight

    rng = random.Random(seed)
    today = today or timezone.localdate()
    missions = list(Mission.objects.filter(phase=Mission.Phase.CLOSED).order_by("start_date", "pk"))
    visits: dict[int, list[ScreeningVisit]] = defaultdict(list)
    for visit in (
        ScreeningVisit.objects.filter(
            mission__in=missions, outcome=ScreeningVisit.Outcome.OPERATED, surgical_case__isnull=True
        )
        .select_related("patient", "decision")
        .prefetch_related(
            Prefetch("decision__procedures", queryset=Procedure.objects.order_by("-planning_minutes", "code"))
        )
        .order_by("pk")
    ):
        visits[visit.mission_id].append(visit)
    tables: dict[int, list[OperatingTable]] = defaultdict(list)
    for site_table in OperatingTable.objects.filter(active=True).order_by("name", "pk"):
        tables[site_table.site_id].append(site_table)
    surgeons: dict[int, list[int]] = defaultdict(list)
    anesthetists: dict[int, list[int]] = defaultdict(list)
    for mission_id, volunteer_id, role in MissionMember.objects.filter(
        mission__in=missions, role__in=[MissionRole.PLASTIC_SURGEON, MissionRole.ANESTHESIOLOGIST]
    ).values_list("mission_id", "volunteer_id", "role"):
        (surgeons if role == MissionRole.PLASTIC_SURGEON else anesthetists)[mission_id].append(volunteer_id)

    cases: list[SurgicalCase] = []
    plans: list[tuple[list[Procedure], dict[str, dt.datetime], dt.date]] = []
    for mission in missions:
        days = mission.operating_days or [mission.end_date]
        # as many tables as the children need (a table more when they did not fit), each day 90 % full at most
        needed = sum(_planned(v) + TURNOVER_MINUTES for v in visits[mission.pk])
        count_tables = max(mission.tables_per_day, math.ceil(needed / (0.9 * mission.day_minutes * len(days))))
        on_site: list[OperatingTable | None] = [*tables[mission.site_id][:count_tables]] or [None]
        operators: list[int | None] = [*surgeons[mission.pk]] or [None]
        sleepers: list[int | None] = [*anesthetists[mission.pk]] or [None]
        used: dict[tuple[int, int], int] = {(d, t): 0 for d in range(len(days)) for t in range(len(on_site))}
        free: dict[tuple[int, int], dt.datetime] = {}
        count: dict[tuple[int, int], int] = defaultdict(int)
        # youngest first on each list (fasting), the lists filled day by day
        for visit in sorted(visits[mission.pk], key=lambda v: (-v.patient.date_of_birth.toordinal(), v.pk)):
            decision = getattr(visit, "decision", None)
            procedures = list(decision.procedures.all()) if decision is not None else []
            planned = _planned(visit)
            # the first day with room on a table, else the table with the most room left
            slot = min(
                used,
                key=lambda k: (
                    used[k] + planned > mission.day_minutes,
                    used[k] if used[k] + planned > mission.day_minutes else 0,
                    k[0],
                    used[k],
                    k[1],
                ),
            )
            day, table = days[slot[0]], on_site[slot[1]]
            planned_start = _aware(day, mission.day_start, used[slot])
            used[slot] += planned + TURNOVER_MINUTES
            count[slot] += 1
            surgeon = operators[slot[1] % len(operators)]
            main = _main(procedures)
            code = main.code if main else ""
            in_or = max(planned_start + rng.randint(-5, 10) * MINUTE, free.get(slot, planned_start))
            times = _timeline(rng, in_or, _actual_minutes(rng, code, planned, surgeon))
            free[slot] = times[milestones.RECOVERY] + rng.randint(TURNOVER_MINUTES, TURNOVER_MINUTES + 10) * MINUTE
            nights = NIGHTS.get(code, 1)
            home = day + dt.timedelta(days=nights)
            times[milestones.DISCHARGED] = max(
                _aware(home, dt.time(16, 30) if nights == 0 else dt.time(9, 0), rng.randint(0, 90)),
                times[milestones.WARD] + 30 * MINUTE,
            )
            cases.append(
                SurgicalCase(
                    visit=visit,
                    mission=mission,
                    day=day,
                    table=table,
                    order=count[slot],
                    planned_start=planned_start,
                    planned_minutes=planned,
                    surgeon_id=surgeon,
                    anesthetist_id=sleepers[slot[1] % len(sleepers)],
                    status=SurgicalCase.Status.DISCHARGED,
                )
            )
            plans.append((procedures, times, timezone.localtime(times[milestones.DISCHARGED]).date()))
    SurgicalCase.objects.bulk_create(cases, batch_size=500)

    case_procedures: list[Any] = []
    stamps: list[Milestone] = []
    phases: list[ChecklistPhase] = []
    notes: list[OperativeNote] = []
    records: list[AnesthesiaRecord] = []
    discharges: list[Discharge] = []
    follow_ups: list[FollowUpVisit] = []
    complications: list[Complication] = []
    # which operations had a complication: 2 % of them, more after a palate repair (a fistula
    # is the commonest complication of cleft surgery)
    palates = [
        i for i, (procedures, _t, _h) in enumerate(plans) if (_main(procedures) or Procedure()).code in PALATE_LIKE
    ]
    lips = sorted(set(range(len(cases))) - set(palates))
    quota = round(len(cases) * COMPLICATION_RATE)
    after_palate = min(len(palates), round(quota * 0.6))
    complicated = {*rng.sample(palates, after_palate), *rng.sample(lips, min(len(lips), quota - after_palate))}
    for index, (case, (procedures, times, home)) in enumerate(zip(cases, plans, strict=True)):
        main = _main(procedures)
        code = main.code if main else ""
        case_procedures += [
            SurgicalCase.procedures.through(surgicalcase_id=case.pk, procedure_id=p.pk) for p in procedures
        ]
        stamps += [Milestone(case=case, kind=kind, at=at, recorded_at=at) for kind, at in times.items()]
        for milestone, phase in milestones.NEEDS_PHASE.items():
            phases.append(
                ChecklistPhase(case=case, phase=phase, answers=_answers(phase), signed_at=times[milestone] - 3 * MINUTE)
            )
        notes.append(
            OperativeNote(
                case=case,
                technique=TECHNIQUE.get(code, ""),
                surgeon_id=case.surgeon_id,
                findings=rng.choice(FINDINGS),
                recorded_at=times[milestones.SURGERY_END] + 10 * MINUTE,
            )
        )
        records.append(
            AnesthesiaRecord(
                case=case,
                asa=rng.choice([1, 1, 2]),
                airway=AnesthesiaRecord.Airway.ETT,
                agents="Sevoflurane, fentanyl, propofol",
                recorded_at=times[milestones.RECOVERY],
            )
        )
        vi, en = INSTRUCTIONS["palate" if code in PALATE_LIKE else "lip"]
        discharges.append(
            Discharge(
                case=case, date=home, instructions_vi=vi, instructions_en=en, recorded_at=times[milestones.DISCHARGED]
            )
        )
        complication = None
        if index in complicated:
            kinds = COMPLICATIONS["palate" if code in PALATE_LIKE else "lip"]
            what = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
            later = rng.randint(20, 80) if what == K.FISTULA else rng.randint(0, 6)
            occurred = min(case.day + dt.timedelta(days=later), today)
            complication = Complication(
                case=case, kind=what, occurred_on=occurred, recorded_at=_aware(occurred, dt.time(10, 0))
            )
            complications.append(complication)
        patient = case.visit.patient
        for kind, after in services.FOLLOW_UP_PLAN:
            due = home + dt.timedelta(days=after)
            row = FollowUpVisit(case=case, kind=kind, due_date=due, recorded_at=_aware(home, dt.time(11, 0)))
            if due < today:
                draw = rng.random()
                if today - due <= RECENT:
                    row.status = SEEN_ if draw < 0.55 else MISSED if draw < 0.6 else PLANNED
                elif rng.random() < FORGOTTEN:
                    row.status = PLANNED
                else:
                    row.status = SEEN_ if draw < SEEN[kind] else MISSED
            if row.status == FollowUpVisit.Status.SEEN:
                seen = min(today, max(home + dt.timedelta(days=1), due + dt.timedelta(days=rng.randint(-3, 10))))
                age = (seen - patient.date_of_birth).days
                row.seen_on = seen
                row.recorded_at = _aware(seen, dt.time(15, 0))
                row.weight_kg = Decimal(_median_weight(age) * rng.uniform(0.85, 1.1)).quantize(Decimal("0.1"))
                row.wound_healed = not (complication is not None and complication.kind == K.DEHISCENCE)
                row.photos_taken = rng.random() < 0.7
                if code in PALATE_LIKE:
                    row.fistula = complication is not None and complication.kind == K.FISTULA and kind != "1w"
                    if kind == "1y":
                        row.velopharyngeal_competence = rng.choice([0, 0, 0, 1, 1, 2])
                        row.consonants_correct_pct = rng.randint(45, 95)
                        row.intelligibility = rng.choice(["normal", "mild", "mild", "moderate"])
            follow_ups.append(row)
    SurgicalCase.procedures.through.objects.bulk_create(case_procedures, batch_size=1000)
    Milestone.objects.bulk_create(stamps, batch_size=1000)
    ChecklistPhase.objects.bulk_create(phases, batch_size=1000)
    OperativeNote.objects.bulk_create(notes, batch_size=500)
    OperativeNote.procedures.through.objects.bulk_create(
        [
            OperativeNote.procedures.through(operativenote_id=note.pk, procedure_id=p.pk)
            for note, (procedures, _t, _h) in zip(notes, plans, strict=True)
            for p in procedures
        ],
        batch_size=1000,
    )
    AnesthesiaRecord.objects.bulk_create(records, batch_size=500)
    Discharge.objects.bulk_create(discharges, batch_size=500)
    FollowUpVisit.objects.bulk_create(follow_ups, batch_size=1000)
    Complication.objects.bulk_create(complications)
    return len(cases)
