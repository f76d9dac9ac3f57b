"""The team checks, pure: a mission's facts, its members' facts and the rules in; problems,
gaps and balance out. No ORM here (`team_data` builds the facts from the database), so each
rule is tested with literal inputs.

What is checked, each with the reason shown to the coordinator:
- per member: a required credential missing, not verified, expired, or ending before the
  mission's last day (and a warning when it ends within the warning window after it); the
  same volunteer on another mission whose dates overlap; days present outside the mission;
  days the volunteer said they are unavailable; a role their specialty does not fill;
- per team: the staffing template (needed, on the team, gap, surplus per role), the size
  cap, the share of first-time volunteers against the mission's bounds (the share of
  in-country volunteers is shown beside it), and the surgeons and anaesthesiologists present
  on each day against the operating tables.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Verification and origin values, as stored (volunteers.models); repeated here so that this
# module needs no models.
VERIFIED = "verified"
REJECTED = "rejected"
IN_COUNTRY = "in_country"
# The roles the operating schedule needs at every table, every operating day.
TABLE_ROLES = ("plastic_surgeon", "anesthesiologist")


class Severity(StrEnum):
    PROBLEM = "problem"  # must be fixed before the mission
    WARNING = "warning"  # worth a look


@dataclass(frozen=True)
class MissionFacts:
    start: dt.date
    end: dt.date
    kind: str
    tables_per_day: int
    team_size_cap: int
    first_timers_min_pct: int
    first_timers_max_pct: int
    prefer_in_country: bool = False
    warning_days: int = 60

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class CredentialFacts:
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    verification: str = VERIFIED
    rejection_reason: str = ""


@dataclass(frozen=True)
class OtherMission:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date
    reason: str = ""


@dataclass(frozen=True)
class MemberFacts:
    volunteer_id: int
    name: str
    specialty: str
    origin: str
    role: str
    days: tuple[dt.date, ...]
    credentials: tuple[CredentialFacts, ...] = ()
    first_timer: bool = False
    other_missions: tuple[OtherMission, ...] = ()  # the volunteer's other missions overlapping this one
    unavailable: tuple[Period, ...] = ()
    member_id: int | None = None


@dataclass(frozen=True)
class Rules:
    """required: specialty → credential kinds; needs: role → (per table, in addition);
    role_specialty: role → the specialty that fills it; labels: value → reader's label."""

    required: dict[str, frozenset[str]]
    needs: dict[str, tuple[int, int]]
    role_specialty: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, value: str) -> str:
        return self.labels.get(value, value)

    def needed(self, role: str, tables_per_day: int) -> int:
        per_table, fixed = self.needs.get(role, (0, 0))
        return per_table * tables_per_day + fixed


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class StaffingLine:
    role: str
    needed: int
    on_team: int

    @property
    def gap(self) -> int:
        return max(self.needed - self.on_team, 0)

    @property
    def surplus(self) -> int:
        return max(self.on_team - self.needed, 0)


@dataclass(frozen=True)
class DayCover:
    day: dt.date
    tables: int
    present: dict[str, int]  # role → members present that day

    @property
    def short(self) -> dict[str, int]:
        return {
            role: self.tables - self.present.get(role, 0)
            for role in TABLE_ROLES
            if self.present.get(role, 0) < self.tables
        }


@dataclass(frozen=True)
class TeamReport:
    members: dict[int, list[Problem]]  # volunteer id → problems (empty when all is well)
    staffing: list[StaffingLine]
    days: list[DayCover]
    team_problems: list[Problem]
    size: int
    cap: int
    first_timers: int
    in_country: int

    @property
    def first_timer_pct(self) -> float:
        return 100 * self.first_timers / self.size if self.size else 0.0

    @property
    def in_country_pct(self) -> float:
        return 100 * self.in_country / self.size if self.size else 0.0

    @property
    def gaps(self) -> list[StaffingLine]:
        return [line for line in self.staffing if line.gap]

    @property
    def surpluses(self) -> list[StaffingLine]:
        return [line for line in self.staffing if line.surplus]

    @property
    def problem_count(self) -> int:
        return sum(1 for problems in self.members.values() for p in problems if p.severity is Severity.PROBLEM) + sum(
            1 for p in self.team_problems if p.severity is Severity.PROBLEM
        )


