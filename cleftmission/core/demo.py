"""A synthetic demo programme: partner hospitals, a year of missions, a credentialed volunteer
pool, children with their guardians and histories across missions, one login per role and
a volunteer's own login. The upcoming international mission's team is full, with a few
problems to fix (see `cleftmission.volunteers.demo`); a few uploaded documents (tiny
synthetic PDFs, in MEDIA_ROOT) wait for verification.

Everything here is invented (names drawn at random from common Vietnamese and foreign names,
phone numbers drawn at random from valid Vietnamese mobile ranges): never real patient data.
The generator is deterministic (one `random.Random` with a fixed seed) and its dates are
relative to the day it runs, so the demo always has a mission under way and one coming up.

`load(scale)` is used by `manage.py load_demo` (the default scale) and by `bench/scale.py`
(a national registry). Rows are written with `bulk_create` in batches and without audit
entries: demo data is loaded by the system, not changed by a user, so there is nobody to
audit. Because `bulk_create` skips `save()`, the derived columns (`search_name`,
`phone_digits`, `record_number`) are filled in here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from cleftmission.core.roles import Role, set_role
from cleftmission.core.text import digits, search_key
from cleftmission.core.vietnam import PROVINCES
from cleftmission.missions.models import Mission, OperatingTable, Site
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import Decision, DeferralCode, Procedure, Referral, ScreeningVisit
from cleftmission.volunteers.demo import UpcomingTeam, balance_first_timers, demo_pdf, plan_upcoming_team
from cleftmission.volunteers.models import (
    SPECIALTY_ROLE,
    Credential,
    MissionMember,
    MissionRole,
    RequiredCredential,
    Volunteer,
    credential_document_path,
    every_day,
)

SEED = 20261207
PASSWORD = "demo"
BATCH = 2000
NOTE = "Dữ liệu minh hoạ (tổng hợp) · Synthetic demo data"

T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """How big a programme to generate. The default is the demo."""

    children: int = 600
    years: int = 1
    volunteers: int = 150
    seed: int = SEED


DEMO_SCALE = Scale()


# --- who logs in -------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    role: Role
    first_name: str
    last_name: str


LOGINS = [
    Login("admin", Role.ADMINISTRATOR, "Quản trị", "Demo"),
    Login("coordinator", Role.COORDINATOR, "Lan", "Hoàng Thị"),
    Login("clinician", Role.CLINICIAN, "Quốc Bảo", "Phạm"),
    Login("registrar", Role.REGISTRAR, "Hồng Nhung", "Đỗ Thị"),
    Login("viewer", Role.VIEWER, "Minh", "Vũ Đức"),
]

# A login with no role, belonging to a volunteer of the upcoming team: their own page only.
VOLUNTEER_LOGIN = "volunteer"

# The Volunteer records behind the clinician's and the registrar's logins.
LOGIN_VOLUNTEERS = {
    "clinician": ("Phạm", "Quốc Bảo", Volunteer.Specialty.PLASTIC_SURGEON),
    "registrar": ("Đỗ", "Thị Hồng Nhung", Volunteer.Specialty.COORDINATOR),
}

# --- partner hospitals (invented names) ----------------------------------------------------


@dataclass(frozen=True)
class SiteSpec:
    name: str
    city: str
    short: str
    address: str
    tables: int
    beds: int


SITES = [
    SiteSpec("Bệnh viện Nhi Sông Hồng", "Hà Nội", "Hà Nội", "18 Đường Hồng Hà, Phường Ba Đình, Hà Nội", 6, 40),
    SiteSpec(
        "Bệnh viện Nhi đồng Cửu Long",
        "TP. Hồ Chí Minh",
        "TP. Hồ Chí Minh",
        "250 Đường Nguyễn Văn Cừ, Phường Chợ Quán, TP. Hồ Chí Minh",
        5,
        32,
    ),
]

# --- names ---------------------------------------------------------------------------------

# Family names with roughly their share of the population.
FAMILY_NAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 5), ("Phan", 4.5),
    ("Vũ", 3.9), ("Võ", 3.9), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Minh", "Gia", "Bảo", "Đức", "Quốc", "Hoàng", "Anh", "Thanh", "Hữu", "Công", "Nhật", "Tuấn"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Gia", "Khánh", "Phương", "Mai", "Hồng", "Thảo"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Khôi",
    "Kiên", "Lâm", "Long", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng",
    "Thành", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Vinh", "Vũ", "Đăng", "Hưng", "Lộc", "Tùng",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Chi", "Diệp", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Ly",
    "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Trâm", "Tú",
    "Uyên", "Vân", "Vy", "Yến", "Hân", "Ngọc",
]  # fmt: skip

# The child the browser tests look for; no other child's name answers the same search.
NAMED_CHILD = ("Nguyễn", "Văn", "An")
_NAMED_WORDS = search_key(" ".join(NAMED_CHILD)).split()


def _answers_named_search(key: str) -> bool:
    words = key.split()
    return all(any(w.startswith(q) for w in words) for q in _NAMED_WORDS)


@dataclass(frozen=True)
class Country:
    name: str
    origin: Volunteer.Origin
    languages: str
    family: Sequence[str]
    given: Sequence[str]


_EN_FAMILY = [
    "Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas",
    "Moore", "Martin", "Clark", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
]  # fmt: skip
_EN_GIVEN = [
    "Emily", "Sarah", "Jessica", "Laura", "Rachel", "Megan", "Anna", "Claire", "Olivia", "Grace", "Michael",
    "David", "James", "John", "Robert", "Daniel", "Matthew", "Andrew", "Peter", "Thomas", "Mark", "Paul",
]  # fmt: skip
COUNTRIES = [
    Country("United States", Volunteer.Origin.INTERNATIONAL, "en", _EN_FAMILY, _EN_GIVEN),
    Country("Australia", Volunteer.Origin.INTERNATIONAL, "en", _EN_FAMILY, _EN_GIVEN),
    Country("United Kingdom", Volunteer.Origin.INTERNATIONAL, "en", _EN_FAMILY, _EN_GIVEN),
    Country("Canada", Volunteer.Origin.INTERNATIONAL, "en, fr", _EN_FAMILY, _EN_GIVEN),
    Country("New Zealand", Volunteer.Origin.INTERNATIONAL, "en", _EN_FAMILY, _EN_GIVEN),
    Country(
        "France",
        Volunteer.Origin.INTERNATIONAL,
        "fr, en",
        ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Fontaine"],
        ["Camille", "Julie", "Claire", "Nicolas", "Pierre", "Julien", "Sophie", "Élodie"],
    ),
    Country(
        "Germany",
        Volunteer.Origin.INTERNATIONAL,
        "de, en",
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner"],
        ["Lena", "Anna", "Jonas", "Lukas", "Katrin", "Felix", "Jürgen"],
    ),
    Country(
        "Netherlands",
        Volunteer.Origin.INTERNATIONAL,
        "nl, en",
        ["de Vries", "van Dijk", "Bakker", "Jansen", "Visser", "Smit"],
        ["Sanne", "Lotte", "Daan", "Bram", "Femke", "Joost"],
    ),
    Country(
        "Sweden",
        Volunteer.Origin.INTERNATIONAL,
        "sv, en",
        ["Lindqvist", "Andersson", "Johansson", "Karlsson", "Nilsson"],
        ["Ingrid", "Astrid", "Erik", "Lars", "Maja", "Sofia"],
    ),
    Country(
        "Thailand",
        Volunteer.Origin.REGIONAL,
        "th, en",
        ["Srisuk", "Chaiyaporn", "Wongsakul", "Rattanakorn", "Suwannarat"],
        ["Somchai", "Nattaya", "Kanya", "Anong", "Prasert", "Siriporn"],
    ),
    Country(
        "Philippines",
        Volunteer.Origin.REGIONAL,
        "fil, en",
        ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"],
        ["Maria", "Jose", "Angelica", "Mark", "Kristine", "Paolo"],
    ),
    Country(
        "Singapore",
        Volunteer.Origin.REGIONAL,
        "en, zh",
        ["Tan", "Lim", "Lee", "Ng", "Wong", "Goh"],
        ["Wei Ling", "Jun Jie", "Mei Ling", "Hui Min", "Kai Wen"],
    ),
    Country(
        "Malaysia",
        Volunteer.Origin.REGIONAL,
        "ms, en",
        ["Tan", "Lim", "Wong", "Ong", "Chong"],
        ["Mei Yee", "Wei Jie", "Siew Ling", "Kok Wai", "Li Ting"],
    ),
    Country(
        "Japan",
        Volunteer.Origin.REGIONAL,
        "ja, en",
        ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe"],
        ["Yuki", "Haruka", "Kenji", "Aiko", "Takeshi"],
    ),
    Country(
        "South Korea",
        Volunteer.Origin.REGIONAL,
        "ko, en",
        ["Kim", "Park", "Choi", "Jung", "Kang"],
        ["Ji-woo", "Min-jun", "Seo-yeon", "Hye-jin", "Dong-hyun"],
    ),
    Country(
        "Cambodia",
        Volunteer.Origin.REGIONAL,
        "km, en",
        ["Sok", "Chan", "Heng", "Chea", "Meas"],
        ["Dara", "Sophea", "Vanna", "Sokha", "Rithy"],
    ),
]

# --- clinical mix --------------------------------------------------------------------------

# LAHSHAL codes with a rough share: cleft lip and palate about 45%, palate alone about 30%,
# lip (and alveolus) alone about 25%; left more often than right.
LAHSHAL_MIX = [
    ("L......", 5), ("......L", 7), ("l......", 4), ("......l", 5), ("LA.....", 2), (".....AL", 3),
    ("LAHSH..", 9), ("..HSHAL", 14), ("LAHSHAL", 12), ("lAHSHAl", 2), ("..HSHAl", 3),
    ("...S...", 13), ("...s...", 5), ("..HSH..", 11),
]  # fmt: skip

# Codes of the procedure catalog (screening.Procedure), as screening.services.record_decision
# writes them on the visit.
LIP_UNILATERAL = "lip_uni"
LIP_BILATERAL = "lip_bi"
PALATE = "palate"
REVISION = "revision"
FISTULA = "fistula"
BONE_GRAFT = "bone_graft"

# Vietnamese mobile prefixes (after +84) of Viettel, Vinaphone, MobiFone, Vietnamobile.
MOBILE_PREFIXES = [
    "32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98",
    "81", "82", "83", "84", "85", "88", "91", "94", "70", "76", "77", "78", "79", "89", "90", "93",
    "56", "58", "92",
]  # fmt: skip

NORTH = {
    "Bắc Ninh", "Cao Bằng", "Điện Biên", "Hà Nội", "Hải Phòng", "Hưng Yên", "Lai Châu", "Lạng Sơn",
    "Lào Cai", "Ninh Bình", "Phú Thọ", "Quảng Ninh", "Sơn La", "Thái Nguyên", "Tuyên Quang", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh",
}  # fmt: skip


@cache
def _valid_prefixes() -> tuple[str, ...]:
    """The prefixes whose numbers `phonenumbers` accepts (all of them, as of this writing)."""
    ok = []
    for prefix in MOBILE_PREFIXES:
        number = phonenumbers.parse(f"+84{prefix}1234567", None)
        if phonenumbers.is_valid_number(number):
            ok.append(prefix)
    if not ok:  # pragma: no cover - the metadata would have to drop every mobile range
        raise RuntimeError("phonenumbers accepts none of the Vietnamese mobile prefixes")
    return tuple(ok)


def vn_mobile(rng: random.Random) -> str:
    """A random Vietnamese mobile number in E.164, e.g. +84912345678."""
    return f"+84{rng.choice(_valid_prefixes())}{rng.randrange(10_000_000):07d}"


# --- helpers -------------------------------------------------------------------------------


class _Picker:
    """Fast weighted choice from a fixed table."""

    def __init__(self, table: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in table]
        self.cum: list[float] = []
        total = 0.0
        for _, weight in table:
            total += weight
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


_FAMILY = _Picker(FAMILY_NAMES)
_LAHSHAL = _Picker(LAHSHAL_MIX)


def _bulk(model: type[models.Model], rows: list[Any]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]


def _aware(day: dt.date, minutes_after_seven: int) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(minutes=minutes_after_seven)
    return timezone.make_aware(naive)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _person_name(rng: random.Random, male: bool) -> tuple[str, str, str]:
    """Family, middle and given name."""
    middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
    given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
    return _FAMILY(rng), middle, given


# --- sites and missions --------------------------------------------------------------------


@dataclass
class Programme:
    sites: list[Site]
    missions: list[Mission]  # oldest first
    current: Mission  # a local mission in its screening days
    upcoming: Mission  # the international mission, in planning
    recent: list[Mission]  # the most recent closed missions, newest first
    clash: Mission | None = None  # a local mission overlapping the international one's last days

    @property
    def login_missions(self) -> list[Mission]:
        """The missions the clinician's and registrar's volunteers are on."""
        return [self.upcoming, self.current, *self.recent[:2]]

    @property
    def seen(self) -> list[Mission]:
        """Missions that have seen children: the closed ones and the one under way."""
        return [m for m in self.missions if m.phase in (Mission.Phase.CLOSED, Mission.Phase.SCREENING)]


def make_sites() -> list[Site]:
    sites = []
    for spec in SITES:
        site, _ = Site.objects.get_or_create(
            name=spec.name, defaults={"city": spec.city, "address": spec.address, "ward_beds": spec.beds}
        )
        for n in range(1, spec.tables + 1):
            OperatingTable.objects.get_or_create(site=site, name=f"Bàn mổ {n}")
        sites.append(site)
    return sites


def _local_name(spec: SiteSpec, day: dt.date) -> str:
    return f"{spec.short} – Tháng {day.month}/{day.year} (địa phương)"


def make_missions(rng: random.Random, sites: list[Site], today: dt.date, years: int) -> Programme:
    """About two local missions a month (one per city) and one international a year, over `years`
    years up to today; a local one under way (screening), a local and the international one ahead."""
    missions: list[Mission] = []

    def add(kind: str, site_index: int, start: dt.date, days: int, phase: str, name: str) -> Mission:
        international = kind == Mission.Kind.INTERNATIONAL
        mission = Mission(
            name=name,
            kind=kind,
            site=sites[site_index],
            start_date=start,
            end_date=start + dt.timedelta(days=days - 1),
            phase=phase,
            target_evaluated=180 if international else 40,
            target_operated=110 if international else 25,
            tables_per_day=SITES[site_index].tables if international else rng.choice([2, 3]),
            screening_days=2 if international else 1,
            team_size_cap=60 if international else 20,
            notes=NOTE,
        )
        missions.append(mission)
        return mission

    # The international mission: a week, starting on the Monday four to five weeks ahead.
    upcoming_start = today + dt.timedelta(days=28 + (7 - today.weekday()) % 7)
    upcoming: Mission | None = None
    for y in range(years):
        start = upcoming_start - dt.timedelta(weeks=52 * y)
        site_index = y % 2
        phase = Mission.Phase.PLANNING if y == 0 else Mission.Phase.CLOSED
        name = f"International mission {SITES[site_index].short} {start.month}/{start.year}"
        mission = add(Mission.Kind.INTERNATIONAL, site_index, start, 7, phase, name)
        if y == 0:
            upcoming = mission
    assert upcoming is not None

    # Local missions: one per city in each past month.
    this_month = today.replace(day=1)
    for back in range(12 * years, 0, -1):
        month = _add_months(this_month, -back)
        for site_index, spec in enumerate(SITES):
            start = month + dt.timedelta(days=rng.randint(2, 21))
            add(
                Mission.Kind.LOCAL,
                site_index,
                start,
                rng.choice([3, 4]),
                Mission.Phase.CLOSED,
                _local_name(spec, start),
            )
    # One under way in Hà Nội (screening began yesterday) and one ahead in Hồ Chí Minh City.
    start = today - dt.timedelta(days=1)
    current = add(Mission.Kind.LOCAL, 0, start, 4, Mission.Phase.SCREENING, _local_name(SITES[0], start))
    current.screening_days = 2  # yesterday and today; it operates tomorrow and the day after
    start = today + dt.timedelta(days=12)
    ahead = add(Mission.Kind.LOCAL, 1, start, 4, Mission.Phase.PLANNING, _local_name(SITES[1], start))
    # And one in Hồ Chí Minh City starting on the international mission's second-last day: a
    # volunteer booked on both is one of the problems the international team page shows.
    start = upcoming.end_date - dt.timedelta(days=1)
    name = _local_name(SITES[1], start)
    clash = add(
        Mission.Kind.LOCAL, 1, start, 4, Mission.Phase.PLANNING, f"{name} – đợt 2" if name == ahead.name else name
    )

    missions.sort(key=lambda m: (m.start_date, m.site_id))
    _bulk(Mission, missions)
    recent = sorted((m for m in missions if m.phase == Mission.Phase.CLOSED), key=lambda m: m.start_date)[::-1]
    return Programme(sites=sites, missions=missions, current=current, upcoming=upcoming, recent=recent[:4], clash=clash)


# --- the mission in its operating days ---------------------------------------------------------

# Four tables at once: a surgeon, an anaesthesiologist and two operating-room nurses each.
OPERATING_TEAM = {
    Volunteer.Specialty.PLASTIC_SURGEON: 4,
    Volunteer.Specialty.ANESTHESIOLOGIST: 4,
    Volunteer.Specialty.NURSE: 8,
    Volunteer.Specialty.PEDIATRICIAN: 1,
    Volunteer.Specialty.COORDINATOR: 1,
}
OPERATING_TABLES = 4


def _operating_hours(now: dt.datetime) -> tuple[dt.time, dt.time]:
    """Nine hours from three and a half hours before `now` (on the half hour): whenever the
    demo is loaded, its operating day is under way, with cases done and cases to come."""
    local = timezone.localtime(now)
    minutes = min(max(local.hour * 60 + local.minute - 210, 0), 14 * 60 + 30) // 30 * 30
    start = dt.time(minutes // 60, minutes % 60)
    return start, dt.time((minutes + 9 * 60) // 60, (minutes + 9 * 60) % 60)


def make_operating_mission(today: dt.date, now: dt.datetime | None = None, seed: int = SEED + 6) -> Mission:
    """A local mission in Hồ Chí Minh City in its operating days: it screened the day before
    yesterday, operated yesterday, operates today and tomorrow, on four tables. Added after
    the programme with its own random draws, so that everything else stays as it was. Its
    team: in-country volunteers free at those dates (on no other mission then, not
    unavailable, credentials valid well past the mission). Its operating hours are set
    around the time the demo is loaded (`_operating_hours`)."""
    rng = random.Random(seed)
    day_start, day_end = _operating_hours(now or timezone.now())
    spec = SITES[1]
    site = Site.objects.get(name=spec.name)
    start = today - dt.timedelta(days=2)
    name = _local_name(spec, start)
    if Mission.objects.filter(name=name).exists():
        name = f"{name} – đợt 1"
    mission = Mission.objects.create(
        name=name,
        kind=Mission.Kind.LOCAL,
        site=site,
        start_date=start,
        end_date=today + dt.timedelta(days=1),
        phase=Mission.Phase.SURGERY,
        target_evaluated=70,
        target_operated=45,
        tables_per_day=OPERATING_TABLES,
        screening_days=1,
        day_start=day_start,
        day_end=day_end,
        team_size_cap=24,
        notes=NOTE,
    )
    busy = Mission.objects.filter(start_date__lte=mission.end_date, end_date__gte=mission.start_date).exclude(
        pk=mission.pk
    )
    horizon = mission.end_date + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
    free = (
        Volunteer.objects.filter(origin=Volunteer.Origin.IN_COUNTRY, user__isnull=True)
        .exclude(memberships__mission__in=busy)
        .exclude(unavailable__first_day__lte=mission.end_date, unavailable__last_day__gte=mission.start_date)
        .exclude(credentials__valid_to__lt=horizon)
        .distinct()
        .order_by("pk")
    )
    team: list[Volunteer] = []
    for specialty, n in OPERATING_TEAM.items():
        pool = list(free.filter(specialty=specialty))
        if len(pool) < n:  # from the region, when the country's own are all busy
            pool += list(
                Volunteer.objects.filter(specialty=specialty, user__isnull=True)
                .exclude(origin=Volunteer.Origin.IN_COUNTRY)
                .exclude(memberships__mission__in=busy)
                .distinct()
                .order_by("pk")
            )
        team.extend(rng.sample(pool, min(n, len(pool))))
    days = every_day(mission)
    nurse_roles = iter([MissionRole.RECOVERY_NURSE, MissionRole.WARD_NURSE])
    MissionMember.objects.bulk_create(
        MissionMember(
            mission=mission,
            volunteer=v,
            # the last two nurses drawn look after recovery and the ward
            role=next(nurse_roles, SPECIALTY_ROLE[v.specialty])
            if v.specialty == S.NURSE and i >= len(team) - 4
            else SPECIALTY_ROLE[v.specialty],
            days=days,
        )
        for i, v in enumerate(team)
    )
    return mission


# --- volunteers, credentials and teams ------------------------------------------------------

# Share of each specialty in the pool (of 150).
SPECIALTY_MIX = [
    (Volunteer.Specialty.PLASTIC_SURGEON, 18),
    (Volunteer.Specialty.ANESTHESIOLOGIST, 18),
    (Volunteer.Specialty.PEDIATRICIAN, 12),
    (Volunteer.Specialty.DENTIST, 8),
    (Volunteer.Specialty.SPEECH_PATHOLOGIST, 8),
    (Volunteer.Specialty.NURSE, 40),
    (Volunteer.Specialty.CHILD_LIFE, 6),
    (Volunteer.Specialty.BIOMEDICAL, 5),
    (Volunteer.Specialty.INTERPRETER, 12),
    (Volunteer.Specialty.COORDINATOR, 10),
    (Volunteer.Specialty.STUDENT, 8),
    (Volunteer.Specialty.STUDENT_SPONSOR, 5),
]

# Share of origins by specialty: in-country, regional, international.
ORIGIN_MIX: dict[str, tuple[float, float, float]] = {
    Volunteer.Specialty.INTERPRETER: (1, 0, 0),
    Volunteer.Specialty.COORDINATOR: (0.8, 0.1, 0.1),
    Volunteer.Specialty.STUDENT: (0.6, 0.1, 0.3),
    Volunteer.Specialty.STUDENT_SPONSOR: (0.2, 0.2, 0.6),
    Volunteer.Specialty.CHILD_LIFE: (0.2, 0.2, 0.6),
    Volunteer.Specialty.SPEECH_PATHOLOGIST: (0.3, 0.2, 0.5),
}
DEFAULT_ORIGIN = (0.55, 0.2, 0.25)

S = Volunteer.Specialty
K = Credential.Kind
CREDENTIALS_BY_SPECIALTY: dict[str, list[Credential.Kind]] = {
    S.PLASTIC_SURGEON: [K.LICENCE, K.SPECIALTY_DIPLOMA, K.BOARD_CERTIFICATION, K.BLS],
    S.ANESTHESIOLOGIST: [K.LICENCE, K.SPECIALTY_DIPLOMA, K.BOARD_CERTIFICATION, K.BLS, K.PALS, K.ACLS],
    S.PEDIATRICIAN: [K.LICENCE, K.SPECIALTY_DIPLOMA, K.BLS, K.PALS],
    S.DENTIST: [K.LICENCE, K.SPECIALTY_DIPLOMA, K.BLS],
    S.SPEECH_PATHOLOGIST: [K.OTHER, K.BLS],
    S.NURSE: [K.NURSING_LICENCE, K.BLS, K.PALS],
    S.CHILD_LIFE: [K.OTHER, K.BLS],
    S.BIOMEDICAL: [K.OTHER],
    S.INTERPRETER: [],
    S.COORDINATOR: [K.BLS],
    S.STUDENT: [K.BLS],
    S.STUDENT_SPONSOR: [K.BLS],
}
# Years a credential lasts; None never expires.
VALIDITY_YEARS: dict[Credential.Kind, int | None] = {
    K.LICENCE: 5,
    K.NURSING_LICENCE: 5,
    K.SPECIALTY_DIPLOMA: None,
    K.BOARD_CERTIFICATION: 10,
    K.BLS: 2,
    K.PALS: 2,
    K.ACLS: 2,
    K.PASSPORT: 10,
    K.OTHER: 5,
}
NUMBER_PREFIX: dict[Credential.Kind, str] = {
    K.LICENCE: "CCHN",
    K.NURSING_LICENCE: "DD",
    K.SPECIALTY_DIPLOMA: "CK",
    K.BOARD_CERTIFICATION: "BC",
    K.BLS: "BLS",
    K.PALS: "PALS",
    K.ACLS: "ACLS",
    K.PASSPORT: "P",
    K.OTHER: "CERT",
}
OTHER_TITLE: dict[str, str] = {
    S.SPEECH_PATHOLOGIST: "Speech-language pathology certificate",
    S.CHILD_LIFE: "Certified Child Life Specialist",
    S.BIOMEDICAL: "Biomedical equipment technician certificate",
}


def _issuer(kind: str, specialty: str, country: str) -> str:
    vietnam = country == "Việt Nam"
    if kind in (K.BLS, K.PALS, K.ACLS):
        return "American Heart Association"
    if kind == K.PASSPORT:
        return country
    if kind in (K.LICENCE, K.NURSING_LICENCE):
        return "Bộ Y tế" if vietnam else f"Health practitioner regulator ({country})"
    if kind == K.SPECIALTY_DIPLOMA:
        return "Trường Đại học Y Hà Nội" if vietnam else f"Medical school ({country})"
    if kind == K.BOARD_CERTIFICATION:
        return "Hội đồng Y khoa Quốc gia" if vietnam else f"Specialty board ({country})"
    return OTHER_TITLE.get(specialty, "Certificate")


@dataclass
class People:
    volunteers: list[Volunteer]
    by_login: dict[str, Volunteer] = field(default_factory=dict)


def _apportion(total: int, table: Sequence[tuple[T, float]]) -> list[T]:
    """`total` items split by the weights, every item at least once when total allows."""
    weight = sum(w for _, w in table)
    counts = [max(1, round(total * w / weight)) for _, w in table]
    while sum(counts) > total and max(counts) > 1:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < total:
        counts[counts.index(max(counts))] += 1
    return [item for (item, _), n in zip(table, counts, strict=True) for _ in range(n)]


def make_volunteers(rng: random.Random, count: int, users: dict[str, Any]) -> People:
    regional = [c for c in COUNTRIES if c.origin == Volunteer.Origin.REGIONAL]
    international = [c for c in COUNTRIES if c.origin == Volunteer.Origin.INTERNATIONAL]
    rows: list[Volunteer] = []
    linked = set(Volunteer.objects.filter(user__in=list(users.values())).values_list("user_id", flat=True))
    for username, (family, given, specialty) in LOGIN_VOLUNTEERS.items():
        user = users.get(username)
        rows.append(
            Volunteer(
                family_name=family,
                given_name=given,
                specialty=specialty,
                origin=Volunteer.Origin.IN_COUNTRY,
                country="Việt Nam",
                languages="vi, en",
                email=f"{username}@example.org",
                phone=vn_mobile(rng),
                user=user if user is not None and user.pk not in linked else None,
            )
        )
    specialties = _apportion(max(count - len(rows), len(SPECIALTY_MIX)), SPECIALTY_MIX)
    rng.shuffle(specialties)
    for i, specialty in enumerate(specialties):
        home, near, _ = ORIGIN_MIX.get(specialty, DEFAULT_ORIGIN)
        draw = rng.random()
        if draw < home:
            female = rng.random() < (0.8 if specialty == S.NURSE else 0.5)
            fam, middle, given = _person_name(rng, male=not female)
            languages = "vi, en" if specialty == S.INTERPRETER or rng.random() < 0.5 else "vi"
            if specialty == S.INTERPRETER and rng.random() < 0.3:
                languages = rng.choice(["vi, en, fr", "vi, en, ja", "vi, en, ko"])
            volunteer = Volunteer(
                family_name=fam,
                given_name=f"{middle} {given}",
                origin=Volunteer.Origin.IN_COUNTRY,
                country="Việt Nam",
                languages=languages,
                phone=vn_mobile(rng),
            )
        else:
            country = rng.choice(regional if draw < home + near else international)
            volunteer = Volunteer(
                family_name=rng.choice(country.family),
                given_name=rng.choice(country.given),
                origin=country.origin,
                country=country.name,
                languages=country.languages,
            )
        volunteer.specialty = specialty
        slug = search_key(volunteer.given_name.split()[-1] + "." + volunteer.family_name).replace(" ", "")
        volunteer.email = f"{slug}.{i + 1}@example.org"
        rows.append(volunteer)
    for volunteer in rows:
        volunteer.search_name = search_key(volunteer.full_name)
    _bulk(Volunteer, rows)
    by_login = {u: v for u, v in zip(LOGIN_VOLUNTEERS, rows, strict=False)}
    return People(volunteers=rows, by_login=by_login)


def _required_kinds() -> dict[str, list[str]]:
    """specialty → the credential kinds it requires (RequiredCredential, seeded and editable)."""
    required: dict[str, list[str]] = defaultdict(list)
    for specialty, kind in RequiredCredential.objects.order_by("specialty", "kind").values_list("specialty", "kind"):
        required[specialty].append(kind)
    return required


def _credential(
    rng: random.Random,
    volunteer: Volunteer,
    kind: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    verification: str = Credential.Verification.VERIFIED,
) -> Credential:
    return Credential(
        volunteer=volunteer,
        kind=kind,
        number=f"{NUMBER_PREFIX[K(kind)]}-{rng.randint(100000, 999999)}",
        issuer=_issuer(kind, volunteer.specialty, volunteer.country),
        valid_from=valid_from,
        valid_to=valid_to,
        verification=verification,
    )


def _renewed(rng: random.Random, volunteer: Volunteer, kind: str, issued: dt.date, status: str) -> Credential:
    """A certificate just obtained, uploaded by the volunteer."""
    years = VALIDITY_YEARS[K(kind)]
    valid_to = issued + dt.timedelta(days=years * 365) if years else None
    return _credential(rng, volunteer, kind, issued, valid_to, status)


# What a volunteer of the pool uploads while waiting for a coordinator to check it.
UPLOADS: dict[str, Credential.Kind] = {
    S.PLASTIC_SURGEON: K.BOARD_CERTIFICATION,
    S.ANESTHESIOLOGIST: K.PALS,
    S.NURSE: K.NURSING_LICENCE,
    S.PEDIATRICIAN: K.PALS,
}
REJECTION_REASON = "The scan is cut off: the expiry date cannot be read. Please upload the whole certificate."


def _attach_documents(credentials: list[Credential]) -> None:
    """Store a synthetic scan (a tiny PDF) for each, under the private documents' random names."""
    storage = Credential._meta.get_field("document").storage
    for credential in credentials:
        volunteer = credential.volunteer
        lines = [
            str(Credential.Kind(credential.kind).label),
            f"Holder: {volunteer.full_name}",
            f"Number: {credential.number}",
            f"Issued by: {credential.issuer}",
        ]
        if credential.valid_from:
            lines.append(f"Valid from: {credential.valid_from:%d/%m/%Y}")
        if credential.valid_to:
            lines.append(f"Valid until: {credential.valid_to:%d/%m/%Y}")
        name = credential_document_path(credential, f"{credential.kind}.pdf")
        credential.document = storage.save(name, ContentFile(demo_pdf(lines)))


