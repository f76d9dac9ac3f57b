"""How CleftMission holds up as a national registry.

Grows the demo generator (cleftmission.core.demo) to 100,000 children, ten years of missions
and a proportional number of visits and guardians, in its own database, then times the pages a
coordinator uses most, through django.test.Client against that real database:

- search for a child (/children/?q=...): names with and without diacritics, a guardian's phone
  number, a record number;
- a child's page (/children/<id>/);
- the mission list (/missions/).

Prints p50 and p95 in milliseconds for each, with the number of SQL queries per request and the
slowest of them; for a page over the target it prints that query's plan.

    DEBUG=true .venv/bin/python bench/scale.py                 # SQLite file under /tmp, rebuilt
    DEBUG=true .venv/bin/python bench/scale.py --reuse         # keep the generated file
    DATABASE_URL=postgres://... DEBUG=true .venv/bin/python bench/scale.py   # an EMPTY PostgreSQL database

Never points at db.sqlite3: the SQLite file is its own (SQLITE_PATH is set before Django starts).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = Path("/tmp/cleftmission-bench.sqlite3")
TARGET_P95_MS = 100.0
SLOW_MS = 500.0  # a page this slow is timed SLOW_REQUESTS times, not --requests
SLOW_REQUESTS = 20


@dataclass
class Timing:
    name: str
    samples_ms: list[float]
    queries: int
    slowest_sql: str
    slowest_ms: float

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10, help="years of missions")
    parser.add_argument("--volunteers", type=int, default=1_500)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE, help="the SQLite file (not db.sqlite3)")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated database")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after generating (Django never does)")
    return parser.parse_args(argv)


def setup_django(args: argparse.Namespace) -> str:
    """Point Django at the bench's own database and start it. Returns a description of it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleftmission.settings")
    if os.environ.get("DATABASE_URL"):
        where = "PostgreSQL (DATABASE_URL)"
    else:
        path = args.sqlite.resolve()
        if path == (ROOT / "db.sqlite3").resolve():
            sys.exit("Refusing to use the development database db.sqlite3; pick another --sqlite file.")
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
        where = f"SQLite {path}"
    import django

    django.setup()
    return where


def prepare(args: argparse.Namespace) -> None:
    """Migrate, then generate the registry unless it is already there (with --reuse)."""
    from django.core.management import call_command

    from cleftmission.core import demo
    from cleftmission.patients.models import Patient

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if demo.is_loaded():
        if not args.reuse:
            sys.exit("The database already holds data; give an empty database, or --reuse to measure it as is.")
        print(f"reusing the generated registry ({Patient.objects.count():,} children)")
        return
    if Patient.objects.exists():
        sys.exit("The database already holds children that are not the bench's; give an empty database.")
    scale = demo.Scale(children=args.children, years=args.years, volunteers=args.volunteers)
    print(f"generating {scale.children:,} children, {scale.years} years of missions, {scale.volunteers:,} volunteers…")
    result = demo.load(scale, progress=lambda message: print(f"  {message}  ({time.perf_counter() - started:.0f} s)"))
    print(f"generation: {result.seconds:.1f} s")
    if args.analyze:
        analyze()


