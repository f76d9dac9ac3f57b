"""Translate published IHTC-2024 instances into the scheduling format (docs/scheduling-format.md).

Only the surgical case planning part of the Integrated Healthcare Timetabling Problem has a
counterpart here: operating theatres become tables, surgeons keep their minutes per day, each
patient becomes a case with their surgeon, duration, release day and (mandatory patients) due
day. Wards, beds, genders, age groups, nurses and occupants are dropped, so the translated
problem is a relaxation of the surgical part: the projection of any IHTC-feasible schedule onto
days and theatres is a schedule this problem accepts. README.md in this folder gives the mapping.

Two encodings of the same instances are read:

- the IHTC JSON (`from_ihtc`): the competition's own files, days counted from 0; the copies in
  the MiniZinc Benchmarks (model `ihtc-2024-marte`) count days from 1 (`first_day=1`);
- the flat arrays of the MiniZinc model `ihtc-2024-kletzander` (`from_kletzander`): days from 0,
  surgeons and theatres numbered from 1, `due_day == horizon` for optional patients, and only
  two weights (unscheduled optional patients and admission delay).

Pure functions, no I/O: a raw dict in, a problem dict out. The translation does not validate;
a malformed instance goes through as it is and parse_problem() names the bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROCEDURE = "surgery"
"""IHTC has no procedures: every surgery is one procedure, and its surgeon is given."""


def from_ihtc(raw: Mapping[str, Any], *, first_day: int = 0) -> dict[str, Any]:
    """An IHTC-2024 instance (its JSON objects) as a problem; `first_day` is the number the
    file gives the first day (0 in the competition's files, 1 in the MiniZinc copies)."""
    weights = raw["weights"]
    cases = []
    for patient in raw["patients"]:
        case: dict[str, Any] = {
            "id": patient["id"],
            "minutes": patient["surgery_duration"],
            "procedure": PROCEDURE,
            "surgeon": patient["surgeon_id"],
            "release_day": patient["surgery_release_day"] - first_day,
            "mandatory": patient["mandatory"],
        }
        if patient["mandatory"]:
            # optional patients have no due day (the MiniZinc copies write 0): any day of the period
            case["due_day"] = patient["surgery_due_day"] - first_day
        cases.append(case)
    return {
        "days": raw["days"],
        "turnover": 0,
        "sequence": False,
        "tables": [{"id": t["id"], "minutes": list(t["availability"])} for t in raw["operating_theaters"]],
        "surgeons": [{"id": s["id"], "minutes": list(s["max_surgery_time"])} for s in raw["surgeons"]],
        "cases": cases,
        "weights": {
            "unscheduled": weights["unscheduled_optional"],
            "delay": weights["patient_delay"],
            "open_table": weights["open_operating_theater"],
            "surgeon_transfer": weights["surgeon_transfer"],
        },
    }


def from_kletzander(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An instance in the arrays of the MiniZinc model `ihtc-2024-kletzander` as a problem.

    Ids follow the IHTC files (`p00`, `s0`, `t0`), so an IHTC solution's patient, surgeon and
    theatre ids name the same things here. The model prices only unscheduled optional patients
    and admission delay: opening a theatre and a surgeon's transfer cost 0, as there."""
    days = raw["horizon"]
    cases = []
    for p in range(raw["num_patients"]):
        mandatory = raw["mandatory"][p]
        case: dict[str, Any] = {
            "id": f"p{p:02d}",
            "minutes": raw["surgery_duration"][p],
            "procedure": PROCEDURE,
            "surgeon": f"s{raw['surgeon'][p] - 1}",
            "release_day": raw["release_day"][p],
            "mandatory": mandatory,
        }
        if mandatory or raw["due_day"][p] != days:
            case["due_day"] = raw["due_day"][p]
        cases.append(case)
    return {
        "days": days,
        "turnover": 0,
        "sequence": False,
        "tables": [{"id": f"t{o}", "minutes": list(row)} for o, row in enumerate(raw["max_ot"])],
        "surgeons": [{"id": f"s{s}", "minutes": list(row)} for s, row in enumerate(raw["max_surgery"])],
        "cases": cases,
        "weights": {
            "unscheduled": raw["weight_selection"],
            "delay": raw["weight_delay"],
            "open_table": 0,
            "surgeon_transfer": 0,
        },
    }


def ihtc_assignments(problem: Mapping[str, Any], solution: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The surgical part of an IHTC solution (`patients[].admission_day`, `operating_theater`,
    days from 0) as this format's assignments for `problem` (translated by this module): each
    admitted patient is operated on their admission day by their surgeon."""
    surgeon_of = {c["id"]: c["surgeon"] for c in problem["cases"]}
    out = []
    for p in solution["patients"]:
        day = p.get("admission_day", "none")
        if day == "none":
            continue
        out.append({"case": p["id"], "day": day, "table": p["operating_theater"], "surgeon": surgeon_of[p["id"]]})
    return out