def make_credentials(
    rng: random.Random,
    people: People,
    today: dt.date,
    upcoming: Mission,
    plan: UpcomingTeam,
    reviewer: Any = None,
) -> list[Credential]:
    """Credentials by specialty, mostly valid; some expired, some expiring within 60 days.

    The upcoming team (and the anaesthesiologist kept free for its gap) hold every credential
    their specialty requires, verified and valid well past the mission, except the planted
    problem: one nurse's BLS ends during the mission (her renewal waits for verification).
    A few documents uploaded from the pool wait for verification; one was rejected."""
    required = _required_kinds()
    cleared = {id(v) for v in plan.cleared}
    # Far enough that no warning shows either (credentials ending soon after the mission).
    clear_days = (upcoming.end_date - today).days + settings.CREDENTIAL_WARNING_DAYS + 30
    rows: list[Credential] = []
    login_people = set(id(v) for v in people.by_login.values())
    for volunteer in people.volunteers:
        kinds = list(CREDENTIALS_BY_SPECIALTY[volunteer.specialty])
        if volunteer.origin != Volunteer.Origin.IN_COUNTRY:
            kinds.append(K.PASSPORT)
            if K.BOARD_CERTIFICATION not in kinds and volunteer.specialty in (S.PEDIATRICIAN, S.DENTIST):
                kinds.append(K.BOARD_CERTIFICATION)
        elif K.BOARD_CERTIFICATION in kinds and id(volunteer) not in cleared and rng.random() < 0.7:
            kinds.remove(K.BOARD_CERTIFICATION)  # less common in Vietnam than a specialty diploma
        if id(volunteer) in cleared:
            kinds.extend(K(kind) for kind in required.get(volunteer.specialty, []) if kind not in kinds)
        for kind in kinds:
            years = VALIDITY_YEARS[kind]
            if years is None:
                valid_from = today - dt.timedelta(days=rng.randint(365, 20 * 365))
                valid_to = None
            elif id(volunteer) in cleared:
                valid_to = today + dt.timedelta(days=rng.randint(clear_days, max(clear_days, years * 365 - 30)))
                valid_from = valid_to - dt.timedelta(days=years * 365)
            else:
                draw = rng.random() if id(volunteer) not in login_people else 1.0
                if draw < 0.07:
                    valid_to = today - dt.timedelta(days=rng.randint(1, 400))
                elif draw < 0.16:
                    valid_to = today + dt.timedelta(days=rng.randint(0, 59))
                else:
                    valid_to = today + dt.timedelta(days=rng.randint(90, years * 365))
                valid_from = valid_to - dt.timedelta(days=years * 365)
            rows.append(_credential(rng, volunteer, kind, valid_from, valid_to))

    documents: list[Credential] = []
    # The planted problem: a BLS certificate ending on the mission's third day. Its holder
    # took the course again last week and uploaded the new certificate: verifying it fixes it.
    if plan.expiring is not None:
        bls = next((c for c in rows if c.volunteer is plan.expiring and c.kind == K.BLS), None)
        if bls is None:
            bls = _credential(rng, plan.expiring, K.BLS, None, None)
            rows.append(bls)
        bls.valid_to = upcoming.start_date + dt.timedelta(days=2)
        bls.valid_from = bls.valid_to - dt.timedelta(days=2 * 365)
        renewal = _renewed(
            rng, plan.expiring, K.BLS, today - dt.timedelta(days=rng.randint(3, 8)), Credential.Verification.PENDING
        )
        rows.append(renewal)
        documents.extend([bls, renewal])
    # An old PALS certificate, since renewed, is still on someone's record: expired, harmless.
    planted = {id(v) for v in (plan.expiring, plan.double_booked) if v is not None}
    holders = [
        v for v in plan.volunteers if id(v) not in planted | login_people and K.PALS in required.get(v.specialty, [])
    ]
    if holders:
        old_end = today - dt.timedelta(days=rng.randint(20, 200))
        rows.append(_credential(rng, rng.choice(holders), K.PALS, old_end - dt.timedelta(days=2 * 365), old_end))
    # From the pool (not on the upcoming team): uploads waiting for verification, one rejected.
    pool = [v for v in people.volunteers if id(v) not in cleared | login_people and v.specialty in UPLOADS]
    uploaders = rng.sample(pool, min(4, len(pool)))
    for i, volunteer in enumerate(uploaders):
        issued = today - dt.timedelta(days=rng.randint(2, 40))
        rejected = i == len(uploaders) - 1 and len(uploaders) > 1
        status = Credential.Verification.REJECTED if rejected else Credential.Verification.PENDING
        upload = _renewed(rng, volunteer, UPLOADS[volunteer.specialty], issued, status)
        if rejected:
            upload.rejection_reason = REJECTION_REASON
            upload.verified_by = reviewer
            upload.verified_at = timezone.now() - dt.timedelta(days=1)
        rows.append(upload)
        documents.append(upload)
    _attach_documents(documents)
    _bulk(Credential, rows)
    return rows


