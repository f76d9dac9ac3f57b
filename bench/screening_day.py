"""A screening day over HTTP, against the app under a production server.

For each database asked for, this prepares a fresh database (SQLite in a temporary file, or a
dedicated PostgreSQL database created and dropped here), migrates it, seeds one mission in its
screening phase with 4 registrars, 12 clinicians and 2 coordinators (each with an API token)
and the children of the day, starts gunicorn on 127.0.0.1, and plays the day through the
JSON API with concurrent users, each on its own keep-alive connection:

- registrars at the gate search for each child (name without diacritics, a guardian's phone,
  or a record number), register the visit, and now and then look at the screening board;
- clinicians, each at a station (3 at vitals, 2 each at pediatrics, anaesthesia and surgery, 1
  each at dental, speech and photos), read the child's visit and save their evaluation with the
  version they read; every child passes every station in order and then gets a decision from
  a surgeon or an anaesthesiologist (accepted, with an override reason when a rule fails;
  deferred, with the reason the failing rule suggests and a re-screen date; or referred);
- every 4th child is seen by several clinicians at once (pediatrics, anaesthesia and surgery
  together, then dental, speech and photos together: different stations of the same child
  saved at the same moment); for every 10th child two clinicians correct the vitals at the
  same moment from the same version, so one of them is answered 409, re-reads and saves again
  (counted as conflicts, not errors);
- the coordinators and two wall screens refresh the screening board, the coordinators also
  search for children.

The 20 users are the 4 registrars, the 2 coordinators, 2 wall screens and 12 clinician tablets;
--users N gives N - 8 tablets (beyond 12 they share the clinicians' accounts). The day is
compressed: each user pauses about --think-ms (100 ms) between two requests, so what takes a
team a day is played in about a minute, at some 60 requests a second.

At the end every visit is read back and compared with the last save of each station (nothing
lost or overwritten), and the figures are printed per database: requests, wall time,
throughput, and per action the count, p50, p95, p99 (as the client saw them, and as gunicorn
measured them: without the wait for a free worker thread), the 409s and the errors, with
whether the aim holds (no errors, every action's p95 under 200 ms). To tell the app's cost from
the machine's, it prints the load average and the CPU time of gunicorn, of the PostgreSQL
backends and of its own users; on PostgreSQL it samples pg_stat_activity for requests waiting
on another transaction's lock, and which statements they wait in.

    DEBUG=true .venv/bin/python bench/screening_day.py                     # SQLite and PostgreSQL
    DEBUG=true .venv/bin/python bench/screening_day.py --database sqlite --children 50
    DEBUG=true .venv/bin/python bench/screening_day.py --think-ms 0        # flat out: saturation

Only 127.0.0.1 is contacted; PostgreSQL at 127.0.0.1:5432 as user postgres (trust). The server
is always stopped, the PostgreSQL database dropped and the temporary files removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_PORT = 5432
PG_DEFAULT_DATABASE = "cleftmission_bench"
PG_UNTOUCHABLE = {"postgres", "test", "root", "template0", "template1"}
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # settings.TIME_ZONE: the server's "today"
TARGET_P95_MS = 200.0
USER_AGENT = "screening-day-bench"  # the timed requests, as the server's access log shows them

STATIONS = ["vitals", "pediatric", "anesthesia", "surgical", "dental", "speech", "photos"]
# Who stands at which station: clinician tablet k works at STAFFING[k % 12]. The first seven
# cover every station, so any number of clinician tablets from seven on runs the whole day.
STAFFING = [*STATIONS, "vitals", "vitals", "pediatric", "anesthesia", "surgical"]
DECIDERS = {"surgical", "anesthesia"}  # the surgeon and the anaesthesiologist record decisions
SPECIALTY = {
    "vitals": "nurse",
    "pediatric": "pediatrician",
    "anesthesia": "anesthesiologist",
    "surgical": "plastic_surgeon",
    "dental": "dentist",
    "speech": "speech_pathologist",
    "photos": "nurse",
}
REGISTRARS, CLINICIANS, COORDINATORS, WALL_SCREENS = 4, 12, 2, 2
MIN_USERS = REGISTRARS + COORDINATORS + WALL_SCREENS + len(STATIONS)
ACTIONS = ["search", "register", "read visit", *(f"save {s}" for s in STATIONS), "decision", "board"]


# ---- arguments -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=200)
    parser.add_argument("--users", type=int, default=20, help=f"concurrent users, at least {MIN_USERS}")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--think-ms", type=float, default=100.0, help="a user's mean pause between two requests (0: flat out)"
    )
    parser.add_argument("--board-every", type=float, default=1.0, help="seconds between two board refreshes")
    parser.add_argument(
        "--new-connections",
        action="store_true",
        help="a new connection per request (as gunicorn sees clients behind a proxy) instead of keep-alive",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds the day may last at most")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-database", default=PG_DEFAULT_DATABASE, help="created and dropped here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite file)")
    parser.add_argument("--seed-database", action="store_true", help=argparse.SUPPRESS)  # the seeding subprocess
    args = parser.parse_args(argv)
    if not args.seed_database:
        if args.users < MIN_USERS:
            parser.error(f"--users must be at least {MIN_USERS} (registrars, coordinators, wall screens, stations)")
        if not 1 <= args.children <= 2000:
            parser.error("--children must be between 1 and 2000")
        if args.pg_database in PG_UNTOUCHABLE or not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.pg_database):
            parser.error(f"--pg-database {args.pg_database!r} is not a database this bench may create and drop")
    return args


# ---- seeding (runs in a subprocess, with Django pointed at the bench's database) ------------------


def seed_database(children: int, seed: int) -> dict[str, Any]:
    """Create the mission, the users with their tokens and the children; return what the
    client needs to know (ids, tokens, the children's names and phones)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleftmission.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from cleftmission.core import demo
    from cleftmission.core.models import ApiToken
    from cleftmission.core.roles import Role, set_role
    from cleftmission.core.text import search_key
    from cleftmission.core.vietnam import PROVINCES
    from cleftmission.factories import MissionFactory, MissionMemberFactory, SiteFactory, VolunteerFactory
    from cleftmission.missions.models import Mission
    from cleftmission.patients import services as patient_services
    from cleftmission.patients.models import Guardian, Patient

    rng = random.Random(seed)
    today = timezone.localdate()
    user_model = get_user_model()
    families = [name for name, _share in demo.FAMILY_NAMES]
    shares = [share for _name, share in demo.FAMILY_NAMES]
    codes = [code for code, _share in demo.LAHSHAL_MIX]
    code_shares = [share for _code, share in demo.LAHSHAL_MIX]

    def person(male: bool) -> tuple[str, str, str]:
        middle = rng.choice(demo.MIDDLE_MALE if male else demo.MIDDLE_FEMALE)
        given = rng.choice(demo.GIVEN_MALE if male else demo.GIVEN_FEMALE)
        return rng.choices(families, shares)[0], middle, given

    with transaction.atomic():
        site = SiteFactory(name="Bệnh viện Nhi (bench)", city="Hà Nội")
        mission: Any = MissionFactory(
            name=f"Khám sàng lọc {today:%d/%m/%Y} (bench)",
            site=site,
            start_date=today,
            end_date=today + dt.timedelta(days=4),
            phase=Mission.Phase.SCREENING,
            target_evaluated=children,
        )

        def account(username: str, role: Role, specialty: str | None) -> str:
            family, middle, given = person(rng.random() < 0.5)
            user = user_model.objects.create(username=username, first_name=given, last_name=f"{family} {middle}")
            user.set_unusable_password()  # the bench uses tokens; a password hash would only cost time
            user.save()
            set_role(user, role)
            if specialty is not None:
                volunteer = VolunteerFactory(user=user, family_name=family, given_name=given, specialty=specialty)
                MissionMemberFactory(mission=mission, volunteer=volunteer)
            return ApiToken.issue(user)[1]

        tokens = {
            "registrars": [account(f"bench-registrar-{i}", Role.REGISTRAR, "coordinator") for i in range(REGISTRARS)],
            "clinicians": [
                account(f"bench-clinician-{i}", Role.CLINICIAN, SPECIALTY[STAFFING[i]]) for i in range(CLINICIANS)
            ],
            "coordinators": [account(f"bench-coordinator-{i}", Role.COORDINATOR, None) for i in range(COORDINATORS)],
        }
        acting = user_model.objects.get(username="bench-coordinator-0")
        kids: list[dict[str, Any]] = []
        for _ in range(children):
            male = rng.random() < 0.55
            family, middle, given = person(male)
            bracket = rng.random()  # most cleft children come as infants; some for later operations
            if bracket < 0.55:
                age_days = rng.randint(80, 540)
            elif bracket < 0.8:
                age_days = rng.randint(540, 1800)
            else:
                age_days = rng.randint(1800, 4400)
            mother = f"{rng.choices(families, shares)[0]} Thị {rng.choice(demo.GIVEN_FEMALE)}"
            patient = patient_services.create_patient(
                data={
                    "family_name": family,
                    "middle_name": middle,
                    "given_name": given,
                    "sex": Patient.Sex.MALE if male else Patient.Sex.FEMALE,
                    "date_of_birth": today - dt.timedelta(days=age_days),
                    "province": rng.choice(PROVINCES),
                    "lahshal": rng.choices(codes, code_shares)[0],
                },
                guardians=[{"name": mother, "relation": Guardian.Relation.MOTHER, "phone": demo.vn_mobile(rng)}],
                acting_user=acting,
            )
            phone = patient.guardians.get().phone  # +84912345678
            kids.append(
                {
                    "id": patient.pk,
                    "name": patient.full_name,
                    "search": search_key(patient.full_name),
                    "phone": f"0{phone[3:6]} {phone[6:9]} {phone[9:]}",  # as a mother says it: 0912 345 678
                    "record_number": patient.record_number,
                    "sex": patient.sex,
                    "date_of_birth": patient.date_of_birth.isoformat(),
                    "lahshal": patient.lahshal,
                }
            )
    return {"mission_id": mission.pk, "tokens": tokens, "children": kids}


# ---- the day's children and what each station records -----------------------------------------


@dataclass
class Task:
    flow: Flow
    station: str  # a station, or "decision"
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    together: threading.Barrier | None = None  # saved at the same moment as the other tasks on it


@dataclass
class Flow:
    """One child's way through the day."""

    index: int
    child: dict[str, Any]
    search: str
    stages: list[list[Task]] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    cardiac: bool = False
    visit_id: int = 0
    stage: int = -1
    pending: int = 0
    outcome: str = ""
    conflict_pair: bool = False


# Medians of the WHO standards (boys; girls about 5% lighter), by age in months.
WEIGHT_KG = [(0, 3.3), (3, 6.4), (6, 7.9), (9, 8.9), (12, 9.6), (18, 10.9), (24, 12.2), (36, 14.3),
             (48, 16.3), (60, 18.3), (84, 22.9), (120, 31.2), (156, 45.0)]  # fmt: skip
LENGTH_CM = [(0, 49.9), (3, 61.4), (6, 67.6), (9, 72.0), (12, 75.7), (18, 82.3), (24, 87.1), (36, 96.1),
             (48, 103.3), (60, 110.0), (84, 121.7), (120, 137.8), (156, 156.0)]  # fmt: skip


def _interpolate(table: list[tuple[int, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(table):
        if x <= x1:
            return y0 + (y1 - y0) * (max(x, x0) - x0) / (x1 - x0)
    return table[-1][1]


def _plan(lahshal: str, months: int, rng: random.Random) -> tuple[list[str], str]:
    """The procedures a surgeon would plan for this diagnosis and age, and the side."""
    right_lip, left_lip = lahshal[0] in "Ll", lahshal[6] in "Ll"
    palate = any(c != "." for c in lahshal[2:5])
    side = "bilateral" if right_lip and left_lip else "right" if right_lip else "left" if left_lip else "midline"
    if months >= 60:  # an older child: a secondary operation
        return [rng.choice(["revision", "fistula", "bone_graft"])], side
    procedures = ["lip_bi" if right_lip and left_lip else "lip_uni"] if right_lip or left_lip else []
    if palate and (not procedures or months >= 12):
        procedures.append("palate")  # too young for the palate: it fails the age rule, and is deferred
    return procedures or ["palate"], side


def _child_flow(index: int, child: dict[str, Any], today: dt.date, seed: int) -> Flow:
    rng = random.Random(seed * 100_003 + index)
    born = dt.date.fromisoformat(child["date_of_birth"])
    months = (today - born).days / 30.4375
    female = child["sex"] == "F"
    words = child["search"].split()
    search = rng.choices(
        [child["search"], f"{words[0]} {words[-1]}", child["phone"], child["record_number"]], [45, 20, 25, 10]
    )[0]
    flow = Flow(index=index, child=child, search=search)

    malnourished = rng.random() < 0.1
    weight = _interpolate(WEIGHT_KG, months) * (0.95 if female else 1.0)
    weight *= rng.uniform(0.68, 0.8) if malnourished else rng.uniform(0.86, 1.12)
    fever = rng.random() < 0.06
    flow.cardiac = rng.random() < 0.04
    vitals = {
        "weight_kg": round(weight, 2),
        "length_cm": round(_interpolate(LENGTH_CM, months) * (0.99 if female else 1.0) * rng.uniform(0.95, 1.04), 1),
        "temperature_c": round(rng.uniform(38.1, 39.0) if fever else rng.uniform(36.4, 37.4), 1),
        "spo2": rng.randint(88, 93) if flow.cardiac else rng.randint(95, 100),
        "haemoglobin": round(min(14.5, max(7.5, rng.gauss(11.4, 1.0))), 1),
    }
    asa = rng.choices([1, 2, 3], [70, 25, 5])[0]
    flow.procedures, side = _plan(child["lahshal"], int(months), rng)
    data: dict[str, tuple[dict[str, Any], str]] = {
        "vitals": (vitals, "Cân bằng cân điện tử; đo chiều dài nằm." if months < 24 else ""),
        "pediatric": (
            {
                "history": rng.choice(["Sinh thường, đủ tháng.", "Sinh mổ 38 tuần.", "Viêm phổi lúc 4 tháng tuổi."]),
                "findings": "Thổi tâm thu 2/6." if flow.cardiac else "Tim phổi bình thường.",
                "uri": rng.random() < 0.08,
                "cardiac_concern": flow.cardiac,
                "syndrome": "",
            },
            "",
        ),
        "anesthesia": (
            {
                "asa": str(asa),
                "airway": "difficult" if rng.random() < 0.05 else "normal",
                "mallampati": f"Mallampati {rng.choice(['I', 'I', 'II', 'III'])}",
                "accepts_higher_asa": asa > 2 and rng.random() < 0.5,
            },
            "",
        ),
        "surgical": ({"lahshal": child["lahshal"], "procedures": flow.procedures, "laterality": side}, ""),
        "dental": (
            {
                "findings": rng.choice(["Răng sữa bình thường.", "Sâu răng hàm, hẹn điều trị.", "Chưa mọc răng."]),
                "orthodontic_referral": months > 72 and rng.random() < 0.4,
            },
            "",
        ),
        "speech": (
            {
                "findings": "Chưa đánh giá được (trẻ nhỏ)." if months < 24 else "Giọng mũi hở nhẹ.",
                **({"velopharyngeal": rng.choice(["0", "1", "2"])} if months >= 24 else {}),
                "speech_therapy_referral": months >= 36 and rng.random() < 0.5,
            },
            "",
        ),
        "photos": ({}, "Ảnh mặt thẳng, nghiêng và nền mũi; mẹ đồng ý chụp."),
    }

    def task(station: str, together: threading.Barrier | None = None) -> Task:
        values, note = data[station]
        return Task(flow, station, values, note, together)

    if index % 10 == 5:  # two clinicians correct the vitals at once, from the same version
        flow.conflict_pair = True
        pair = threading.Barrier(2, timeout=2.0)
        again = {**vitals, "weight_kg": round(weight + rng.choice([-0.1, 0.1]), 2)}
        flow.stages.append([task("vitals", pair), Task(flow, "vitals", again, "Cân lại.", pair)])
    else:
        flow.stages.append([task("vitals")])
    if index % 4 == 1:  # a joint clinic: several stations of the same child at the same moment
        for group in (["pediatric", "anesthesia", "surgical"], ["dental", "speech", "photos"]):
            barrier = threading.Barrier(len(group), timeout=2.0)
            flow.stages.append([task(s, barrier) for s in group])
    else:
        flow.stages.extend([task(s)] for s in STATIONS[1:])
    flow.stages.append([Task(flow, "decision")])
    return flow


def decision_for(flow: Flow, findings: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """What the surgeon and the anaesthesiologist decide, from the findings they read."""
    failing = [f for f in findings if f.get("result") == "fail"]
    if flow.cardiac and flow.index % 2 == 0:
        return {"outcome": "referred", "referral": "cardiology", "referred_to": "Bệnh viện Tim Hà Nội"}
    if failing and flow.index % 4 != 0:
        code = next((f["deferral_code"] for f in failing if f.get("deferral_code")), None)
        return {
            "outcome": "deferred",
            "deferral_code": code or "OTHER",
            "deferral_note": "" if code else f"Không đạt: {', '.join(f['rule'] for f in failing)}",
            "rescreen_date": (today + dt.timedelta(days=90)).isoformat(),
        }
    decision: dict[str, Any] = {"outcome": "accepted", "procedures": flow.procedures, "priority": 1 + flow.index % 5}
    if failing:
        decision["override_reason"] = "Gia đình ở xa; gây mê đồng ý, kiểm tra lại buổi sáng trước mổ."
    return decision


# ---- measuring -------------------------------------------------------------------------------


@dataclass
class ActionStats:
    samples_ms: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.actions: dict[str, ActionStats] = {name: ActionStats() for name in ACTIONS}
        self.reconnects = 0
        self.missed_rendezvous = 0
        self.unresolved_conflicts = 0
        self.problems: list[str] = []  # what is wrong with the day beyond single requests

    def record(self, action: str, ms: float, status: int, detail: str, conflict_ok: bool) -> None:
        with self.lock:
            stats = self.actions[action]
            stats.samples_ms.append(ms)
            if 200 <= status < 300:
                return
            if status == 409 and conflict_ok:
                stats.conflicts += 1
                return
            stats.errors += 1
            if len(stats.examples) < 3:
                stats.examples.append(f"{status or 'no answer'}: {detail[:300]}")

    def add(self, what: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + n)

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)


class User:
    """One person's device: a token and a keep-alive connection to the server."""

    def __init__(
        self, port: int, token: str, stats: Stats | None, name: str, seed: int, think_ms: float, keep_alive: bool
    ) -> None:
        self.port, self.token, self.stats, self.name = port, token, stats, name
        self.rng = random.Random(f"{seed}-{name}")
        self.think_ms = think_ms
        self.keep_alive = keep_alive
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def think(self, factor: float = 1.0) -> None:
        if self.think_ms > 0:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think_ms * factor / 1000)

    def call(self, action: str, method: str, path: str, body: Any = None, conflict_ok: bool = False) -> tuple[int, Any]:
        """(status, JSON body) — status 0 when there was no answer. Timed and counted under `action`."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Accept-Language": "vi",
            "User-Agent": USER_AGENT if self.stats is not None else "screening-day-read-back",
            "Connection": "keep-alive" if self.keep_alive else "close",
        }
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            started = time.perf_counter()
            try:
                self.conn.request(method, "/api/v1" + path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 0:  # the server closed an idle keep-alive connection: once more
                    if self.stats:
                        self.stats.add("reconnects")
                    continue
                return self._failed(action, started, exc, conflict_ok)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                return self._failed(action, started, exc, conflict_ok)
            ms = (time.perf_counter() - started) * 1000
            if response.will_close or not self.keep_alive:
                self.close()
            text = raw.decode("utf-8", "replace")
            try:
                data = json.loads(text) if text else None
            except ValueError:
                data = None
            if self.stats is not None:
                self.stats.record(action, ms, response.status, f"{method} {path} -> {text}", conflict_ok)
            return response.status, data
        raise AssertionError("unreachable")

    def _failed(self, action: str, started: float, exc: BaseException, conflict_ok: bool) -> tuple[int, Any]:
        if self.stats is not None:
            ms = (time.perf_counter() - started) * 1000
            self.stats.record(action, ms, 0, f"{type(exc).__name__}: {exc}", conflict_ok)
        return 0, None


# ---- the day ---------------------------------------------------------------------------------


class Day:
    def __init__(self, args: argparse.Namespace, port: int, seeded: dict[str, Any], today: dt.date) -> None:
        self.args, self.port, self.today = args, port, today
        self.mission_id: int = seeded["mission_id"]
        self.tokens: dict[str, list[str]] = seeded["tokens"]
        self.flows = [_child_flow(i, c, today, args.seed) for i, c in enumerate(seeded["children"])]
        self.gate: deque[Flow] = deque(self.flows)
        self.registered: list[Flow] = []
        self.stats = Stats()
        self.cond = threading.Condition()
        self.queues: dict[str, deque[Task]] = {name: deque() for name in [*STATIONS, "decision"]}
        # Tasks to be done together come first, in the order they were released: every
        # clinician of a group then takes the same child's task next, and none waits in vain.
        self.together: dict[str, deque[Task]] = {name: deque() for name in STATIONS}
        self.finished = 0
        self.done = threading.Event()
        self.deadline = 0.0
        # The last successful save of each (visit, station): what a read-back must find.
        self.last_saved: dict[tuple[int, str], dict[str, Any]] = {}
        self.outcomes: Counter[str] = Counter()

    # -- the queues --

    def running(self) -> bool:
        return not self.done.is_set() and time.monotonic() < self.deadline

    def next_arrival(self) -> Flow | None:
        with self.cond:
            return self.gate.popleft() if self.gate else None

    def release(self, flow: Flow) -> None:
        """Send the child on to the next stage of the day (the first after registration)."""
        with self.cond:
            flow.stage += 1
            if flow.stage >= len(flow.stages):
                self._finish(flow)
                return
            tasks = flow.stages[flow.stage]
            flow.pending = len(tasks)
            for task in tasks:
                (self.queues if task.together is None else self.together)[task.station].append(task)
            self.cond.notify_all()

    def _finish(self, flow: Flow) -> None:
        self.finished += 1
        if self.finished >= len(self.flows):
            self.done.set()
            self.cond.notify_all()

    def abandon(self, flow: Flow) -> None:
        with self.cond:
            self._finish(flow)

    def task_done(self, task: Task) -> None:
        with self.cond:
            task.flow.pending -= 1
            if task.flow.pending > 0:
                return
        self.release(task.flow)

    def take(self, stations: Sequence[str], timeout: float) -> Task | None:
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for queues in (self.together, self.queues):
                    for name in stations:
                        if queues.get(name):
                            return queues[name].popleft()
                left = end - time.monotonic()
                if left <= 0 or self.done.is_set():
                    return None
                self.cond.wait(left)

    # -- the people --

    def user(self, token: str, name: str) -> User:
        keep_alive = not self.args.new_connections
        return User(self.port, token, self.stats, name, self.args.seed, self.args.think_ms, keep_alive)

    def registrar(self, user: User) -> None:
        n = 0
        while self.running():
            flow = self.next_arrival()
            if flow is None:
                break
            query = urllib.parse.urlencode({"q": flow.search, "limit": 20})
            user.call("search", "GET", f"/patients?{query}")  # is this child known already?
            user.think()
            status, body = user.call(
                "register", "POST", f"/missions/{self.mission_id}/visits", {"patient_id": flow.child["id"]}
            )
            if status in (200, 201) and isinstance(body, dict):
                flow.visit_id = int(body["id"])
                with self.cond:
                    self.registered.append(flow)
                self.release(flow)
            else:
                self.stats.problem(f"child {flow.child['id']} could not be registered ({status})")
                self.abandon(flow)
            n += 1
            if n % 8 == 0:
                user.think()
                user.call("board", "GET", f"/missions/{self.mission_id}/screening-board")
            user.think()

    def board_watcher(self, user: User, searches: bool) -> None:
        n = 0
        while self.running():
            user.call("board", "GET", f"/missions/{self.mission_id}/screening-board")
            n += 1
            if searches and n % 3 == 0:
                with self.cond:
                    flow = user.rng.choice(self.registered) if self.registered else None
                if flow is not None:
                    words = flow.child["search"].split()
                    q = user.rng.choice([flow.child["search"], f"{words[-1]} {words[0]}", flow.child["record_number"]])
                    user.call("search", "GET", "/patients?" + urllib.parse.urlencode({"q": q}))
            self.done.wait(user.rng.uniform(0.8, 1.2) * self.args.board_every)

    def clinician(self, user: User, station: str) -> None:
        stations = ["decision", station] if station in DECIDERS else [station]
        while self.running():
            task = self.take(stations, timeout=0.25)
            if task is None:
                continue
            try:
                if task.station == "decision":
                    self.decide(user, task)
                else:
                    self.evaluate(user, task)
            finally:
                self.task_done(task)
            user.think()

    def _read(self, user: User, flow: Flow) -> dict[str, Any] | None:
        status, body = user.call("read visit", "GET", f"/visits/{flow.visit_id}")
        return body if status == 200 and isinstance(body, dict) else None

    def evaluate(self, user: User, task: Task) -> None:
        flow, station = task.flow, task.station
        visit = self._read(user, flow)
        user.think(0.5)  # the clinician looks at the child, then saves
        if task.together is not None:
            try:
                task.together.wait()
            except threading.BrokenBarrierError:
                self.stats.add("missed_rendezvous")
        for attempt in range(2):
            current = (visit or {}).get("evaluations", {}).get(station)
            body = {"data": task.data, "note": task.note, "version": current["version"] if current else None}
            path = f"/visits/{flow.visit_id}/evaluations/{station}"
            status, saved = user.call(f"save {station}", "PUT", path, body, conflict_ok=attempt == 0)
            if status == 200 and isinstance(saved, dict):
                with self.cond:
                    key = (flow.visit_id, station)
                    if saved["version"] > self.last_saved.get(key, {}).get("version", 0):
                        self.last_saved[key] = saved
                return
            if status != 409:
                return
            if attempt == 0:  # someone saved in between: read what is there now, save again
                visit = self._read(user, flow)
            else:
                self.stats.add("unresolved_conflicts")

    def decide(self, user: User, task: Task) -> None:
        flow = task.flow
        visit = self._read(user, flow)
        user.think(0.5)
        decision = decision_for(flow, (visit or {}).get("findings", []), self.today)
        for attempt in range(2):
            current = (visit or {}).get("decision")
            body = {**decision, "version": current["version"] if current else None}
            path = f"/visits/{flow.visit_id}/decision"
            status, _saved = user.call("decision", "PUT", path, body, conflict_ok=attempt == 0)
            if status == 200:
                flow.outcome = decision["outcome"]
                return
            if status != 409:
                return
            if attempt == 0:
                visit = self._read(user, flow)
            else:
                self.stats.add("unresolved_conflicts")

    # -- the whole day --

    def play(self) -> float:
        """Run the day; returns its wall time in seconds."""
        people: list[tuple[str, Callable[[User], None], str]] = []
        for i in range(REGISTRARS):
            people.append((f"registrar-{i}", self.registrar, self.tokens["registrars"][i]))
        for i in range(COORDINATORS):
            people.append((f"coordinator-{i}", lambda u: self.board_watcher(u, True), self.tokens["coordinators"][i]))
        for i in range(WALL_SCREENS):  # the board on a wall screen, opened by a coordinator
            token = self.tokens["coordinators"][i % COORDINATORS]
            people.append((f"wall-screen-{i}", lambda u: self.board_watcher(u, False), token))
        for k in range(self.args.users - len(people)):
            station = STAFFING[k % len(STAFFING)]
            token = self.tokens["clinicians"][k % CLINICIANS]
            people.append((f"clinician-{k}-{station}", functools.partial(self.clinician, station=station), token))

        def run(name: str, role: Callable[[User], None], token: str) -> None:
            user = self.user(token, name)
            try:
                role(user)
            except Exception as exc:  # a bug in the bench must not hang the day
                self.stats.problem(f"{name} stopped: {type(exc).__name__}: {exc}")
                raise
            finally:
                user.close()

        threads = [threading.Thread(target=run, args=p, name=p[0], daemon=True) for p in people]
        started = time.perf_counter()
        self.deadline = time.monotonic() + self.args.timeout
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, self.deadline - time.monotonic() + 60))
        wall = time.perf_counter() - started
        self.done.set()
        if any(t.is_alive() for t in threads):
            self.stats.problem("some users were still busy after the time limit")
        unfinished = len(self.flows) - self.finished
        if unfinished:
            self.stats.problem(f"{unfinished} children were not through the day within {self.args.timeout:.0f} s")
        self.outcomes = Counter(f.outcome or "no decision" for f in self.flows)
        return wall

    def verify(self) -> list[str]:
        """Read every visit back (untimed): each station's evaluation must be the last one saved,
        and each registered child must have every station and a decision."""
        reader = User(self.port, self.tokens["coordinators"][0], None, "verify", self.args.seed, 0, True)
        wrong: list[str] = []
        try:
            for flow in self.registered:
                status, visit = reader.call("read visit", "GET", f"/visits/{flow.visit_id}")
                if status != 200 or not isinstance(visit, dict):
                    wrong.append(f"visit {flow.visit_id}: read back answered {status}")
                    continue
                evaluations = visit.get("evaluations", {})
                missing = [s for s in STATIONS if s not in evaluations]
                if missing:
                    wrong.append(f"visit {flow.visit_id}: no evaluation at {', '.join(missing)}")
                if visit.get("decision") is None:
                    wrong.append(f"visit {flow.visit_id}: no decision")
                for station, stored in evaluations.items():
                    last = self.last_saved.get((flow.visit_id, station))
                    if last is not None and (stored["version"], stored["data"]) != (last["version"], last["data"]):
                        wrong.append(f"visit {flow.visit_id} {station}: stored v{stored['version']}, last saved "
                                     f"v{last['version']}")  # fmt: skip
                if flow.conflict_pair and evaluations.get("vitals", {}).get("version") != 2:
                    wrong.append(f"visit {flow.visit_id}: vitals corrected twice but at version "
                                 f"{evaluations.get('vitals', {}).get('version')}")  # fmt: skip
        finally:
            reader.close()
        return wrong


# ---- databases and the server ------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" or "postgres"
    label: str
    env: dict[str, str]


@contextmanager
def sqlite_database(folder: Path, keep: bool) -> Iterator[Database]:
    path = folder / "screening-day.sqlite3"
    try:
        yield Database("sqlite", f"SQLite {path}", {"SQLITE_PATH": str(path)})
    finally:
        for suffix in ("", "-wal", "-shm"):
            if not keep:
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_database(name: str) -> Iterator[Database]:
    import psycopg
    from psycopg import sql

    if name in PG_UNTOUCHABLE:
        raise SystemExit(f"refusing to touch the database {name!r}")
    admin = f"postgresql://postgres@{HOST}:{PG_PORT}/postgres"

    def run(statement: sql.Composed) -> None:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    run(drop)  # what an interrupted run left behind
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = f"postgres://postgres@{HOST}:{PG_PORT}/{name}"
        yield Database("postgres", f"PostgreSQL {name} on {HOST}:{PG_PORT}", {"DATABASE_URL": url})
    finally:
        run(drop)


def app_env(db: Database, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cleftmission.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS=HOST,
        STATIC_MANIFEST="false",  # no collectstatic for an API run
        MEDIA_ROOT=str(folder / "media"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(db.env)
    return env


def prepare(db: Database, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    def run(command: list[str]) -> str:
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=600, capture_output=True, text=True)
        if done.returncode != 0:
            lines = (done.stdout + done.stderr).splitlines()[-30:]
            raise SystemExit(f"{' '.join(command[1:3])} failed ({done.returncode}):\n" + "\n".join(lines))
        return done.stdout

    started = time.perf_counter()
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"])
    migrated = time.perf_counter()
    output = run(
        [sys.executable, str(Path(__file__).resolve()), "--seed-database", "--children", str(args.children),
         "--seed", str(args.seed)]
    )  # fmt: skip
    seeded: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    print(
        f"migrate {migrated - started:.1f} s; seeded 1 mission, {REGISTRARS} registrars, {CLINICIANS} clinicians, "
        f"{COORDINATORS} coordinators and {len(seeded['children'])} children in {time.perf_counter() - migrated:.1f} s"
    )
    return seeded


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    pid: int
    access_log: Path
    server_log: Path


@contextmanager
def server(env: dict[str, str], folder: Path, args: argparse.Namespace) -> Iterator[Server]:
    """gunicorn on 127.0.0.1, ready (its /healthz answers); stopped however the block ends."""
    port = free_port()
    access_log, server_log = folder / "access.log", folder / "server.log"
    command = [
        str(BIN / "gunicorn"), "cleftmission.wsgi",
        "--bind", f"{HOST}:{port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--worker-class", "gthread",
        "--keep-alive", "30",
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--access-logfile", str(access_log),
        "--access-logformat", "%(a)s %(m)s %(U)s %(s)s %(M)s %(p)s",
    ]  # fmt: skip
    with server_log.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        for _ in range(300):  # 60 s at most
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start:\n{tail(server_log)}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{tail(server_log)}")
        yield Server(port, process.pid, access_log, server_log)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers gracefully
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers
            process.wait(timeout=10)


def cpu_seconds(pids: Sequence[int], with_children: bool = False) -> float:
    """User and system CPU seconds of these processes (and their children: gunicorn's workers),
    from /proc; NaN where that cannot be read."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        every = list(pids)
        if with_children:
            for pid in pids:
                every += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        for pid in every:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError, IndexError):
        return float("nan")
    return total


class PostgresSampler(threading.Thread):
    """Every 100 ms, from pg_stat_activity: which of the bench database's statements wait for a
    lock held by another transaction, and what the holders are doing (writes that queue behind
    each other show here); and the CPU time of the backends serving the day."""

    def __init__(self, name: str) -> None:
        super().__init__(name="lock-sampler", daemon=True)
        self.database = name
        self.stop = threading.Event()
        self.samples = 0
        self.with_waits = 0
        self.waiting = 0
        self.statements: Counter[str] = Counter()
        self.holders: Counter[str] = Counter()
        self.cpu_by_pid: dict[int, float] = {}
        self.failed = ""

    def run(self) -> None:
        import psycopg

        try:
            url = f"postgresql://postgres@{HOST}:{PG_PORT}/{self.database}"
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                while not self.stop.is_set():
                    rows = conn.execute(
                        "SELECT pid, wait_event_type = 'Lock', query, state, pg_blocking_pids(pid) "
                        "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                        [self.database],
                    ).fetchall()
                    by_pid = {int(row[0]): (str(row[2]), str(row[3])) for row in rows}
                    waits = [row for row in rows if row[1]]
                    waiting_pids = {int(row[0]) for row in waits}
                    self.samples += 1
                    self.with_waits += bool(waits)
                    self.waiting += len(waits)
                    self.statements.update(self.describe(str(row[2])) for row in waits)
                    # The head of each queue: a holder that is not itself waiting for a lock.
                    holders = {pid for row in waits for pid in row[4] or []} - waiting_pids
                    for pid in holders:
                        query, state = by_pid.get(pid, ("?", "?"))
                        self.holders[f"{state}: {self.describe(query)}"] += 1
                    for pid in by_pid:
                        self.cpu_by_pid[pid] = cpu_seconds([pid])
                    self.stop.wait(0.1)
        except Exception as exc:  # the sampler only informs; the day goes on without it
            self.failed = f"{type(exc).__name__}: {exc}"

    @staticmethod
    def describe(query: str) -> str:
        """SELECT … FROM screening_screeningvisit JOIN missions_mission … FOR UPDATE"""
        words = query.split()
        tables = list(dict.fromkeys(re.findall(r'(?:FROM|JOIN|INTO|UPDATE) "(\w+)"', query)))
        if not tables and len(query) >= 1000:  # pg_stat_activity cuts statements at 1 kB
            first = re.search(r'"(\w+)"\."', query)
            return f"{words[0]} {first.group(1) if first else ''}… (statement cut at 1 kB)"
        if not tables:
            return query[:60]
        lock = " FOR UPDATE" if "FOR UPDATE" in query else ""
        return f"{words[0]} {' JOIN '.join(tables)}{lock}"

    def summary(self) -> list[str]:
        if self.failed:
            return [f"lock sampler failed: {self.failed}"]
        if not self.samples:
            return []
        share = self.with_waits / self.samples
        lines = [
            f"row-lock waits: in {share:.0%} of {self.samples} samples (every 100 ms) a request was waiting for a "
            f"lock held by another; {self.waiting / self.samples:.2f} waiting on average"
        ]
        total = sum(self.statements.values())
        lines += [f"  {n / total:>4.0%} waiting: {what}" for what, n in self.statements.most_common(4)]
        total = sum(self.holders.values())
        lines += [
            f"  {n / total:>4.0%} holding it (head of the queue): {what}" for what, n in self.holders.most_common(4)
        ]
        return lines

    def cpu(self) -> float:
        return sum(v for v in self.cpu_by_pid.values() if v == v)  # NaN: a backend gone before it was read


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---- reporting -------------------------------------------------------------------------------

SERVER_ACTIONS = [
    (re.compile(r"^GET /api/v1/patients$"), "search"),
    (re.compile(r"^POST /api/v1/missions/\d+/visits$"), "register"),
    (re.compile(r"^GET /api/v1/visits/\d+$"), "read visit"),
    (re.compile(r"^PUT /api/v1/visits/\d+/evaluations/(\w+)$"), "save {}"),
    (re.compile(r"^PUT /api/v1/visits/\d+/decision$"), "decision"),
    (re.compile(r"^GET /api/v1/missions/\d+/screening-board$"), "board"),
]


def server_times(access_log: Path) -> tuple[dict[str, list[float]], Counter[str]]:
    """Milliseconds gunicorn measured per action (from reading the request to sending the answer:
    without the wait for a free worker thread). Only the day's requests: not /healthz, not the read-back."""
    times: dict[str, list[float]] = {name: [] for name in ACTIONS}
    workers: Counter[str] = Counter()  # requests per worker process: keep-alive connections stay with one
    try:
        lines = access_log.read_text(errors="replace").splitlines()
    except OSError:
        return times, workers
    for line in lines:
        parts = line.split()
        if len(parts) != 6 or parts[0] != USER_AGENT or not parts[4].isdigit():
            continue
        workers[parts[5]] += 1
        request = f"{parts[1]} {parts[2]}"
        for pattern, name in SERVER_ACTIONS:
            match = pattern.match(request)
            if match:
                action = name.format(*match.groups())
                if action in times:
                    times[action].append(float(parts[4]))
                break
    return times, workers


def percentile(samples: list[float], p: int) -> float:
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


@dataclass
class Result:
    db: Database
    wall_s: float
    stats: Stats
    server_ms: dict[str, list[float]]
    per_worker: Counter[str]
    outcomes: Counter[str]
    wrong: list[str]
    log_summary: list[str]
    load_before: str
    load_after: str
    cpu: dict[str, float]
    locks: list[str]

    @property
    def requests(self) -> int:
        return sum(len(a.samples_ms) for a in self.stats.actions.values())

    @property
    def errors(self) -> int:
        return sum(a.errors for a in self.stats.actions.values()) + self.stats.unresolved_conflicts

    @property
    def conflicts(self) -> int:
        return sum(a.conflicts for a in self.stats.actions.values())

    def slow(self) -> list[str]:
        return [
            f"{name} p95 {percentile(a.samples_ms, 95):.0f} ms"
            for name, a in self.stats.actions.items()
            if a.samples_ms and percentile(a.samples_ms, 95) >= TARGET_P95_MS
        ]

    @property
    def aim_holds(self) -> bool:
        return not self.errors and not self.slow() and not self.wrong and not self.stats.problems


def summarize_log(server_log: Path) -> list[str]:
    """The server's warnings and errors, counted by kind (Django logs every 4xx as a warning)."""
    try:
        text = server_log.read_text(errors="replace")
    except OSError:
        return []
    kinds: Counter[str] = Counter()
    for line in text.splitlines():
        if "database is locked" in line:
            kinds["sqlite: database is locked"] += 1
        elif line.startswith("Traceback"):
            kinds["Python traceback"] += 1
        elif re.match(r"^(Conflict|Not Found|Bad Request|Forbidden|Unauthorized|Unprocessable|Internal Server)", line):
            kinds[line.split(":")[0]] += 1
        elif "[CRITICAL]" in line or "WORKER TIMEOUT" in line or "[ERROR]" in line:
            kinds[re.sub(r"^\[[^]]*\] \[\d+\] ", "", line)[:100]] += 1
    return [f"{n:>6} × {kind}" for kind, n in kinds.most_common(10)]


def print_result(r: Result, args: argparse.Namespace) -> None:
    s = r.stats
    print(f"\n== {r.db.label}: results")
    print(f"load average (1, 5, 15 min) before {r.load_before}, after {r.load_after} · {os.cpu_count()} CPUs")
    used = sum(r.cpu.values())
    print(
        "CPU during the day: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in r.cpu.items())
        + f" = {used / r.wall_s:.2f} of {os.cpu_count()} CPUs over the {r.wall_s:.0f} s (the rest is other work)"
    )
    print(
        f"{r.requests:,} requests in {r.wall_s:.1f} s wall: {r.requests / r.wall_s:.1f} req/s · "
        f"{args.users} users, think time {args.think_ms:.0f} ms, "
        f"{'a new connection per request' if args.new_connections else 'keep-alive connections'} · "
        f"gunicorn {args.workers} workers × {args.threads} threads "
        f"(requests per worker: {' / '.join(f'{n:,}' for _pid, n in r.per_worker.most_common())})"
    )
    counts = [n for _pid, n in r.per_worker.most_common()]
    if len(counts) > 1 and counts[0] > 1.5 * counts[-1]:
        print(
            "  note: uneven workers. gunicorn keeps a keep-alive connection with the worker that accepted it, "
            "so the busier one queues its requests (--new-connections spreads them)"
        )
    decided = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items()))
    print(f"children: {sum(r.outcomes.values())} ({decided})")
    print(
        f"409 conflicts: {r.conflicts} (each retried once after re-reading; unresolved: {s.unresolved_conflicts}) · "
        f"stations saved together that did not meet: {s.missed_rendezvous} · keep-alive reconnects: {s.reconnects}"
    )
    header = f"{'action':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(f"\n{header}{'server p50':>12}{'server p95':>12}{'409s':>6}{'errors':>8}")
    print("-" * (len(header) + 38))
    every: list[float] = []
    for name in ACTIONS:
        a = s.actions[name]
        every += a.samples_ms
        if not a.samples_ms:
            continue
        server = r.server_ms.get(name, [])
        print(
            f"{name:<16}{len(a.samples_ms):>7}{percentile(a.samples_ms, 50):>9.1f}{percentile(a.samples_ms, 95):>9.1f}"
            f"{percentile(a.samples_ms, 99):>9.1f}{max(a.samples_ms):>9.1f}"
            f"{percentile(server, 50):>12.1f}{percentile(server, 95):>12.1f}{a.conflicts:>6}{a.errors:>8}"
        )
    print("-" * (len(header) + 38))
    all_server = [x for v in r.server_ms.values() for x in v]
    print(
        f"{'all':<16}{len(every):>7}{percentile(every, 50):>9.1f}{percentile(every, 95):>9.1f}"
        f"{percentile(every, 99):>9.1f}{max(every, default=0):>9.1f}"
        f"{percentile(all_server, 50):>12.1f}{percentile(all_server, 95):>12.1f}{r.conflicts:>6}{r.errors:>8}"
    )
    for name, a in s.actions.items():
        for example in a.examples:
            print(f"  error, {name}: {example}")
    for problem in s.problems:
        print(f"  problem: {problem}")
    if r.wrong:
        print(f"read-back: {len(r.wrong)} differences, e.g.:")
        for line in r.wrong[:5]:
            print(f"  {line}")
    else:
        print("read-back: every visit has all 7 stations and a decision; each station holds its last save")
    for line in r.locks:
        print(line)
    if r.log_summary:
        print("server log:")
        for line in r.log_summary:
            print(f"  {line}")
    if r.aim_holds:
        print(f"AIM HOLDS on {r.db.kind}: no errors, every action's p95 under {TARGET_P95_MS:.0f} ms")
    else:
        why = [f"{r.errors} errors"] if r.errors else []
        why += r.slow() + (["read-back differences"] if r.wrong else []) + s.problems[:3]
        print(f"AIM DOES NOT HOLD on {r.db.kind}: {'; '.join(why)}")


def print_comparison(results: list[Result]) -> None:
    print("\n== side by side (client p95 ms)")
    print(f"{'action':<16}" + "".join(f"{r.db.kind:>12}" for r in results))
    for name in ACTIONS:
        print(f"{name:<16}" + "".join(f"{percentile(r.stats.actions[name].samples_ms, 95):>12.1f}" for r in results))
    print(f"{'req/s':<16}" + "".join(f"{r.requests / r.wall_s:>12.1f}" for r in results))
    print(f"{'errors':<16}" + "".join(f"{r.errors:>12}" for r in results))
    print(f"{'aim holds':<16}" + "".join(f"{'yes' if r.aim_holds else 'NO':>12}" for r in results))


# ---- main ------------------------------------------------------------------------------------


def run_one(db: Database, folder: Path, args: argparse.Namespace) -> Result:
    print(f"\n== {db.label}")
    env = app_env(db, folder)
    seeded = prepare(db, env, args)
    today = dt.datetime.now(TIME_ZONE).date()
    with server(env, folder, args) as srv:
        print(f"gunicorn on {HOST}:{srv.port}; playing the day ({args.children} children, {args.users} users)…")
        day = Day(args, srv.port, seeded, today)
        load_before = load_average()
        server_cpu, client_cpu = cpu_seconds([srv.pid], with_children=True), time.process_time()
        sampler = PostgresSampler(args.pg_database) if db.kind == "postgres" else None
        if sampler is not None:
            sampler.start()
        wall = day.play()
        if sampler is not None:
            sampler.stop.set()
            sampler.join(timeout=10)
        cpu = {
            "gunicorn": cpu_seconds([srv.pid], with_children=True) - server_cpu,
            "this bench's users": time.process_time() - client_cpu,
        }
        if sampler is not None:  # the backends that served the day, as last seen by the sampler
            cpu["PostgreSQL backends"] = sampler.cpu()
        load_after = load_average()
        wrong = day.verify()
    server_ms, per_worker = server_times(srv.access_log)
    return Result(
        db=db,
        wall_s=wall,
        stats=day.stats,
        server_ms=server_ms,
        per_worker=per_worker,
        outcomes=day.outcomes,
        wrong=wrong,
        log_summary=summarize_log(srv.server_log),
        load_before=load_before,
        load_after=load_after,
        cpu=cpu,
        locks=sampler.summary() if sampler is not None else [],
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.seed_database:
        print(json.dumps(seed_database(args.children, args.seed), ensure_ascii=False))
        return 0
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results: list[Result] = []
    for kind in kinds:
        folder = Path(tempfile.mkdtemp(prefix=f"cleftmission-screening-day-{kind}-"))
        try:
            databases = sqlite_database(folder, args.keep) if kind == "sqlite" else postgres_database(args.pg_database)
            with databases as db:
                result = run_one(db, folder, args)
            print_result(result, args)
            results.append(result)
        finally:
            if args.keep:
                print(f"(kept {folder})")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    if len(results) > 1:
        print_comparison(results)
    return 0 if all(r.aim_holds for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
