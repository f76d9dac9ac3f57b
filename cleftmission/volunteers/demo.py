"""The demo's upcoming international mission: a full team against the staffing template, with
three realistic problems left for the coordinator to fix, and the synthetic documents
volunteers "uploaded". Used by `cleftmission.core.demo` (which writes the rows in bulk).

The problems planted, and nothing else wrong:
- an expiring certificate: one nurse's BLS ends during the mission (she has uploaded the
  renewal, waiting for verification: she is the demo's "volunteer" login);
- a double booking: one in-country member is also on a local mission at overlapping dates;
- a missing anaesthesiologist: the team has one fewer than the template asks, while the
  registry holds a credentialed anaesthesiologist free at those dates ("Propose a team"
  finds them).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from unidecode import unidecode

from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import (
    ROLE_SPECIALTY,
    SPECIALTY_ROLE,
    MissionRole,
    StaffingNeed,
    Volunteer,
    every_day,
)

R = MissionRole
S = Volunteer.Specialty
IN_COUNTRY = Volunteer.Origin.IN_COUNTRY

# The share of first-time volunteers the demo's upcoming team aims at (the mission's bounds
# are 10–40% by default).
FIRST_TIMER_SHARE = 0.25


@dataclass
class PlannedMember:
    volunteer: Volunteer
    role: str
    days: list[str]


@dataclass
class UpcomingTeam:
    members: list[PlannedMember] = field(default_factory=list)
    expiring: Volunteer | None = None  # a required certificate ends during the mission
    double_booked: Volunteer | None = None  # also on a local mission at overlapping dates
    standby: Volunteer | None = None  # a credentialed anaesthesiologist left free for the gap
    late_surgeon: Volunteer | None = None  # arrives on the second day
    short_stay: Volunteer | None = None  # an interpreter for the first three days

    @property
    def volunteers(self) -> list[Volunteer]:
        return [m.volunteer for m in self.members]

    @property
    def cleared(self) -> list[Volunteer]:
        """Everyone whose credentials must be complete: the team and the standby."""
        return [*self.volunteers, *([self.standby] if self.standby is not None else [])]


def template(mission: Mission) -> dict[str, int]:
    """role → members needed, from the staffing template of the mission's kind, in the order
    of MissionRole (surgeons first)."""
    needs = {
        need.role: need.needed(mission.tables_per_day)
        for need in StaffingNeed.objects.filter(mission_kind=mission.kind)
    }
    return {role: needs[role] for role in R.values if needs.get(role)}


def plan_upcoming_team(
    rng: random.Random, mission: Mission, pools: dict[str, list[Volunteer]], logins: Iterable[Volunteer]
) -> UpcomingTeam:
    """The team: the template filled from the pools (the logins' volunteers first), one
    anaesthesiologist short, within the cap; most present every day."""
    needed = template(mission)
    if needed.get(R.ANESTHESIOLOGIST):
        needed[R.ANESTHESIOLOGIST] -= 1  # the missing anaesthesiologist
    every = every_day(mission)
    plan = UpcomingTeam()
    taken: set[int] = set()
    login_ids = set()
    on_role: dict[str, int] = dict.fromkeys(needed, 0)

    def add(volunteer: Volunteer, role: str) -> None:
        plan.members.append(PlannedMember(volunteer, role, list(every)))
        taken.add(volunteer.pk)
        on_role[role] += 1

    for volunteer in logins:
        login_ids.add(volunteer.pk)
        role = SPECIALTY_ROLE[volunteer.specialty]
        if on_role.get(role, 0) < needed.get(role, 0):
            add(volunteer, role)
    for role, n in needed.items():
        pool = [v for v in pools.get(ROLE_SPECIALTY[role], []) if v.pk not in taken]
        for volunteer in rng.sample(pool, min(n - on_role[role], len(pool))):
            add(volunteer, role)
    plan.members = plan.members[: mission.team_size_cap]

    def pick(roles: Iterable[str], in_country: bool | None = None) -> PlannedMember | None:
        """A member of these roles (in this order of preference), of this origin if said, not a
        login and not picked already."""
        picked = {id(v) for v in (plan.expiring, plan.double_booked, plan.late_surgeon, plan.short_stay) if v}
        for role in roles:
            for m in plan.members:
                if m.role != role or m.volunteer.pk in login_ids or id(m.volunteer) in picked:
                    continue
                if in_country is None or (m.volunteer.origin == IN_COUNTRY) == in_country:
                    return m
        return None

    # The expiring certificate: an in-country nurse's BLS (she is the "volunteer" login).
    nurses = [R.WARD_NURSE, R.RECOVERY_NURSE, R.OR_NURSE, R.PEDIATRICIAN, R.DENTIST]
    member = pick(nurses, in_country=True) or pick(nurses)
    plan.expiring = member.volunteer if member else None
    # The double booking: an in-country member (local missions take in-country volunteers),
    # also on a local mission those days.
    member = pick(
        [R.PEDIATRICIAN, R.RECOVERY_NURSE, R.OR_NURSE, R.ANESTHESIOLOGIST, R.PLASTIC_SURGEON], in_country=True
    )
    plan.double_booked = member.volunteer if member else None
    # A surgeon flying in from abroad arrives on the second day.
    member = pick([R.PLASTIC_SURGEON], in_country=False) or pick([R.PLASTIC_SURGEON])
    if member is not None and len(every) > 1:
        member.days = every[1:]
        plan.late_surgeon = member.volunteer
    # An interpreter is there for the first three days only.
    member = pick([R.INTERPRETER])
    if member is not None and len(every) > 3:
        member.days = every[:3]
        plan.short_stay = member.volunteer

    # The standby: an anaesthesiologist of the registry, free and (see make_credentials) credentialed.
    free = [v for v in pools.get(S.ANESTHESIOLOGIST, []) if v.pk not in taken]
    free.sort(key=lambda v: v.origin != IN_COUNTRY)
    plan.standby = free[0] if free else None
    return plan


def balance_first_timers(rng: random.Random, plan: UpcomingTeam, experienced: set[int]) -> list[Volunteer]:
    """Give missions served before the registry (`prior_missions`) to enough first-time members
    from abroad that the team's first-timer share is about FIRST_TIMER_SHARE; or take them
    away when too few are new. Returns the volunteers changed."""
    team = plan.volunteers
    target = round(FIRST_TIMER_SHARE * len(team))
    planted = {id(v) for v in (plan.expiring, plan.double_booked) if v is not None}

    def is_new(v: Volunteer) -> bool:
        return v.pk not in experienced and not v.prior_missions

    new = [v for v in team if is_new(v) and id(v) not in planted]
    changed: list[Volunteer] = []
    rng.shuffle(new)
    new.sort(key=lambda v: v.origin == IN_COUNTRY)  # those from abroad have served elsewhere
    while sum(is_new(v) for v in team) > target and new:
        volunteer = new.pop()
        volunteer.prior_missions = rng.randint(1, 12)
        changed.append(volunteer)
    veterans = [v for v in team if v.pk not in experienced and v.prior_missions and id(v) not in planted]
    while sum(is_new(v) for v in team) < target and veterans:
        volunteer = veterans.pop()
        volunteer.prior_missions = 0
        changed.append(volunteer)
    return changed


# --- synthetic documents -------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    ascii_text = unidecode(text)
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF (A4) with these lines of text: a stand-in for a scanned certificate."""
    text = ["BT", "/F1 16 Tf", "72 770 Td", "20 TL"]
    for line in ["SYNTHETIC DEMO DOCUMENT - NOT A REAL CERTIFICATE", "", *lines]:
        text.append(f"({_pdf_text(line)}) Tj T*")
    text.append("ET")
    content = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