INTERNATIONAL_TEAM = {
    S.PLASTIC_SURGEON: 6, S.ANESTHESIOLOGIST: 7, S.PEDIATRICIAN: 4, S.DENTIST: 2, S.SPEECH_PATHOLOGIST: 2,
    S.NURSE: 16, S.CHILD_LIFE: 2, S.BIOMEDICAL: 2, S.INTERPRETER: 6, S.COORDINATOR: 3, S.STUDENT: 2,
    S.STUDENT_SPONSOR: 1,
}  # fmt: skip
LOCAL_TEAM = {S.PLASTIC_SURGEON: 2, S.ANESTHESIOLOGIST: 2, S.PEDIATRICIAN: 1, S.NURSE: 4, S.COORDINATOR: 1}
LOCAL_EXTRAS = [S.DENTIST, S.SPEECH_PATHOLOGIST, S.BIOMEDICAL, S.STUDENT, S.NURSE, S.PLASTIC_SURGEON]


def _team(rng: random.Random, mission: Mission, pools: dict[str, list[Volunteer]]) -> list[Volunteer]:
    if mission.kind == Mission.Kind.INTERNATIONAL:
        wanted = dict(INTERNATIONAL_TEAM)
        for specialty in rng.sample(list(wanted), 3):
            wanted[specialty] = max(0, wanted[specialty] + rng.choice([-1, 1]))
    else:
        wanted = dict(LOCAL_TEAM)
        for specialty in rng.sample(LOCAL_EXTRAS, rng.randint(0, 4)):
            wanted[specialty] = wanted.get(specialty, 0) + 1
    team: list[Volunteer] = []
    for specialty, n in wanted.items():
        pool = pools.get(specialty, [])
        team.extend(rng.sample(pool, min(n, len(pool))))
    return team[: mission.team_size_cap]