def _d(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def credential_problems(
    mission: MissionFacts, specialty: str, credentials: tuple[CredentialFacts, ...], rules: Rules
) -> list[Problem]:
    """What stops a volunteer of `specialty` serving the whole mission, credential by credential.
    Of several credentials of one kind, the best one counts."""
    problems: list[Problem] = []
    for kind in sorted(rules.required.get(specialty, frozenset())):
        held = [c for c in credentials if c.kind == kind]
        name = rules.label(kind)
        if not held:
            problems.append(Problem("credential_missing", Severity.PROBLEM, _("%(kind)s missing") % {"kind": name}))
            continue
        verified = [c for c in held if c.verification == VERIFIED]
        if not verified:
            # Rejected only when nothing of this kind is still waiting: a document sent again
            # after a rejection waits for verification.
            waiting = any(c.verification != REJECTED for c in held)
            rejected = next((c for c in held if c.verification == REJECTED), None)
            if rejected is not None and not waiting:
                problems.append(
                    Problem(
                        "credential_rejected",
                        Severity.PROBLEM,
                        _("%(kind)s rejected: %(reason)s") % {"kind": name, "reason": rejected.rejection_reason},
                    )
                )
            else:
                problems.append(
                    Problem(
                        "credential_unverified",
                        Severity.PROBLEM,
                        _("%(kind)s waiting for verification") % {"kind": name},
                    )
                )
            continue
        best = max(verified, key=lambda c: c.valid_to or dt.date.max)
        if best.valid_from is not None and best.valid_from > mission.start:
            problems.append(
                Problem(
                    "credential_not_yet_valid",
                    Severity.PROBLEM,
                    _("%(kind)s valid only from %(day)s") % {"kind": name, "day": _d(best.valid_from)},
                )
            )
        elif best.valid_to is not None and best.valid_to < mission.start:
            problems.append(
                Problem(
                    "credential_expired",
                    Severity.PROBLEM,
                    _("%(kind)s expired on %(day)s") % {"kind": name, "day": _d(best.valid_to)},
                )
            )
        elif best.valid_to is not None and best.valid_to < mission.end:
            problems.append(
                Problem(
                    "credential_ends_during_mission",
                    Severity.PROBLEM,
                    _("%(kind)s expires on %(day)s, before the mission ends")
                    % {"kind": name, "day": _d(best.valid_to)},
                )
            )
        elif best.valid_to is not None and best.valid_to <= mission.end + dt.timedelta(days=mission.warning_days):
            problems.append(
                Problem(
                    "credential_expiring",
                    Severity.WARNING,
                    _("%(kind)s expires on %(day)s, soon after the mission") % {"kind": name, "day": _d(best.valid_to)},
                )
            )
    return problems


def member_problems(mission: MissionFacts, member: MemberFacts, rules: Rules) -> list[Problem]:
    problems = credential_problems(mission, member.specialty, member.credentials, rules)
    for other in member.other_missions:
        problems.append(
            Problem(
                "double_booked",
                Severity.PROBLEM,
                _("Also on %(mission)s (%(start)s – %(end)s)")
                % {"mission": other.name, "start": _d(other.start), "end": _d(other.end)},
            )
        )
    if not member.days:
        problems.append(Problem("no_days", Severity.PROBLEM, _("No day present chosen")))
    outside = [day for day in member.days if not mission.start <= day <= mission.end]
    if outside:
        problems.append(
            Problem(
                "days_outside_mission",
                Severity.PROBLEM,
                _("Present on %(days)s, outside the mission's dates") % {"days": ", ".join(_d(d) for d in outside)},
            )
        )
    for period in member.unavailable:
        clash = [day for day in member.days if period.first_day <= day <= period.last_day]
        if clash:
            problems.append(
                Problem(
                    "unavailable",
                    Severity.PROBLEM,
                    _("Said they are unavailable %(start)s – %(end)s%(reason)s")
                    % {
                        "start": _d(period.first_day),
                        "end": _d(period.last_day),
                        "reason": f" ({period.reason})" if period.reason else "",
                    },
                )
            )
    fills = rules.role_specialty.get(member.role)
    if fills is not None and fills != member.specialty:
        problems.append(
            Problem(
                "role_not_specialty",
                Severity.WARNING,
                _("Serves as %(role)s but is a %(specialty)s")
                % {"role": rules.label(member.role), "specialty": rules.label(member.specialty)},
            )
        )
    return problems


def staffing(mission: MissionFacts, members: list[MemberFacts], rules: Rules) -> list[StaffingLine]:
    """The template's roles in its order, then any role on the team that the template lacks."""
    counts = Counter(member.role for member in members)
    roles = [*rules.needs, *sorted(role for role in counts if role not in rules.needs)]
    return [StaffingLine(role, rules.needed(role, mission.tables_per_day), counts.get(role, 0)) for role in roles]


def day_cover(mission: MissionFacts, members: list[MemberFacts]) -> list[DayCover]:
    cover = []
    for day in mission.days:
        present = Counter(member.role for member in members if day in member.days and member.role in TABLE_ROLES)
        cover.append(DayCover(day, mission.tables_per_day, dict(present)))
    return cover


def balance_problems(mission: MissionFacts, size: int, first_timers: int) -> list[Problem]:
    problems: list[Problem] = []
    if size > mission.team_size_cap:
        problems.append(
            Problem(
                "over_cap",
                Severity.PROBLEM,
                _("%(size)s members, over the cap of %(cap)s") % {"size": size, "cap": mission.team_size_cap},
            )
        )
    if size:
        share = 100 * first_timers / size
        if share < mission.first_timers_min_pct:
            problems.append(
                Problem(
                    "too_few_first_timers",
                    Severity.WARNING,
                    _("First-time volunteers are %(share).0f%% of the team, below %(bound)s%%")
                    % {"share": share, "bound": mission.first_timers_min_pct},
                )
            )
        elif share > mission.first_timers_max_pct:
            problems.append(
                Problem(
                    "too_many_first_timers",
                    Severity.WARNING,
                    _("First-time volunteers are %(share).0f%% of the team, above %(bound)s%%")
                    % {"share": share, "bound": mission.first_timers_max_pct},
                )
            )
    return problems


def check_team(mission: MissionFacts, members: list[MemberFacts], rules: Rules) -> TeamReport:
    lines = staffing(mission, members, rules)
    days = day_cover(mission, members)
    first_timers = sum(1 for member in members if member.first_timer)
    team_problems = balance_problems(mission, len(members), first_timers)
    for line in lines:
        if line.gap:
            team_problems.append(
                Problem(
                    "gap",
                    Severity.PROBLEM,
                    _("%(role)s: %(missing)s missing (%(on_team)s of %(needed)s)")
                    % {
                        "role": rules.label(line.role),
                        "missing": line.gap,
                        "on_team": line.on_team,
                        "needed": line.needed,
                    },
                )
            )
    for cover in days:
        for role, short in cover.short.items():
            if any(line.role == role and line.gap for line in lines):
                continue  # already said as a gap in the template
            team_problems.append(
                Problem(
                    "day_short",
                    Severity.WARNING,
                    _("%(day)s: %(short)s %(role)s short for %(tables)s tables")
                    % {"day": _d(cover.day), "short": short, "role": rules.label(role), "tables": cover.tables},
                )
            )
    return TeamReport(
        members={member.volunteer_id: member_problems(mission, member, rules) for member in members},
        staffing=lines,
        days=days,
        team_problems=team_problems,
        size=len(members),
        cap=mission.team_size_cap,
        first_timers=first_timers,
        in_country=sum(1 for member in members if member.origin == IN_COUNTRY),
    )
