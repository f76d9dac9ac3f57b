"""Demo: the local mission under way is in the middle of its screening day. Children arrive
through the morning and are at every point of their route: just registered, part-way through
the stations, decided. Written through the real services (audited), as staff would."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cleftmission.core import demo as base
from cleftmission.core.text import search_key
from cleftmission.missions.models import Mission
from cleftmission.patients import lahshal as lahshal_code
from cleftmission.patients import services as patient_services
from cleftmission.patients.models import Patient
from cleftmission.screening import services
from cleftmission.screening.models import Decision, Procedure, ScreeningVisit, Station

ROUTE = [Station.VITALS, Station.PEDIATRIC, Station.ANESTHESIA, Station.SURGICAL, Station.DENTAL, Station.SPEECH]


def _median_weight(age_days: int) -> float:
    """A rough WHO-like median weight for the age, enough for plausible synthetic vitals."""
    months = age_days / 30.4
    if months <= 12:
        return 3.4 + 0.55 * months
    return 10.0 + 0.18 * (months - 12)


def _vitals(rng: random.Random, patient: Patient, today: dt.date) -> dict[str, Any]:
    age = (today - patient.date_of_birth).days
    weight = _median_weight(age) * rng.uniform(0.72, 1.12)
    length = 50 + 2.2 * min(age / 30.4, 12) + 0.9 * max(age / 30.4 - 12, 0)
    return {
        "weight_kg": str(Decimal(weight).quantize(Decimal("0.01"))),
        "length_cm": str(Decimal(length * rng.uniform(0.95, 1.04)).quantize(Decimal("0.1"))),
        "temperature_c": str(Decimal(rng.choice([36.6, 36.8, 37.0, 37.2, 37.4, 38.3])).quantize(Decimal("0.1"))),
        "spo2": str(rng.choice([96, 97, 98, 99, 99, 100])),
        "haemoglobin": str(Decimal(rng.uniform(9.3, 13.2)).quantize(Decimal("0.1"))),
    }


def _procedures(patient: Patient, today: dt.date) -> list[str]:
    diagnosis = lahshal_code.parse(patient.lahshal) if patient.lahshal else None
    operated = set(patient.visits.filter(outcome=ScreeningVisit.Outcome.OPERATED).values_list("procedure", flat=True))
    operated_codes = {code for value in operated for code in value.split(", ")}
    months = (today - patient.date_of_birth).days / 30.4
    if diagnosis is None:
        return ["revision"]
    lip = {"lip_bi" if diagnosis.laterality == "bilateral" else "lip_uni"} if diagnosis.group != "CP" else set()
    if lip and not (lip & operated_codes):
        return sorted(lip)
    if diagnosis.veau and "palate" not in operated_codes and months >= 10:
        return ["palate"]
    return ["revision"] if months > 48 else sorted(lip) or ["palate"]


def _station_data(rng: random.Random, station: str, patient: Patient, today: dt.date) -> dict[str, Any]:
    if station == Station.VITALS:
        return _vitals(rng, patient, today)
    if station == Station.PEDIATRIC:
        return {
            "history": rng.choice(["Bú mẹ, ăn dặm tốt.", "Sinh thường, đủ tháng.", "Hay sặc khi bú."]),
            "findings": rng.choice(["Tim phổi bình thường.", "Không phát hiện bất thường.", "Họng đỏ nhẹ."]),
            "uri": rng.random() < 0.08,
            "cardiac_concern": rng.random() < 0.03,
            "syndrome": "",
        }
    if station == Station.ANESTHESIA:
        return {
            "asa": rng.choice([1, 1, 1, 2, 2, 3]),
            "airway": "difficult" if rng.random() < 0.05 else "normal",
            "mallampati": "",
            "accepts_higher_asa": False,
        }
    if station == Station.SURGICAL:
        codes = _procedures(patient, today)
        minutes = sum(Procedure.objects.filter(code__in=codes).values_list("planning_minutes", flat=True))
        side = lahshal_code.parse(patient.lahshal).laterality if patient.lahshal else "midline"
        return {
            "lahshal": patient.lahshal or "...S...",
            "procedures": codes,
            "laterality": side,
            "estimated_minutes": minutes,
        }
    if station == Station.DENTAL:
        return {
            "findings": rng.choice(["Răng sữa bình thường.", "Sâu răng nhẹ.", "Chưa mọc răng."]),
            "orthodontic_referral": False,
        }
    return {
        "findings": rng.choice(["Chưa nói.", "Giọng mũi hở nhẹ.", "Phát âm phù hợp lứa tuổi."]),
        "velopharyngeal": None,
        "speech_therapy_referral": False,
    }


NORTH_PROVINCES = ["Hà Nội", "Bắc Ninh", "Hưng Yên", "Phú Thọ", "Ninh Bình", "Thanh Hóa"]
SOUTH_PROVINCES = ["TP. Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Cần Thơ", "An Giang", "Đồng Tháp"]


def _register_new_child(
    rng: random.Random, mission: Mission, today: dt.date, registrar: Any, provinces: list[str]
) -> ScreeningVisit:
    """A child never seen before, registered at the gate with a guardian."""
    male = rng.random() < 0.55
    family, middle, given = base._person_name(rng, male)
    while base._answers_named_search(search_key(f"{family} {middle} {given}")):  # one Nguyễn Văn An
        family, middle, given = base._person_name(rng, male)
    age_days = rng.choice([rng.randint(80, 360), rng.randint(360, 1500), rng.randint(1500, 4000)])
    guardian_family, _m, guardian_given = base._person_name(rng, False)
    patient = patient_services.create_patient(
        data={
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "sex": "M" if male else "F",
            "date_of_birth": today - dt.timedelta(days=age_days),
            "province": rng.choice(provinces),
            "lahshal": rng.choices([code for code, _w in base.LAHSHAL_MIX], weights=[w for _c, w in base.LAHSHAL_MIX])[
                0
            ],
        },
        guardians=[
            {
                "name": f"{guardian_family} Thị {guardian_given}",
                "relation": "mother",
                "phone": base.vn_mobile(rng),
            }
        ],
        mission=mission,
        acting_user=registrar,
    )
    return patient.visits.get(mission=mission)


def play_screening_day(mission: Mission, *, today: dt.date | None = None, children: int = 100, seed: int = 11) -> int:
    """Register `children` more children today at `mission` and walk them part-way through
    screening; returns how many were registered."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    User = get_user_model()
    registrar = User.objects.filter(username="registrar").first()
    clinician = User.objects.filter(username="clinician").first()
    now = timezone.now()
    known = list(
        Patient.objects.filter(merged_into__isnull=True, visits__mission__site=mission.site)
        .exclude(visits__mission=mission)
        .distinct()[: children // 3]
    )
    made = 0
    # one family every two minutes over the last hours, the first ones furthest along; all of
    # them today, so just after midnight they come closer together
    step = min(2.0, base.since_local_midnight(now).total_seconds() / 60 / (children + 2))
    with transaction.atomic():
        # Yesterday's children were seen and decided yesterday.
        for visit in ScreeningVisit.objects.filter(mission=mission, outcome=ScreeningVisit.Outcome.REGISTERED):
            for station in ROUTE:
                data = _station_data(rng, station, visit.patient, today)
                services.record_evaluation(visit=visit, station=station, data=data, acting_user=clinician)
            _decide(rng, visit, today, clinician)
        for i in range(children):
            if i % 3 == 0 and known:
                patient = known.pop()
                visit = patient_services.register_visit(patient=patient, mission=mission, acting_user=registrar)
            else:
                visit = _register_new_child(rng, mission, today, registrar, NORTH_PROVINCES)
                patient = visit.patient
            arrived = now - dt.timedelta(minutes=step * (children - i + 1.5))
            ScreeningVisit.objects.filter(pk=visit.pk).update(registered_at=arrived)
            made += 1
            # the earlier a family came, the further along it is
            early = 1 - i / children
            depth = min(7, max(0, round(early * 8 + rng.uniform(-2, 1.5))))
            for station in ROUTE[: min(depth, len(ROUTE))]:
                services.record_evaluation(
                    visit=visit,
                    station=station,
                    data=_station_data(rng, station, patient, today),
                    acting_user=clinician,
                )
            if depth >= 7:
                _decide(rng, visit, today, clinician)
    return made


def _decide(rng: random.Random, visit: ScreeningVisit, today: dt.date, clinician: Any) -> None:
    surgical = visit.evaluations.get(station=Station.SURGICAL).data
    procedures = list(Procedure.objects.filter(code__in=surgical.get("procedures", [])))
    result = services.assess(visit, {p.code for p in procedures})
    if not result.failing:
        data = {"outcome": Decision.Outcome.ACCEPTED, "procedures": procedures, "priority": rng.choice([2, 3, 3, 4])}
    else:
        data = {
            "outcome": Decision.Outcome.DEFERRED,
            "deferral_code": result.suggested_deferral or "OTHER",
            "deferral_note": "" if result.suggested_deferral else "Theo dõi thêm",
            "rescreen_date": services.default_rescreen_date(today),
            "referral": "nutrition" if result.suggested_deferral == "MALNUTRITION" else "",
        }
    services.record_decision(visit=visit, data=data, acting_user=clinician)


def _referred(rng: random.Random, station: str, data: dict[str, Any], patient: Patient, day: dt.date) -> dict[str, Any]:
    """Children the partner hospital referred after a first check: most are fit on the day
    (no fever, haemoglobin and weight in range); a few are not, as at any screening."""
    if rng.random() < 0.2:
        return data
    data = dict(data)
    if station == Station.VITALS:
        weight = _median_weight((day - patient.date_of_birth).days) * rng.uniform(0.95, 1.12)
        data["weight_kg"] = str(Decimal(weight).quantize(Decimal("0.01")))
        data["temperature_c"] = rng.choice(["36.6", "36.8", "37.0", "37.2"])
        data["haemoglobin"] = str(Decimal(rng.uniform(10.5, 13.0)).quantize(Decimal("0.1")))
    elif station == Station.PEDIATRIC:
        data.update(uri=False, cardiac_concern=False)
    elif station == Station.ANESTHESIA:
        data.update(asa=rng.choice([1, 1, 2]), airway="normal")
    return data


def screen_children(
    mission: Mission,
    *,
    day: dt.date,
    children: int,
    seed: int = 23,
    provinces: list[str] = SOUTH_PROVINCES,
) -> int:
    """A whole screening day, done: `children` children registered on `day` (a few of them
    operated at an earlier mission at this hospital, back for their next operation), seen at
    every station and decided. Written through the real services, then dated to that day.
    Returns how many were accepted."""
    rng = random.Random(seed)
    User = get_user_model()
    registrar = User.objects.filter(username="registrar").first()
    clinician = User.objects.filter(username="clinician").first()
    open_missions = Mission.objects.exclude(phase=Mission.Phase.CLOSED)
    back = list(
        Patient.objects.filter(
            merged_into__isnull=True,
            visits__mission__site=mission.site,
            visits__outcome=ScreeningVisit.Outcome.OPERATED,
            visits__mission__start_date__lte=day - dt.timedelta(days=180),
        )
        .exclude(visits__mission__in=open_missions)
        .distinct()
        .order_by("pk")[: children // 6]
    )
    accepted = 0
    with transaction.atomic():
        for i in range(children):
            if i % 6 == 3 and back:
                visit = patient_services.register_visit(patient=back.pop(), mission=mission, acting_user=registrar)
            else:
                visit = _register_new_child(rng, mission, day, registrar, provinces)
            for station in ROUTE:
                data = _referred(rng, station, _station_data(rng, station, visit.patient, day), visit.patient, day)
                services.record_evaluation(visit=visit, station=station, data=data, acting_user=clinician)
            _decide(rng, visit, day, clinician)
            # families from seven in the morning, one every four minutes; decided a few hours later
            arrived = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0))) + dt.timedelta(minutes=4 * i)
            decided = arrived + dt.timedelta(minutes=rng.randint(120, 240))
            ScreeningVisit.objects.filter(pk=visit.pk).update(registered_at=arrived, decided_at=decided)
            Decision.objects.filter(visit=visit).update(decided_at=decided)
            accepted += Decision.objects.filter(visit=visit, outcome=Decision.Outcome.ACCEPTED).exists()
    return accepted