def _overlaps(mission: Mission, other: Mission) -> bool:
    return mission.pk != other.pk and mission.start_date <= other.end_date and mission.end_date >= other.start_date


def make_teams(
    rng: random.Random, programme: Programme, people: People
) -> tuple[dict[int, list[Volunteer]], UpcomingTeam]:
    """A team for every mission; the clinician's and registrar's volunteers are on the upcoming
    mission, the one under way and the most recent closed ones. The upcoming international
    mission's team fills its staffing template, with the problems of `volunteers.demo` planted:
    its members are on no other mission at those dates but one (the double booking)."""
    logins = list(people.by_login.values())
    others = [v for v in people.volunteers if v not in logins]
    local_pools: dict[str, list[Volunteer]] = defaultdict(list)
    all_pools: dict[str, list[Volunteer]] = defaultdict(list)
    for v in others:
        all_pools[v.specialty].append(v)
        if v.origin == Volunteer.Origin.IN_COUNTRY:
            local_pools[v.specialty].append(v)
    upcoming = programme.upcoming
    plan = plan_upcoming_team(rng, upcoming, all_pools, logins)
    kept_free = {v.pk for v in plan.cleared}
    login_missions = {m.pk for m in programme.login_missions}
    teams: dict[int, list[Volunteer]] = {}
    rows: list[MissionMember] = []
    for mission in programme.missions:
        if mission.pk == upcoming.pk:
            teams[mission.pk] = plan.volunteers
            rows.extend(
                MissionMember(mission=mission, volunteer=m.volunteer, role=m.role, days=m.days) for m in plan.members
            )
            continue
        pools = all_pools if mission.kind == Mission.Kind.INTERNATIONAL else local_pools
        if _overlaps(mission, upcoming):
            pools = {specialty: [v for v in pool if v.pk not in kept_free] for specialty, pool in pools.items()}
        team = _team(rng, mission, pools)
        if mission.pk in login_missions:
            team = [*logins, *team][: max(mission.team_size_cap, len(logins))]
        if programme.clash is not None and mission.pk == programme.clash.pk and plan.double_booked is not None:
            team = [*team[: mission.team_size_cap - 1], plan.double_booked]
        teams[mission.pk] = team
        days = every_day(mission)
        rows.extend(
            MissionMember(mission=mission, volunteer=v, role=SPECIALTY_ROLE[v.specialty], days=days) for v in team
        )
    _bulk(MissionMember, rows)
    _set_prior_missions(rng, people, plan, {m.volunteer.pk for m in rows if m.mission.start_date < upcoming.start_date})
    return teams, plan


