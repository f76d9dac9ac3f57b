"""Propose a team: read the registry, keep the volunteers who can serve the whole mission,
let the solver (`team_solver`) choose who fills which open role, and write the proposals
the coordinator accepts, edits or rejects. Also says, role by role, what could not be
filled and why, in words a coordinator acts on.

A volunteer can be proposed when they are not on the team, were not proposed and decided on
for this mission before (a rejected volunteer is never proposed again), their specialty
fills an open role, they are on no other mission whose dates overlap, they said they are
unavailable on no day of the mission, and every credential their specialty requires is
held, verified and valid from the first to the last day (`team.credential_problems`).

The registry is read in a fixed number of queries whatever its size; the writes are one
audited row per proposal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cleftmission.core.services import delete_audited, save_audited
from cleftmission.missions.models import Mission
from cleftmission.volunteers import team, team_data, team_services, team_solver
from cleftmission.volunteers.models import (
    ROLE_SPECIALTY,
    Credential,
    MissionMember,
    MissionRole,
    TeamProposal,
    Unavailability,
    Volunteer,
    every_day,
    role_rank,
)

# Why a volunteer of the right specialty cannot be proposed, in the order they are counted
# (each volunteer under the first that applies).
DECIDED = "decided"  # turned down for this mission
REMOVED = "removed"  # accepted, then taken off the team
DOUBLE_BOOKED = "double_booked"
UNAVAILABLE = "unavailable"
UNVERIFIED = "unverified"
CREDENTIALS = "credentials"


@dataclass(frozen=True)
class Unfilled:
    role: str
    missing: int
    reason: str  # translated: why, e.g. "5 more in the registry: 2 on overlapping missions, …"

    @property
    def role_label(self) -> str:
        return str(MissionRole(self.role).label) if self.role in MissionRole.values else self.role

    @property
    def message(self) -> str:
        """The whole sentence: "Anesthesiologist: 1 missing. 5 more in the registry: …"."""
        return _("%(role)s: %(missing)s missing. %(reason)s") % {
            "role": self.role_label,
            "missing": self.missing,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProposalRun:
    proposals: list[TeamProposal]
    unfilled: list[Unfilled]
    balance_met: bool = True  # the team with the proposals keeps the first-timer share within bounds
    status: str = ""  # the solver's: "optimal", "feasible" (cut short by its time limit) or "trivial"


@dataclass
class _Pool:
    """The registry as seen from one mission."""

    facts: team.MissionFacts
    rules: team.Rules
    open_need: dict[str, int]  # role → needed by the template minus on the team (template order)
    cap: int
    team_size: int
    team_first_timers: int
    registry: Counter[str]  # specialty → volunteers in the registry, the team included
    off_team: Counter[str]  # specialty → volunteers not on the team
    excluded: dict[str, Counter[str]]  # specialty → reason → volunteers who cannot be proposed
    candidates: list[team_solver.Candidate]
    valid_until: dict[int, dt.date | None]  # candidate → the day their first required credential ends
    pending: dict[int, str] = field(default_factory=dict)  # volunteer → role of their pending proposal


def _experience(volunteer_ref: str, before: dt.date) -> Coalesce:
    """Missions served before `before`: those recorded here plus those before the registry."""
    served = (
        MissionMember.objects.filter(volunteer=OuterRef(volunteer_ref), mission__start_date__lt=before)
        .order_by()
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(served, output_field=IntegerField()), Value(0))


def _pool(mission: Mission) -> _Pool:
    facts = team_data.mission_facts(mission)
    rules = team_data.rules_for(mission.kind)
    start, end = mission.start_date, mission.end_date

    team_rows = list(
        MissionMember.objects.filter(mission=mission)
        .annotate(served=_experience("volunteer_id", start))
        .values_list("role", "volunteer__prior_missions", "served")
    )
    on_team = Counter(role for role, _prior, _served in team_rows)
    open_need = {
        role: max(rules.needed(role, mission.tables_per_day) - on_team.get(role, 0), 0)
        for role in rules.needs
        if rules.needed(role, mission.tables_per_day)
    }
    specialties = {ROLE_SPECIALTY[role] for role, need in open_need.items() if need and role in ROLE_SPECIALTY}

    rows = list(
        Volunteer.objects.filter(specialty__in=specialties)
        .order_by("pk")
        .annotate(
            served=_experience("pk", start),
            on_team=Exists(MissionMember.objects.filter(volunteer=OuterRef("pk"), mission=mission)),
            decided=Subquery(
                TeamProposal.objects.filter(volunteer=OuterRef("pk"), mission=mission)
                .exclude(status=TeamProposal.Status.PENDING)
                .values("status")[:1]
            ),
            pending_role=Subquery(
                TeamProposal.objects.filter(
                    volunteer=OuterRef("pk"), mission=mission, status=TeamProposal.Status.PENDING
                ).values("role")[:1]
            ),
            double_booked=Exists(
                MissionMember.objects.filter(
                    volunteer=OuterRef("pk"), mission__start_date__lte=end, mission__end_date__gte=start
                ).exclude(mission=mission)
            ),
            away=Exists(
                Unavailability.objects.filter(volunteer=OuterRef("pk"), first_day__lte=end, last_day__gte=start)
            ),
        )
        .values(
            "pk",
            "specialty",
            "origin",
            "prior_missions",
            "served",
            "on_team",
            "decided",
            "pending_role",
            "double_booked",
            "away",
        )
    )
    required_kinds = {kind for s in specialties for kind in rules.required.get(s, frozenset())}
    credentials: dict[int, list[team.CredentialFacts]] = defaultdict(list)
    for credential in Credential.objects.filter(
        volunteer__specialty__in=[s for s in specialties if rules.required.get(s)], kind__in=required_kinds
    ).values("volunteer_id", "kind", "valid_from", "valid_to", "verification", "rejection_reason"):
        fact = team.CredentialFacts(
            kind=credential["kind"],
            valid_from=credential["valid_from"],
            valid_to=credential["valid_to"],
            verification=credential["verification"],
            rejection_reason=credential["rejection_reason"],
        )
        credentials[credential["volunteer_id"]].append(fact)

    registry: Counter[str] = Counter()
    off_team: Counter[str] = Counter()
    excluded: dict[str, Counter[str]] = defaultdict(Counter)
    candidates: list[team_solver.Candidate] = []
    valid_until: dict[int, dt.date | None] = {}
    pending: dict[int, str] = {}
    for row in rows:
        specialty = row["specialty"]
        registry[specialty] += 1
        if row["on_team"]:
            continue
        off_team[specialty] += 1
        if row["pending_role"]:
            pending[row["pk"]] = row["pending_role"]
        held = tuple(credentials.get(row["pk"], ()))
        reason = _why_not(row, facts, specialty, held, rules)
        if reason:
            excluded[specialty][reason] += 1
            continue
        until = _valid_until(specialty, held, rules)
        valid_until[row["pk"]] = until
        experience = row["prior_missions"] + row["served"]
        candidates.append(
            team_solver.Candidate(
                volunteer_id=row["pk"],
                specialty=specialty,
                origin=row["origin"],
                first_timer=experience == 0,
                experience=experience,
                credential_margin=None if until is None else (until - end).days,
            )
        )
    return _Pool(
        facts=facts,
        rules=rules,
        open_need=open_need,
        cap=mission.team_size_cap,
        team_size=len(team_rows),
        team_first_timers=sum(1 for _role, prior, served in team_rows if prior + served == 0),
        registry=registry,
        off_team=off_team,
        excluded=excluded,
        candidates=candidates,
        valid_until=valid_until,
        pending=pending,
    )


def _why_not(
    row: dict[str, Any],
    facts: team.MissionFacts,
    specialty: str,
    held: tuple[team.CredentialFacts, ...],
    rules: team.Rules,
) -> str | None:
    if row["decided"] == TeamProposal.Status.ACCEPTED:
        return REMOVED
    if row["decided"]:
        return DECIDED
    if row["double_booked"]:
        return DOUBLE_BOOKED
    if row["away"]:
        return UNAVAILABLE
    problems = [
        p for p in team.credential_problems(facts, specialty, held, rules) if p.severity is team.Severity.PROBLEM
    ]
    if problems:
        return UNVERIFIED if all(p.code == "credential_unverified" for p in problems) else CREDENTIALS
    return None


def _valid_until(specialty: str, held: tuple[team.CredentialFacts, ...], rules: team.Rules) -> dt.date | None:
    """The day the first of the required credentials ends (each kind's best verified one);
    None when none of them ends."""
    ends: list[dt.date] = []
    for kind in rules.required.get(specialty, frozenset()):
        verified = [c for c in held if c.kind == kind and c.verification == team.VERIFIED]
        best = max(verified, key=lambda c: c.valid_to or dt.date.max, default=None)
        if best is not None and best.valid_to is not None:
            ends.append(best.valid_to)
    return min(ends) if ends else None


def _count(reason: str, n: int, cap: int) -> str:
    if reason == DECIDED:
        return ngettext("%(n)s turned down for this mission", "%(n)s turned down for this mission", n) % {"n": n}
    if reason == REMOVED:
        return ngettext(
            "%(n)s accepted earlier, then taken off the team", "%(n)s accepted earlier, then taken off the team", n
        ) % {"n": n}
    if reason == DOUBLE_BOOKED:
        return ngettext("%(n)s on an overlapping mission", "%(n)s on overlapping missions", n) % {"n": n}
    if reason == UNAVAILABLE:
        return ngettext("%(n)s unavailable during the mission", "%(n)s unavailable during the mission", n) % {"n": n}
    if reason == UNVERIFIED:
        return ngettext(
            "%(n)s with credentials waiting for verification", "%(n)s with credentials waiting for verification", n
        ) % {"n": n}
    if reason == CREDENTIALS:
        return ngettext(
            "%(n)s with credentials not valid for the whole mission",
            "%(n)s with credentials not valid for the whole mission",
            n,
        ) % {"n": n}
    if reason == "proposed":
        return ngettext("%(n)s proposed", "%(n)s proposed", n) % {"n": n}
    if reason == "other_role":
        return ngettext("%(n)s proposed for another role", "%(n)s proposed for other roles", n) % {"n": n}
    if reason == "cap":
        return ngettext(
            "%(n)s left out by the team size cap of %(cap)s", "%(n)s left out by the team size cap of %(cap)s", n
        ) % {"n": n, "cap": cap}
    return ngettext("%(n)s available: propose again", "%(n)s available: propose again", n) % {"n": n}


def _explain(pool: _Pool, role: str, taken: dict[int, str], at_cap: bool) -> str:
    """Why a role stays open, counting the registry's volunteers of its specialty who are not
    on the team. `taken`: volunteer → role proposed to them."""
    specialty = ROLE_SPECIALTY.get(role, role)
    if not pool.registry[specialty]:
        return _("No volunteer of this specialty in the registry.")
    if not pool.off_team[specialty]:
        return _("Every volunteer of this specialty in the registry is on the team already.")
    counts = Counter(pool.excluded.get(specialty, Counter()))
    for candidate in pool.candidates:
        if candidate.specialty != specialty:
            continue
        proposed = taken.get(candidate.volunteer_id)
        if proposed is None:
            counts["cap" if at_cap else "free"] += 1
        else:
            counts["proposed" if proposed == role else "other_role"] += 1
    order = [
        "proposed",
        "other_role",
        DOUBLE_BOOKED,
        CREDENTIALS,
        UNVERIFIED,
        UNAVAILABLE,
        DECIDED,
        REMOVED,
        "cap",
        "free",
    ]
    parts = [_count(reason, counts[reason], pool.cap) for reason in order if counts[reason]]
    n = pool.off_team[specialty]
    return ngettext("%(n)s more in the registry: %(why)s.", "%(n)s more in the registry: %(why)s.", n) % {
        "n": n,
        "why": ", ".join(parts),
    }


def _unfilled(pool: _Pool, missing: dict[str, int], taken: dict[int, str], size: int) -> list[Unfilled]:
    at_cap = size >= pool.cap
    return [
        Unfilled(role=role, missing=missing[role], reason=_explain(pool, role, taken, at_cap))
        for role in pool.open_need
        if missing.get(role, 0) > 0
    ]


def _reasons(candidate: team_solver.Candidate, valid_until: dt.date | None, rules: team.Rules) -> list[str]:
    """Why this volunteer, in a few words the coordinator reads beside the name."""
    reasons: list[str] = []
    if candidate.origin == team.IN_COUNTRY:
        reasons.append(_("in-country"))
    if candidate.first_timer:
        reasons.append(_("first mission"))
    else:
        reasons.append(ngettext("%(n)s mission", "%(n)s missions", candidate.experience) % {"n": candidate.experience})
    if rules.required.get(candidate.specialty):
        if valid_until is None:
            reasons.append(_("credentials do not expire"))
        else:
            reasons.append(
                _("credentials valid until %(day)s") % {"day": date_format(valid_until, "SHORT_DATE_FORMAT")}
            )
    return reasons


def _request(pool: _Pool, mission: Mission) -> team_solver.TeamRequest:
    return team_solver.TeamRequest(
        open_need=pool.open_need,
        role_specialty=ROLE_SPECIALTY,
        candidates=pool.candidates,
        team_size=pool.team_size,
        team_first_timers=pool.team_first_timers,
        cap=pool.cap,
        first_timers_min_pct=mission.first_timers_min_pct,
        first_timers_max_pct=mission.first_timers_max_pct,
        prefer_in_country=mission.prefer_in_country,
    )


def propose_team(*, mission: Mission, acting_user: Any) -> ProposalRun:
    """Replace the pending proposals with the solver's best team for the open roles. Rejected
    (and accepted) proposals stay: those volunteers are not proposed again."""
    with transaction.atomic():
        # One run at a time per mission: two coordinators proposing at once must not interleave.
        Mission.objects.select_for_update().filter(pk=mission.pk).first()
        for old in TeamProposal.objects.filter(mission=mission, status=TeamProposal.Status.PENDING).select_related(
            "volunteer"
        ):
            delete_audited(instance=old, acting_user=acting_user, target=mission)
        pool = _pool(mission)
        solution = team_solver.solve(_request(pool, mission))
        volunteers = Volunteer.objects.in_bulk(list(solution.assignments))
        by_id = {c.volunteer_id: c for c in pool.candidates}
        days = every_day(mission)
        proposals = []
        for volunteer_id, role in sorted(
            solution.assignments.items(),
            key=lambda item: (role_rank(item[1]), volunteers[item[0]].search_name, item[0]),
        ):
            proposal = TeamProposal(
                mission=mission,
                volunteer=volunteers[volunteer_id],
                role=role,
                days=days,
                reasons=_reasons(by_id[volunteer_id], pool.valid_until.get(volunteer_id), pool.rules),
            )
            proposals.append(save_audited(instance=proposal, acting_user=acting_user, target=mission))
    return ProposalRun(
        proposals=proposals,
        unfilled=_unfilled(pool, solution.unfilled, solution.assignments, solution.size),
        balance_met=solution.balance_met,
        status=solution.status,
    )


def unfilled_roles(mission: Mission) -> list[Unfilled]:
    """The roles still open once the team and the pending proposals are counted, and why."""
    pool = _pool(mission)
    proposed = Counter(pool.pending.values())
    missing = {role: need - proposed.get(role, 0) for role, need in pool.open_need.items()}
    return _unfilled(pool, missing, pool.pending, pool.team_size + len(pool.pending))


def _decide(proposal: TeamProposal) -> TeamProposal:
    locked = TeamProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != TeamProposal.Status.PENDING:
        raise ValidationError(
            {"status": _("This proposal was already %(status)s.") % {"status": locked.get_status_display()}}
        )
    return locked


def accept_proposal(
    *,
    proposal: TeamProposal,
    acting_user: Any,
    role: str | None = None,
    days: list[dt.date] | list[str] | None = None,
) -> MissionMember:
    """Put the proposed volunteer on the team, with the role and days the coordinator may have
    changed. Refused like any addition (naming "days", "role" or "volunteer"); the proposal
    then stays pending."""
    with transaction.atomic():
        _decide(proposal)
        member = team_services.add_member(
            mission=proposal.mission,
            volunteer=proposal.volunteer,
            role=proposal.role if role is None else role,
            days=proposal.days if days is None else days,
            acting_user=acting_user,
        )
        proposal.role = member.role
        proposal.days = member.days
        proposal.status = TeamProposal.Status.ACCEPTED
        proposal.decided_by = acting_user
        proposal.decided_at = timezone.now()
        save_audited(instance=proposal, acting_user=acting_user, target=proposal.mission)
    return member


def reject_proposal(*, proposal: TeamProposal, acting_user: Any) -> None:
    """Turn the proposal down: the volunteer is not proposed for this mission again."""
    with transaction.atomic():
        _decide(proposal)
        proposal.status = TeamProposal.Status.REJECTED
        proposal.decided_by = acting_user
        proposal.decided_at = timezone.now()
        save_audited(instance=proposal, acting_user=acting_user, target=proposal.mission)