def analyze() -> None:
    """Give the query planner statistics, as a deployment would have after some use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def print_counts() -> None:
    from cleftmission.core import demo

    print()
    for name, n in demo.counts().items():
        print(f"  {name:<26} {n:>9,}")


@dataclass
class Scenario:
    name: str
    urls: Callable[[int], str]  # request number -> URL
    who: str = "coordinator"


def scenarios(rng: random.Random) -> list[Scenario]:
    from cleftmission.patients.models import Guardian, Patient

    ids = list(Patient.objects.values_list("pk", flat=True))
    phones = list(Guardian.objects.exclude(phone="").order_by("?").values_list("phone", flat=True)[:500])

    def local_format(e164: str) -> str:  # +84912345678 -> 0912 345 678, as a parent would say it
        d = "0" + e164[3:]
        return f"{d[:4]} {d[4:7]} {d[7:]}"

    def record_number(_: int) -> str:
        return f"/children/?q=CM-{rng.choice(ids):06d}"

    def phone(_: int) -> str:
        return f"/children/?q={local_format(rng.choice(phones))}".replace(" ", "+")

    def phone_end(_: int) -> str:
        return f"/children/?q={rng.choice(phones)[-6:]}"

    def fixed(url: str) -> Callable[[int], str]:
        return lambda _: url

    names = ["nguyen van an", "Trần Thị", "le minh", "hoang bao"]
    by_name = [fixed(f"/children/?q={q}".replace(" ", "+")) for q in names]
    kinds = [*by_name, phone, record_number]
    result = [Scenario("search, mixed", lambda i: kinds[i % len(kinds)](i))]
    for query, url in zip(names, by_name, strict=True):
        result.append(Scenario(f"  q={query}", url))
    result.append(Scenario("  q=<phone 0912 345 678>", phone))
    result.append(Scenario("  q=<record CM-012345>", record_number))
    result.append(Scenario("child page", lambda _i: f"/children/{rng.choice(ids)}/"))
    result.append(Scenario("mission list", fixed("/missions/")))
    # Not in the target list, shown for what comes next: a phone's last digits, and the
    # registrar's view (children of the missions they are on) at intake.
    result.append(Scenario("(q=<last 6 digits of a phone>)", phone_end))
    result.append(Scenario("(children list, registrar)", fixed("/children/"), who="registrar"))
    result.append(Scenario("(q=nguyen van an, registrar)", by_name[0], who="registrar"))
    return result


def measure(client: Any, scenario: Scenario, requests: int, warmup: int) -> Timing:
    """Time `requests` requests after `warmup` untimed ones. A page slower than SLOW_MS on its
    first requests is timed SLOW_REQUESTS times only: its figures are clear enough, and 200
    requests of several seconds would keep the bench busy for many minutes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first: list[float] = []
    for i in range(warmup):
        started = time.perf_counter()
        client.get(scenario.urls(i))
        first.append((time.perf_counter() - started) * 1000)
        if i == 2 and statistics.median(first) > SLOW_MS:
            requests = min(requests, SLOW_REQUESTS)
            break
    samples: list[float] = []
    for i in range(requests):
        url = scenario.urls(i)
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    # One more, to count its queries and find the slowest.
    with CaptureQueriesContext(connection) as captured:
        client.get(scenario.urls(0))
    timed = [(time_sql(q["sql"] or ""), q["sql"] or "") for q in captured.captured_queries]
    slowest_ms, slowest_sql = max(timed, default=(0.0, ""))
    return Timing(
        name=scenario.name,
        samples_ms=samples,
        queries=len(captured.captured_queries),
        slowest_sql=slowest_sql,
        slowest_ms=slowest_ms,
    )