def _set_prior_missions(rng: random.Random, people: People, plan: UpcomingTeam, experienced: set[int]) -> None:
    """Many volunteers from abroad served with the programme before the registry was kept;
    the upcoming team's share of first-time volunteers comes out within its bounds."""
    changed: dict[int, Volunteer] = {}
    for volunteer in people.volunteers:
        if volunteer.origin != Volunteer.Origin.IN_COUNTRY and volunteer.pk not in experienced and rng.random() < 0.4:
            volunteer.prior_missions = rng.randint(1, 15)
            changed[volunteer.pk] = volunteer
    for volunteer in balance_first_timers(rng, plan, experienced):
        changed[volunteer.pk] = volunteer
    Volunteer.objects.bulk_update(list(changed.values()), ["prior_missions"], batch_size=BATCH)


def link_volunteer_login(user: Any, volunteer: Volunteer | None) -> list[str]:
    """The "volunteer" login (no role) belongs to the upcoming team's nurse whose BLS ends
    during the mission: on their own page they see the mission and the renewal they uploaded."""
    if user is None or volunteer is None:
        return []
    if Volunteer.objects.filter(user=user).exists():
        return [f"User {user.get_username()!r} already had a volunteer record; it was left unchanged."]
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    volunteer.user = user
    if not user.first_name and not user.last_name:
        user.first_name, user.last_name = volunteer.given_name, volunteer.family_name
        user.email = volunteer.email
        user.save(update_fields=["first_name", "last_name", "email"])
    return []


