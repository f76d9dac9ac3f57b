"""Helpers of the reports' tests: moments on a day, time frozen there, a case walked to the
ward through the real services with the times given."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from cleftmission.surgery import checklist, milestones, services
from cleftmission.surgery.models import SurgicalCase
from cleftmission.surgery.tests.test_operating_day import SIGN_IN_ANSWERS, SIGN_OUT_ANSWERS, TIME_OUT_ANSWERS


def moment(day: dt.date, hh_mm: str) -> dt.datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hours, minutes)))


def on(day: dt.date, hh_mm: str) -> Any:
    return time_machine.travel(moment(day, hh_mm), tick=False)


def operate(case: SurgicalCase, in_or: str, recovery: str, user: Any) -> None:
    """Every milestone to "back to the ward": called 30 minutes before the operating room,
    anaesthesia 5 and incision 15 minutes into it, end of surgery 5 minutes before recovery,
    the ward an hour after; each checklist phase signed when its milestone needs it."""
    start, end = moment(case.day, in_or), moment(case.day, recovery)
    minute = dt.timedelta(minutes=1)
    times = {
        milestones.CALLED: start - 30 * minute,
        milestones.HOLDING: start - 20 * minute,
        milestones.IDENTITY_CHECKED: start - 10 * minute,
        milestones.IN_OR: start,
        milestones.ANESTHESIA_START: start + 5 * minute,
        milestones.INCISION: start + 15 * minute,
        milestones.SURGERY_END: end - 5 * minute,
        milestones.RECOVERY: end,
        milestones.WARD: end + 60 * minute,
    }
    answers = {
        checklist.SIGN_IN: SIGN_IN_ANSWERS,
        checklist.TIME_OUT: TIME_OUT_ANSWERS,
        checklist.SIGN_OUT: SIGN_OUT_ANSWERS,
    }
    for milestone, at in times.items():
        phase = milestones.NEEDS_PHASE.get(milestone)
        if phase is not None:
            services.sign_phase(case=case, phase=phase, answers=answers[phase], acting_user=user)
        services.record_milestone(case=case, milestone=milestone, at=at, acting_user=user)
