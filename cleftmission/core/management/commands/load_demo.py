import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from cleftmission.core import demo
from cleftmission.missions.models import Mission
from cleftmission.scheduling.demo import plan_operating_days, publish_operating_days
from cleftmission.screening.demo import play_screening_day, screen_children
from cleftmission.surgery import demo as surgery_demo

# The mission in its operating days: children screened on its first day, the schedule's solver
# time (the solver runs for the mission under way too, and again to repair each).
OPERATING_CHILDREN = 46
OPERATING_SOLVER_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Load the synthetic demo programme (hospitals, a year of missions with their operations and "
        "follow-up, volunteers, children, a mission screening and one operating, one login per role with the "
        "password 'demo'). Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=demo.DEMO_SCALE.children)
        parser.add_argument("--years", type=int, default=demo.DEMO_SCALE.years, help="years of missions")
        parser.add_argument("--volunteers", type=int, default=demo.DEMO_SCALE.volunteers)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["children"] < 1 or options["years"] < 1 or options["volunteers"] < 12:
            raise CommandError("Needs at least 1 child, 1 year and 12 volunteers (one per specialty).")
        started = time.perf_counter()
        scale = demo.Scale(children=options["children"], years=options["years"], volunteers=options["volunteers"])
        self.verbosity = options["verbosity"]
        verbose = self.verbosity > 1
        result = demo.load(scale, progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None)
        if result.loaded:
            under_way = Mission.objects.filter(phase=Mission.Phase.SCREENING).order_by("-start_date").first()
            if under_way is not None:
                n = play_screening_day(under_way)
                self.stdout.write(f"  {under_way.name}: {n} more children on today's screening day")
                schedule = plan_operating_days(under_way)
                if schedule is not None:
                    operated = schedule.cases.filter(day__isnull=False).count()
                    self.stdout.write(f"  its operating schedule: {operated} children on {len(schedule.days)} days")
            self._operating_days()
            seconds = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s (synthetic, not real)."))
        else:
            self.stdout.write("The demo data is already loaded; nothing was added.")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        if options["verbosity"] > 0:
            for name, n in demo.counts().items():
                self.stdout.write(f"  {name:<26} {n:>7}")
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password: {demo.PASSWORD})")
            for login in demo.LOGINS:
                self.stdout.write(f"  {login.username:<12} {login.role.label}")
            self.stdout.write(f"  {demo.VOLUNTEER_LOGIN:<12} (no role: a volunteer on the upcoming mission, /me/)")

    def _operating_days(self) -> None:
        """The closed missions' operations and follow-up, and a mission in its operating days."""
        today = timezone.localdate()
        clock = time.perf_counter()

        def took() -> str:
            nonlocal clock
            seconds, clock = time.perf_counter() - clock, time.perf_counter()
            return f" ({seconds:.1f} s)" if self.verbosity > 1 else ""

        with transaction.atomic():
            operations = surgery_demo.record_past_operations(today)
        self.stdout.write(f"  {operations} operations at the closed missions, with their follow-up visits{took()}")
        with transaction.atomic():
            mission = demo.make_operating_mission(today)
            accepted = screen_children(mission, day=mission.start_date, children=OPERATING_CHILDREN)
            self.stdout.write(f"  {mission.name}: {accepted} children accepted at its screening{took()}")
            schedule = publish_operating_days(mission, OPERATING_SOLVER_SECONDS)
            self.stdout.write(f"  its schedule built and published{took()}")
        if schedule is None:
            return
        operating = surgery_demo.walk_operating_days(mission)
        where = ", ".join(f"{key} {n}" for key, n in operating.reached.items())
        self.stdout.write(f"  operating since yesterday; where the cases stand: {where}{took()}")