# --- children, guardians, visits -----------------------------------------------------------


@dataclass
class _PlannedVisit:
    mission: Mission
    at: dt.datetime
    outcome: str
    procedure: str  # the operation this visit is about (a catalog code)
    next_mission: Mission | None = None  # where the child is seen next

    @property
    def decided(self) -> bool:
        return self.outcome != ScreeningVisit.Outcome.REGISTERED

    @property
    def decided_at(self) -> dt.datetime | None:
        # Stations take the morning; the decision follows a few hours after registration.
        return self.at + dt.timedelta(minutes=90 + (self.at.minute * 7) % 180) if self.decided else None

    @property
    def visit_procedure(self) -> str:
        accepted = self.outcome in (ScreeningVisit.Outcome.ACCEPTED, ScreeningVisit.Outcome.OPERATED)
        return self.procedure if accepted else ""


@dataclass
class _PlannedChild:
    family: str
    middle: str
    given: str
    sex: str
    dob: dt.date
    lahshal: str
    province: str
    address: str
    visits: list[_PlannedVisit]


CLOSED_OUTCOMES = _Picker(
    [
        (ScreeningVisit.Outcome.OPERATED, 65),
        (ScreeningVisit.Outcome.DEFERRED, 23),
        (ScreeningVisit.Outcome.REFERRED, 8),
        (ScreeningVisit.Outcome.ACCEPTED, 4),  # accepted, then did not come on the day
    ]
)
SCREENING_OUTCOMES = _Picker(
    [
        (ScreeningVisit.Outcome.REGISTERED, 45),
        (ScreeningVisit.Outcome.ACCEPTED, 35),
        (ScreeningVisit.Outcome.DEFERRED, 15),
        (ScreeningVisit.Outcome.REFERRED, 5),
    ]
)
# Age at the first visit, in days: most are babies and toddlers, some school children, a few teenagers.
AGE_BANDS = _Picker([((90, 365), 45), ((365, 3 * 365), 25), ((3 * 365, 12 * 365), 25), ((12 * 365, 17 * 365), 3)])


def _stages(code: str, age_days: int) -> list[str]:
    """The operations a child with this cleft goes through, in order."""
    right_lip, left_lip = code[0] != ".", code[6] != "."
    palate = any(c != "." for c in code[2:5])
    alveolus = code[1] != "." or code[5] != "."
    stages = []
    if right_lip or left_lip:
        stages.append(LIP_BILATERAL if right_lip and left_lip else LIP_UNILATERAL)
    if palate:
        stages.append(PALATE)
    if alveolus and age_days > 6 * 365:
        stages.append(BONE_GRAFT)
    return stages


class _MissionIndex:
    """Missions that see children, by date, for drawing a child's first and later visits."""

    def __init__(self, missions: list[Mission]) -> None:
        self.missions = sorted(missions, key=lambda m: m.start_date)
        self.starts = [m.start_date for m in self.missions]
        weights = [
            (5.0 if m.kind == Mission.Kind.INTERNATIONAL else 1.0) * (0.5 if m.phase != Mission.Phase.CLOSED else 1)
            for m in self.missions
        ]
        self.first = _Picker(list(zip(self.missions, weights, strict=True)))

    def later(self, rng: random.Random, after: Mission, min_days: int, max_days: int) -> Mission | None:
        lo = bisect.bisect_left(self.starts, after.start_date + dt.timedelta(days=min_days))
        hi = bisect.bisect_right(self.starts, after.start_date + dt.timedelta(days=max_days))
        candidates = self.missions[lo:hi]
        if not candidates:
            return None
        same_site = [m for m in candidates if m.site_id == after.site_id]
        chosen = rng.choice(same_site if same_site and rng.random() < 0.75 else candidates)
        if chosen.phase != Mission.Phase.CLOSED and rng.random() < 0.6:
            return None  # the mission under way has only begun registering
        return chosen


def since_local_midnight(now: dt.datetime) -> dt.timedelta:
    """How long today has run where the mission is (the app's time zone): the demo's
    screening day under way has had no family before midnight or after now."""
    return now - timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))


def _visit_at(rng: random.Random, mission: Mission) -> dt.datetime:
    day = mission.start_date + dt.timedelta(days=rng.randrange(mission.screening_days))
    at = _aware(day, rng.randint(0, 9 * 60))
    now = timezone.now()
    if at > now and day == timezone.localdate():
        # a screening day under way has had no family later than now: loaded before seven,
        # today's families came in the minutes since midnight
        at = now - since_local_midnight(now) * rng.random()
    return at


def _plan_visits(rng: random.Random, index: _MissionIndex, first: Mission, stages: list[str]) -> list[_PlannedVisit]:
    """A child's history: deferred children come back to a later mission, operated children come
    back for the next stage (lip first, then palate), now and then for a revision."""
    visits: list[_PlannedVisit] = []
    mission: Mission | None = first
    stage = 0
    while mission is not None and len(visits) < 4:
        closed = mission.phase == Mission.Phase.CLOSED
        outcome = CLOSED_OUTCOMES(rng) if closed else SCREENING_OUTCOMES(rng)
        procedure = stages[stage] if stage < len(stages) else rng.choice([REVISION, REVISION, FISTULA])
        if visits:
            visits[-1].next_mission = mission
        visits.append(_PlannedVisit(mission, _visit_at(rng, mission), outcome, procedure))
        if not closed:
            break
        if outcome == ScreeningVisit.Outcome.OPERATED:
            stage += 1
            if stage < len(stages):
                # Palate about 9-12 months after the lip; the rest a year or more later.
                mission = index.later(rng, mission, 180, 420) if rng.random() < 0.8 else None
            else:
                mission = index.later(rng, mission, 365, 1200) if rng.random() < 0.05 else None
        elif outcome in (ScreeningVisit.Outcome.DEFERRED, ScreeningVisit.Outcome.ACCEPTED):
            mission = index.later(rng, mission, 25, 200) if rng.random() < 0.6 else None
        else:
            mission = index.later(rng, mission, 90, 400) if rng.random() < 0.3 else None
    return visits


