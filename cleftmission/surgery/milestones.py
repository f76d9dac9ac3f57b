"""A case's milestones on the operating day, in their order, and the rules a new stamp must
keep. Pure: the stamps already recorded in, the refusal (or nothing) out.

Rules: a milestone follows the one before it (in holding after called, incision after in OR,
…), at a time no earlier than it and not in the future; each is stamped once; incision needs
the Time Out signed, "in OR" needs the Sign In signed, leaving the OR for recovery needs the
Sign Out signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CALLED = "called"
HOLDING = "holding"
IDENTITY_CHECKED = "identity_checked"
IN_OR = "in_or"
ANESTHESIA_START = "anesthesia_start"
INCISION = "incision"
SURGERY_END = "surgery_end"
RECOVERY = "recovery"
WARD = "ward"
DISCHARGED = "discharged"

ORDER = (
    CALLED,
    HOLDING,
    IDENTITY_CHECKED,
    IN_OR,
    ANESTHESIA_START,
    INCISION,
    SURGERY_END,
    RECOVERY,
    WARD,
    DISCHARGED,
)

LABELS = {
    CALLED: _("Called from the ward"),
    HOLDING: _("In holding"),
    IDENTITY_CHECKED: _("Identity checked"),
    IN_OR: _("In the operating room"),
    ANESTHESIA_START: _("Anaesthesia start"),
    INCISION: _("Incision"),
    SURGERY_END: _("End of surgery"),
    RECOVERY: _("In recovery"),
    WARD: _("Back to the ward"),
    DISCHARGED: _("Discharged"),
}

SHORT = {
    CALLED: _("Called"),
    HOLDING: _("Holding"),
    IDENTITY_CHECKED: _("ID checked"),
    IN_OR: _("In OR"),
    ANESTHESIA_START: _("Anaesthesia"),
    INCISION: _("Incision"),
    SURGERY_END: _("End"),
    RECOVERY: _("Recovery"),
    WARD: _("Ward"),
    DISCHARGED: _("Discharged"),
}

# The checklist phase a milestone waits for (checklist.SIGN_IN, …; named here to stay pure).
NEEDS_PHASE = {IN_OR: "sign_in", INCISION: "time_out", RECOVERY: "sign_out"}

# How far a stamp may be ahead of the server's clock (a tablet's clock a little fast).
CLOCK_SLACK = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str


def next_milestone(stamped: dict[str, dt.datetime]) -> str | None:
    """The first milestone not yet stamped, in order; None when the child is discharged."""
    return next((m for m in ORDER if m not in stamped), None)


def check_stamp(
    milestone: str,
    at: dt.datetime,
    stamped: dict[str, dt.datetime],
    signed_phases: set[str],
    now: dt.datetime,
    phase_labels: dict[str, str] | None = None,
) -> Refusal | None:
    """Why `milestone` at `at` cannot be recorded now, or None."""
    if milestone not in ORDER:
        return Refusal("milestone", str(_("Not a milestone of the operating day.")))
    if milestone in stamped:
        return Refusal("milestone", str(_("%(milestone)s is already recorded.") % {"milestone": LABELS[milestone]}))
    if at > now + CLOCK_SLACK:
        return Refusal("at", str(_("The time is in the future.")))
    position = ORDER.index(milestone)
    before = ORDER[position - 1] if position else None
    if before is not None and before not in stamped:
        return Refusal(
            "milestone",
            str(
                _("Record “%(before)s” before “%(milestone)s”.")
                % {"before": LABELS[before], "milestone": LABELS[milestone]}
            ),
        )
    if before is not None and at < stamped[before]:
        return Refusal(
            "at",
            str(
                _("“%(milestone)s” cannot be earlier than “%(before)s” (%(time)s).")
                % {
                    "milestone": LABELS[milestone],
                    "before": LABELS[before],
                    "time": stamped[before].strftime("%H:%M"),
                }
            ),
        )
    phase = NEEDS_PHASE.get(milestone)
    if phase is not None and phase not in signed_phases:
        label = (phase_labels or {}).get(phase, phase)
        return Refusal(
            "milestone",
            str(
                _("Sign the checklist's %(phase)s before “%(milestone)s”.")
                % {"phase": label, "milestone": LABELS[milestone]}
            ),
        )
    return None


def minutes_between(stamped: dict[str, dt.datetime], start: str, end: str) -> int | None:
    if start in stamped and end in stamped:
        return round((stamped[end] - stamped[start]).total_seconds() / 60)
    return None