def time_sql(sql: str) -> float:
    """Milliseconds to run a captured SELECT and fetch all its rows. (The debug cursor's own
    timing stops when execute() returns, before SQLite has computed most of the rows.)"""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return 0.0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def time_it(fn: Callable[[], object], runs: int = 30) -> float:
    """Median milliseconds of `fn` over `runs` runs, after one untimed run."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def what_if() -> list[tuple[str, float, float]]:
    """The slow queries against the rewrites proposed for them, on the same data, through the ORM
    (the views are not changed here). Returns (what, current ms, proposed ms)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
    from django.db.models.functions import Coalesce

    from cleftmission.missions.models import Mission
    from cleftmission.patients.access import visible_patients
    from cleftmission.patients.models import Guardian, Patient
    from cleftmission.patients.search import phone_key, search_patients
    from cleftmission.screening.models import ScreeningVisit
    from cleftmission.volunteers.models import MissionMember

    rows: list[tuple[str, float, float]] = []

    # 1. The mission list (as missions.views.mission_list has it): counts through two LEFT JOINs, so
    #    visits x members rows per mission, against one grouped query over the visits of the 200
    #    missions shown and one over their members, ordered newest first.
    def missions_now() -> object:
        return list(
            Mission.objects.select_related("site").annotate(
                evaluated=Count("visits", distinct=True),
                operated=Count("visits", filter=Q(visits__outcome=ScreeningVisit.Outcome.OPERATED), distinct=True),
                team=Count("members", distinct=True),
            )[:200]
        )

    def missions_proposed() -> object:
        missions = list(Mission.objects.select_related("site").order_by("-start_date")[:200])
        ids = [m.pk for m in missions]
        visits = {
            r["mission_id"]: r
            for r in ScreeningVisit.objects.filter(mission_id__in=ids)
            .order_by()
            .values("mission_id")
            .annotate(n=Count("id"), operated=Count("id", filter=Q(outcome=ScreeningVisit.Outcome.OPERATED)))
        }
        teams = dict(
            MissionMember.objects.filter(mission_id__in=ids)
            .order_by()
            .values_list("mission_id")
            .annotate(n=Count("id"))
        )
        for m in missions:
            row = visits.get(m.pk, {})
            m.evaluated, m.operated, m.team = row.get("n", 0), row.get("operated", 0), teams.get(m.pk, 0)  # type: ignore[attr-defined]
        return missions

    def per_mission(qs: QuerySet[Any]) -> Coalesce:
        """A count for each mission row, as a subquery (keeps the view's filters on the queryset)."""
        counted = qs.filter(mission=OuterRef("pk")).order_by().values("mission").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), Value(0))

    def missions_subqueries() -> object:
        return list(
            Mission.objects.select_related("site")
            .annotate(
                evaluated=per_mission(ScreeningVisit.objects.all()),
                operated=per_mission(ScreeningVisit.objects.filter(outcome=ScreeningVisit.Outcome.OPERATED)),
                team=per_mission(MissionMember.objects.all()),
            )
            .order_by("-start_date", "-id")[:200]
        )

    slow = time_it(missions_now, 5)
    rows.append(("mission list: 2 LEFT JOINs vs grouped counts", slow, time_it(missions_proposed)))
    rows.append(("  … vs a count subquery per column", slow, time_it(missions_subqueries)))

    # 2. A guardian's phone: a correlated EXISTS per child against the matching guardians' children.
    phone = Guardian.objects.exclude(phone="").values_list("phone", flat=True).first() or ""
    key = phone_key(phone)
    now_qs = Patient.objects.filter(Exists(Guardian.objects.filter(patient=OuterRef("pk"), phone_digits=key)))
    new_qs = Patient.objects.filter(pk__in=Guardian.objects.filter(phone_digits=key).values("patient_id"))
    rows.append(("phone: EXISTS per child vs pk IN (guardians)", time_it(now_qs.count), time_it(new_qs.count)))
    tail = key[-6:]
    now_qs = Patient.objects.filter(
        Exists(Guardian.objects.filter(patient=OuterRef("pk"), phone_digits__contains=tail))
    )
    new_qs = Patient.objects.filter(pk__in=Guardian.objects.filter(phone_digits__contains=tail).values("patient_id"))
    rows.append(("phone's last digits: EXISTS vs pk IN", time_it(now_qs.count), time_it(new_qs.count)))

    # 4. What a registrar may see (patients.access.visible_patients): EXISTS per child through
    #    visits, missions, members and volunteers, against the children of the registrar's missions.
    registrar = get_user_model().objects.get(username="registrar")
    now_qs = visible_patients(registrar)
    mine = ScreeningVisit.objects.filter(mission__members__volunteer__user=registrar).values("patient_id")
    new_qs = Patient.objects.filter(pk__in=mine)
    if now_qs.count() != new_qs.count():
        raise SystemExit("the registrar rewrite finds other children")
    rows.append(("registrar's children: EXISTS vs pk IN (visits)", time_it(now_qs.count), time_it(new_qs.count)))

    # 3. A name, as the children list asks it: the Paginator's COUNT(*) scans every child, then
    #    the page scans the name index until it has 50 (all of it when few match). Without the
    #    count ("next" when a 51st row exists) only the second scan is left.
    def page_with_count(qs: QuerySet[Patient]) -> Callable[[], object]:
        return lambda: (qs.count(), list(qs[:50]))

    def page_without_count(qs: QuerySet[Patient]) -> Callable[[], object]:
        return lambda: list(qs[:51])

    coordinator = get_user_model().objects.get(username="coordinator")
    for query in ("nguyen van an", "Trần Thị", "le minh"):
        qs = search_patients(visible_patients(coordinator), query)
        now, proposed = time_it(page_with_count(qs)), time_it(page_without_count(qs))
        rows.append((f"name {query!r}: COUNT + page vs page of 51", now, proposed))

    # 4. The index SQLite picks for "not merged" (merged_into IS NULL, true of nearly every child):
    #    without statistics it takes the plain index on merged_into and sorts every child, instead
    #    of walking the name index in order. Partial indexes leave it no such choice.
    if connection.vendor == "sqlite":
        lists = [
            ("children list", visible_patients(coordinator)),
            ("  name 'Trần Thị'", search_patients(visible_patients(coordinator), "Trần Thị")),
            ("  name 'nguyen van an'", search_patients(visible_patients(coordinator), "nguyen van an")),
        ]
        rows.extend(partial_indexes_what_if([(label, page_with_count(qs)) for label, qs in lists]))
    return rows