def _plan_named_child(rng: random.Random, programme: Programme, index: _MissionIndex) -> _PlannedChild:
    """Nguyễn Văn An: lip repaired at an earlier Hà Nội mission, back for his palate at the one
    under way, where the clinician and registrar are on the team."""
    current = programme.current
    earlier = [m for m in programme.recent if m.site_id == current.site_id] or programme.recent
    first = earlier[min(len(earlier) - 1, 2)]
    dob = first.start_date - dt.timedelta(days=120)
    visits = [
        _PlannedVisit(first, _visit_at(rng, first), ScreeningVisit.Outcome.OPERATED, LIP_UNILATERAL, current),
        _PlannedVisit(current, _visit_at(rng, current), ScreeningVisit.Outcome.ACCEPTED, PALATE),
    ]
    family, middle, given = NAMED_CHILD
    return _PlannedChild(family, middle, given, Patient.Sex.MALE, dob, "LAHSH..", "Hà Nội", "Thôn 3", visits)


def _plan_children(rng: random.Random, count: int, programme: Programme, today: dt.date) -> list[_PlannedChild]:
    index = _MissionIndex(programme.seen)
    north = [p for p in PROVINCES if p in NORTH]
    south = [p for p in PROVINCES if p not in NORTH]
    site_north = {programme.sites[0].pk: True, programme.sites[1].pk: False}
    oldest = today - dt.timedelta(days=24 * 365)
    children = [_plan_named_child(rng, programme, index)]
    while len(children) < count:
        code = _LAHSHAL(rng)
        cp_only = code[0] == "." and code[6] == "."
        sex = Patient.Sex.FEMALE if rng.random() < (0.55 if cp_only else 0.4) else Patient.Sex.MALE
        first = index.first(rng)
        low, high = AGE_BANDS(rng)
        dob = max(first.start_date - dt.timedelta(days=rng.randint(low, high)), oldest)
        family, middle, given = _person_name(rng, male=sex == Patient.Sex.MALE)
        while _answers_named_search(search_key(f"{family} {middle} {given}")):
            family, middle, given = _person_name(rng, male=sex == Patient.Sex.MALE)
        home = north if site_north.get(first.site_id, True) == (rng.random() < 0.85) else south
        children.append(
            _PlannedChild(
                family=family,
                middle=middle,
                given=given,
                sex=sex,
                dob=dob,
                lahshal=code,
                province=rng.choice(home),
                address=f"Thôn {rng.randint(1, 12)}" if rng.random() < 0.5 else "",
                visits=_plan_visits(rng, index, first, _stages(code, (first.start_date - dob).days)),
            )
        )
    # Record numbers follow the order children were first registered.
    children.sort(key=lambda c: c.visits[0].at)
    return children


R = Guardian.Relation
GUARDIAN_FIRST = _Picker([(R.MOTHER, 62), (R.FATHER, 28), (R.GRANDPARENT, 7), (R.OTHER, 3)])


def _guardians(rng: random.Random, child: _PlannedChild, patient_id: int) -> list[Guardian]:
    rows = []
    relations = [GUARDIAN_FIRST(rng)]
    if rng.random() < 0.35 and relations[0] in (R.MOTHER, R.FATHER):
        relations.append(R.FATHER if relations[0] == R.MOTHER else R.MOTHER)
    for relation in relations:
        paternal = relation == R.FATHER or (relation == R.GRANDPARENT and rng.random() < 0.5)
        if paternal:
            _, middle, given = _person_name(rng, male=True)
            name = f"{child.family} {middle} {given}"
        else:
            family, _, given = _person_name(rng, male=False)
            name = f"{family} Thị {given}"
        phone = vn_mobile(rng) if rng.random() < 0.96 else ""
        rows.append(
            Guardian(patient_id=patient_id, name=name, relation=relation, phone=phone, phone_digits=digits(phone))
        )
    return rows


@dataclass
class ChildCounts:
    children: int
    guardians: int
    visits: int
    decisions: int


