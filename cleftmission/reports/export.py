"""The mission report's figures as rows for a CSV file: one figure a row (section, item,
measure, value), so that a spreadsheet can filter and pivot them. Numbers are plain (a dot
for decimals, one decimal for percentages and medians); dates dd/mm/yyyy."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cleftmission.reports.figures import Minutes, MissionReport


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}"


def _minutes(section: str, item: str, minutes: Minutes) -> list[list[str]]:
    return [
        [section, item, _("cases"), _number(minutes.cases)],
        [section, item, _("cases timed"), _number(minutes.measured)],
        [section, item, _("planned minutes"), _number(minutes.planned)],
        [section, item, _("actual minutes"), _number(minutes.actual)],
        [section, item, _("minutes over the plan (cases timed)"), _number(minutes.difference)],
        [section, item, _("median actual minutes"), _number(minutes.actual_median)],
    ]


def report_rows(report: MissionReport) -> tuple[list[str], list[list[str]]]:
    header = [_("Section"), _("Item"), _("Measure"), _("Value")]
    rows: list[list[str]] = []
    who = report.children
    section = _("Children")
    for item, n in (
        ("registered", who.registered),
        ("evaluated", who.evaluated),
        ("accepted", who.accepted),
        ("operated", who.operated),
        ("deferred", who.deferred),
        ("referred", who.referred),
        ("cancelled on the day", who.cancelled),
        ("accepted, waiting", who.waiting),
    ):
        rows.append([section, pgettext("mission report", item), _("children"), _number(n)])
    for reason in who.deferred_by_reason:
        rows.append([_("Deferred at screening"), f"{reason.label} ({reason.code})", _("children"), _number(reason.n)])
    for reason in who.cancelled_by_reason:
        rows.append([_("Cancelled on the day"), f"{reason.label} ({reason.code})", _("children"), _number(reason.n)])

    section = _("Complications")
    found = report.complications
    for c in found.by_kind:
        rows.append([section, c.label, _("complications"), _number(c.n)])
        rows.append([section, c.label, _("per 100 operations"), _number(c.rate_pct)])
    rows.append([section, _("all"), _("complications"), _number(found.total)])
    rows.append([section, _("all"), _("operations"), _number(found.operations)])
    rows.append([section, _("all"), _("per 100 operations"), _number(found.rate_pct)])

    section = _("Operating tables")
    for t in [*report.tables, report.tables_total]:
        item = f"{t.day:%d/%m/%Y} · {t.table}" if t.day else _("all")
        rows.extend(_minutes(section, item, t.minutes))
        rows.append([section, item, _("operating day minutes"), _number(t.day_minutes)])
        rows.append([section, item, _("planned use of the day (%)"), _number(t.planned_pct)])
        rows.append([section, item, _("actual use of the day (%)"), _number(t.actual_pct)])

    section = _("By procedure")
    for p in report.procedures:
        rows.extend(_minutes(section, p.label, p.minutes))

    section = _("Days in hospital")
    rows.append([section, _("discharged"), _("children"), _number(report.stay.discharged)])
    rows.append([section, _("discharged"), _("median days"), _number(report.stay.median_days)])
    rows.append([section, _("still in hospital"), _("children"), _number(report.stay.still_in)])

    section = _("Follow-up visits")
    for f in [*report.follow_ups, report.follow_ups_total]:
        item = f.label or _("all")
        for measure, value in (
            (_("planned"), f.planned),
            (_("due"), f.due),
            (_("seen"), f.seen),
            (_("missed"), f.missed),
            (_("overdue"), f.overdue),
            (_("to come"), f.to_come),
        ):
            rows.append([section, item, measure, _number(value)])
        rows.append([section, item, _("seen of those past (%)"), _number(f.reached_pct)])
    return [str(h) for h in header], [[str(v) for v in row] for row in rows]