def partial_indexes_what_if(pages: list[tuple[str, Callable[[], object]]]) -> list[tuple[str, float, float]]:
    """Time `pages` with the plain index on patients_patient.merged_into_id, then with it replaced
    by two partial indexes (merged_into_id WHERE NOT NULL; search_name, id WHERE merged_into_id IS
    NULL), then put the schema back. SQLite only; nothing to do once the schema has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patients_patient'")
        plain = [(n, sql) for n, sql in cursor.fetchall() if sql and "merged_into_id" in sql and "WHERE" not in sql]
    if not plain:
        return []
    before = [time_it(page) for _, page in pages]
    with connection.cursor() as cursor:
        for name, _ in plain:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "CREATE INDEX bench_merged_idx ON patients_patient (merged_into_id) WHERE merged_into_id IS NOT NULL"
        )
        cursor.execute(
            "CREATE INDEX bench_search_live_idx ON patients_patient (search_name, id) WHERE merged_into_id IS NULL"
        )
    try:
        after = [time_it(page) for _, page in pages]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_merged_idx")
            cursor.execute("DROP INDEX bench_search_live_idx")
            for _, sql in plain:
                cursor.execute(sql)
    return [
        (f"{label}, page: merged_into index vs partial", b, a)
        for (label, _), b, a in zip(pages, before, after, strict=True)
    ]


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def explain(sql: str) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [f"{row[1]:>4} {row[3]}" for row in rows]
    return [str(row[0]) for row in rows]


HEADER = (
    f"{'page':<32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'slowest SQL ms':>15}  p95<100ms"
)


def print_row(t: Timing) -> None:
    ok = "yes" if t.p95 < TARGET_P95_MS else "NO"
    print(
        f"{t.name:<32} {len(t.samples_ms):>4} {t.p50:>8.1f} {t.p95:>8.1f} {max(t.samples_ms):>8.1f} "
        f"{t.queries:>8} {t.slowest_ms:>15.1f}  {ok}"
    )


def print_diagnosis(timings: list[Timing]) -> None:
    slow = [t for t in timings if t.p95 >= TARGET_P95_MS]
    if not slow:
        print(f"\nEvery page's p95 is under {TARGET_P95_MS:.0f} ms.")
        return
    for t in slow:
        print(f"\n== {t.name.strip()}: p95 {t.p95:.0f} ms; slowest query ({t.slowest_ms:.0f} ms):")
        print("   " + t.slowest_sql[:1500])
        print("   plan:")
        for line in explain(t.slowest_sql):
            print("   " + line)


def main(argv: Sequence[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_args(argv)
    where = setup_django(args)
    print(f"database: {where}")
    prepare(args)
    print_counts()

    from django.contrib.auth import get_user_model
    from django.test import Client

    rng = random.Random(7)
    clients: dict[str, Client] = {}
    for username in ("coordinator", "registrar"):
        clients[username] = Client(SERVER_NAME="localhost")  # a host in ALLOWED_HOSTS
        clients[username].force_login(get_user_model().objects.get(username=username))
    print(f"\n{args.requests} requests per page (n) after {args.warmup} warm-up requests, as the coordinator")
    print(f"(a page over {SLOW_MS:.0f} ms: {SLOW_REQUESTS} requests; rows in brackets: not in the target list)")
    print(f"(load average before: {load_average()}; other work on this machine widens p95)")
    print()
    print(HEADER)
    print("-" * len(HEADER))
    timings = []
    for scenario in scenarios(rng):
        timings.append(measure(clients[scenario.who], scenario, args.requests, args.warmup))
        print_row(timings[-1])
    print(f"(load average after: {load_average()})")
    print_diagnosis(timings)
    print("\nProposed rewrites, same data, median ms (ORM only; the views are unchanged):")
    print(f"{'':<52} {'now':>8} {'proposed':>9} {'ratio':>7}")
    for what, now, proposed in what_if():
        print(f"{what:<52} {now:>8.1f} {proposed:>9.1f} {now / max(proposed, 0.001):>6.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