def make_children(
    rng: random.Random, count: int, programme: Programme, today: dt.date, decided_by: dict[int, Any] | None = None
) -> ChildCounts:
    """Children with their guardians and visits, and the decisions taken on those visits.
    `decided_by` maps a mission's id to the user recorded as deciding there (else nobody)."""
    planned = _plan_children(rng, count, programme, today)
    # Ids are given here so that record numbers (CM-000123, from the id) are written in one pass.
    start = (Patient.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
    patients: list[Patient] = []
    guardians: list[Guardian] = []
    visits: list[ScreeningVisit] = []
    plans: list[_PlannedVisit] = []
    for offset, child in enumerate(planned):
        pk = start + offset
        full = f"{child.family} {child.middle} {child.given}"
        patients.append(
            Patient(
                id=pk,
                record_number=f"CM-{pk:06d}",
                family_name=child.family,
                middle_name=child.middle,
                given_name=child.given,
                sex=child.sex,
                date_of_birth=child.dob,
                province=child.province,
                address=child.address,
                lahshal=child.lahshal,
                search_name=search_key(full),
                created_at=child.visits[0].at,
            )
        )
        guardians.extend(_guardians(rng, child, pk))
        visits.extend(
            ScreeningVisit(
                patient_id=pk,
                mission=v.mission,
                queue_number=0,
                registered_at=v.at,
                outcome=v.outcome,
                procedure=v.visit_procedure,
                decided_at=v.decided_at,
            )
            for v in child.visits
        )
        plans.extend(child.visits)
    # Queue numbers in the order children arrived at each mission (after any already there).
    by_mission: dict[int, list[ScreeningVisit]] = defaultdict(list)
    for visit in visits:
        by_mission[visit.mission_id].append(visit)
    for mission_visits in by_mission.values():
        mission_visits.sort(key=lambda v: v.registered_at)
        for number, visit in enumerate(mission_visits, start=1):
            visit.queue_number = number
    _bulk(Patient, patients)
    _reset_sequences([Patient])
    _bulk(Guardian, guardians)
    _bulk(ScreeningVisit, visits)
    decisions = make_decisions(rng, list(zip(visits, plans, strict=True)), today, decided_by or {})
    _set_targets(rng, programme, by_mission)
    return ChildCounts(children=len(patients), guardians=len(guardians), visits=len(visits), decisions=decisions)


DEFERRALS = _Picker(
    [
        (DeferralCode.URI, 30), (DeferralCode.FEVER, 10), (DeferralCode.LOW_HB, 15),
        (DeferralCode.MALNUTRITION, 15), (DeferralCode.UNDER_AGE, 7), (DeferralCode.UNDER_WEIGHT, 7),
        (DeferralCode.CARDIAC_WORKUP, 4), (DeferralCode.ASA, 2), (DeferralCode.NO_CAPACITY, 6),
        (DeferralCode.NO_SHOW, 2), (DeferralCode.NO_CONSENT, 1), (DeferralCode.OTHER, 1),
    ]
)  # fmt: skip
DEFERRAL_REFERRALS = {
    DeferralCode.MALNUTRITION: Referral.NUTRITION,
    DeferralCode.UNDER_WEIGHT: Referral.NUTRITION,
    DeferralCode.LOW_HB: Referral.NUTRITION,
    DeferralCode.CARDIAC_WORKUP: Referral.CARDIOLOGY,
}
REFERRALS = [
    (Referral.ENT, "Khoa Tai Mũi Họng, bệnh viện tỉnh"),
    (Referral.SPEECH_THERAPY, "Trị liệu ngôn ngữ, bệnh viện nhi"),
    (Referral.ORTHODONTICS, "Khoa Chỉnh nha, bệnh viện Răng Hàm Mặt"),
    (Referral.CARDIOLOGY, "Khoa Tim mạch, bệnh viện nhi"),
    (Referral.OTHER, "Khoa Di truyền, bệnh viện nhi"),
]


def make_decisions(
    rng: random.Random,
    visits: list[tuple[ScreeningVisit, _PlannedVisit]],
    today: dt.date,
    decided_by: dict[int, Any],
) -> int:
    """A decision for every decided visit, as screening.services.record_decision leaves it:
    accepted with its procedures, minutes and a priority; deferred with a reason and a
    re-screen date (before the mission the child came back to, if any); referred with where."""
    catalog = {p.code: p for p in Procedure.objects.all()}
    rows: list[Decision] = []
    procedures: list[Procedure | None] = []
    for visit, plan in visits:
        decided_at = plan.decided_at
        if decided_at is None:
            continue
        decision = Decision(visit_id=visit.pk, decided_at=decided_at, decided_by=decided_by.get(visit.mission_id))
        procedure = catalog.get(plan.procedure)
        if plan.outcome in (ScreeningVisit.Outcome.ACCEPTED, ScreeningVisit.Outcome.OPERATED):
            decision.outcome = Decision.Outcome.ACCEPTED
            decision.estimated_minutes = procedure.planning_minutes if procedure else None
            decision.priority = rng.choice([1, 2, 2, 3, 3, 3, 4, 5])
        elif plan.outcome == ScreeningVisit.Outcome.DEFERRED:
            decision.outcome = Decision.Outcome.DEFERRED
            code = DEFERRALS(rng)
            decision.deferral_code = code
            decision.deferral_note = "Gia đình xin hoãn để thu xếp công việc" if code == DeferralCode.OTHER else ""
            decision.referral = DEFERRAL_REFERRALS.get(code, "")
            start = plan.mission.start_date
            if plan.mission.phase != Mission.Phase.CLOSED:  # decided during the mission under way
                decision.rescreen_date = today + dt.timedelta(days=rng.randint(30, 120))
            elif plan.next_mission is not None:
                back = plan.next_mission
                decision.rescreen_date = max(start + dt.timedelta(days=14), back.start_date - dt.timedelta(days=7))
            else:
                decision.rescreen_date = start + dt.timedelta(days=rng.randint(30, 180))
            procedure = None
        else:
            decision.outcome = Decision.Outcome.REFERRED
            decision.referral, decision.referred_to = rng.choice(REFERRALS)
            procedure = None
        rows.append(decision)
        procedures.append(procedure)
    _bulk(Decision, rows)
    through = Decision.procedures.through
    links = [
        through(decision_id=d.pk, procedure_id=p.pk) for d, p in zip(rows, procedures, strict=True) if p is not None
    ]
    _bulk(through, links)
    return len(rows)


def _set_targets(rng: random.Random, programme: Programme, by_mission: dict[int, list[ScreeningVisit]]) -> None:
    """Targets close to what closed missions achieved; the one under way aims above its count so far."""
    changed = []
    for mission in programme.missions:
        seen = by_mission.get(mission.pk, [])
        if not seen:
            continue
        operated = sum(v.outcome == ScreeningVisit.Outcome.OPERATED for v in seen)
        if mission.phase == Mission.Phase.CLOSED:
            mission.target_evaluated = max(1, round(len(seen) * rng.uniform(0.9, 1.15)))
            mission.target_operated = max(1, round(operated * rng.uniform(0.9, 1.2)))
        else:
            mission.target_evaluated = max(mission.target_evaluated, round(len(seen) * 1.6))
            mission.target_operated = max(mission.target_operated, round(len(seen) * 1.6 * 0.6))
        changed.append(mission)
    Mission.objects.bulk_update(changed, ["target_evaluated", "target_operated"], batch_size=500)


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """After rows were written with explicit ids, move PostgreSQL's sequences past them
    (SQLite's AUTOINCREMENT follows by itself: the statement list is empty)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- logins ----------------------------------------------------------------------------------


def make_users() -> tuple[dict[str, Any], list[str]]:
    """The five demo logins with a role, and the volunteer's login without one (password "demo",
    linked to their record by `link_volunteer_login`). An existing user of the same name is left alone."""
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the hash is slow on purpose
    users: dict[str, Any] = {}
    notes: list[str] = []
    for login in LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username,
            defaults={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "email": f"{login.username}@example.org",
                "password": password,
                "is_staff": login.role is Role.ADMINISTRATOR,
                "is_superuser": login.role is Role.ADMINISTRATOR,
            },
        )
        if created:
            set_role(user, login.role)
        else:
            notes.append(f"User {login.username!r} already existed; its password and role were left unchanged.")
        users[login.username] = user
    user, created = User.objects.get_or_create(username=VOLUNTEER_LOGIN, defaults={"password": password})
    if not created:
        notes.append(f"User {VOLUNTEER_LOGIN!r} already existed; its password was left unchanged.")
    users[VOLUNTEER_LOGIN] = user
    return users, notes


# --- all of it -------------------------------------------------------------------------------


@dataclass
class Result:
    loaded: bool  # False when the demo was already there
    seconds: float
    counts: dict[str, int]
    notes: list[str]


def is_loaded() -> bool:
    """The demo is in the database when its partner hospitals are (they are written in the
    same transaction as everything else, so it is all or nothing)."""
    return Site.objects.filter(name__in=[s.name for s in SITES]).count() == len(SITES)


def counts() -> dict[str, int]:
    from cleftmission.followup.models import FollowUpVisit
    from cleftmission.surgery.models import SurgicalCase

    today = timezone.localdate()
    return {
        "partner hospitals": Site.objects.count(),
        "operating tables": OperatingTable.objects.count(),
        "missions": Mission.objects.count(),
        "  closed": Mission.objects.filter(phase=Mission.Phase.CLOSED).count(),
        "  screening": Mission.objects.filter(phase=Mission.Phase.SCREENING).count(),
        "  operating": Mission.objects.filter(phase=Mission.Phase.SURGERY).count(),
        "  in planning": Mission.objects.filter(phase=Mission.Phase.PLANNING).count(),
        "volunteers": Volunteer.objects.count(),
        "credentials": Credential.objects.count(),
        "  expired": Credential.objects.expired(today).count(),
        "  expiring within 60 days": Credential.objects.expiring_within(today, 60).count(),
        "  waiting for verification": Credential.objects.filter(verification=Credential.Verification.PENDING).count(),
        "team members": MissionMember.objects.count(),
        "children": Patient.objects.count(),
        "guardians": Guardian.objects.count(),
        "screening visits": ScreeningVisit.objects.count(),
        "decisions": Decision.objects.count(),
        "surgical cases": SurgicalCase.objects.count(),
        "follow-up visits": FollowUpVisit.objects.count(),
        "  overdue": FollowUpVisit.objects.filter(status=FollowUpVisit.Status.PLANNED, due_date__lt=today).count(),
    }


def load(
    scale: Scale = DEMO_SCALE, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> Result:
    """Load the programme unless it is already there. Returns what the database holds."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    say = progress or (lambda _message: None)
    if is_loaded():
        return Result(loaded=False, seconds=time.perf_counter() - started, counts=counts(), notes=[])
    rng = random.Random(scale.seed)
    with transaction.atomic():
        users, notes = make_users()
        sites = make_sites()
        programme = make_missions(rng, sites, today, scale.years)
        say(f"{len(programme.missions)} missions")
        people = make_volunteers(rng, scale.volunteers, users)
        _teams, upcoming_team = make_teams(rng, programme, people)
        make_credentials(rng, people, today, programme.upcoming, upcoming_team, reviewer=users.get("coordinator"))
        notes.extend(link_volunteer_login(users.get(VOLUNTEER_LOGIN), upcoming_team.expiring))
        say(f"{len(people.volunteers)} volunteers and their credentials")
        clinician = users.get("clinician")
        decided_by = {m.pk: clinician for m in programme.login_missions} if clinician else {}
        made = make_children(rng, scale.children, programme, today, decided_by)
        say(f"{made.children} children, {made.guardians} guardians, {made.visits} visits, {made.decisions} decisions")
    return Result(loaded=True, seconds=time.perf_counter() - started, counts=counts(), notes=notes)
