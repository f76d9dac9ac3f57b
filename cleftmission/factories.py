"""factory-boy factories for every model, used by the tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission, OperatingTable, Site
from cleftmission.patients.models import Guardian, Patient
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.screening.models import Decision, ScreeningVisit
from cleftmission.surgery.models import SurgicalCase
from cleftmission.volunteers.models import (
    SPECIALTY_ROLE,
    Credential,
    MissionMember,
    RequiredCredential,
    StaffingNeed,
    TeamProposal,
    Unavailability,
    Volunteer,
    every_day,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Bệnh viện {n}")
    city = "Hà Nội"
    ward_beds = 40


class OperatingTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatingTable

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Bàn {n}")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    name = factory.Sequence(lambda n: f"Mission {n}")
    kind = Mission.Kind.LOCAL
    site = factory.SubFactory(SiteFactory)
    start_date = dt.date(2026, 12, 7)
    end_date = dt.date(2026, 12, 11)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    family_name = "Trần"
    given_name = factory.Sequence(lambda n: f"Minh {n}")
    specialty = Volunteer.Specialty.PLASTIC_SURGEON
    origin = Volunteer.Origin.IN_COUNTRY


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    volunteer = factory.SubFactory(VolunteerFactory)
    kind = Credential.Kind.LICENCE
    valid_from = dt.date(2020, 1, 1)
    valid_to = dt.date(2030, 1, 1)
    verification = Credential.Verification.VERIFIED


class MissionMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionMember

    mission = factory.SubFactory(MissionFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    role = factory.LazyAttribute(lambda member: SPECIALTY_ROLE[member.volunteer.specialty])
    days = factory.LazyAttribute(lambda member: every_day(member.mission))


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unavailability

    volunteer = factory.SubFactory(VolunteerFactory)
    first_day = dt.date(2026, 12, 1)
    last_day = dt.date(2026, 12, 31)


class RequiredCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredCredential
        django_get_or_create = ("specialty", "kind")

    specialty = Volunteer.Specialty.PLASTIC_SURGEON
    kind = Credential.Kind.LICENCE


class StaffingNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingNeed
        django_get_or_create = ("mission_kind", "role")

    mission_kind = "international"
    role = "plastic_surgeon"
    per_table = 1


class TeamProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamProposal

    mission = factory.SubFactory(MissionFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    role = factory.LazyAttribute(lambda proposal: SPECIALTY_ROLE[proposal.volunteer.specialty])
    days = factory.LazyAttribute(lambda proposal: every_day(proposal.mission))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    record_number = factory.Sequence(lambda n: f"CM-9{n:05d}")
    family_name = "Nguyễn"
    middle_name = "Văn"
    given_name = factory.Sequence(lambda n: f"An{n}")
    sex = Patient.Sex.MALE
    date_of_birth = dt.date(2025, 6, 1)
    province = "Hà Nội"
    lahshal = "L......"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    patient = factory.SubFactory(PatientFactory)
    name = "Lê Thị Hoa"
    relation = Guardian.Relation.MOTHER
    phone = "+84912345678"


class ScreeningVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningVisit

    patient = factory.SubFactory(PatientFactory)
    mission = factory.SubFactory(MissionFactory)
    queue_number = factory.Sequence(lambda n: n + 1)


class DecisionFactory(factory.django.DjangoModelFactory):
    """An accepted child (give `procedures=[...]` after creating, or `estimated_minutes`)."""

    class Meta:
        model = Decision

    visit = factory.SubFactory(ScreeningVisitFactory)
    outcome = Decision.Outcome.ACCEPTED
    priority = 3
    decided_by = factory.SubFactory(UserFactory)


class ScheduleFactory(factory.django.DjangoModelFactory):
    """A schedule written directly (no solver): give `days`, `problem` and rows yourself."""

    class Meta:
        model = Schedule

    mission = factory.SubFactory(MissionFactory)
    number = factory.Sequence(lambda n: n + 1)
    days = factory.LazyAttribute(lambda s: [d.isoformat() for d in s.mission.operating_days])
    problem = factory.LazyAttribute(lambda s: {"days": len(s.days), "tables": [], "surgeons": [], "cases": []})


class ScheduledCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledCase

    schedule = factory.SubFactory(ScheduleFactory)
    visit = factory.SubFactory(ScreeningVisitFactory)
    key = factory.LazyAttribute(lambda c: f"V{c.visit.pk}")
    procedure = "lip_uni"
    minutes = 90


class SurgicalCaseFactory(factory.django.DjangoModelFactory):
    """A case on the mission's first operating day, written directly (no published schedule)."""

    class Meta:
        model = SurgicalCase

    visit = factory.SubFactory(ScreeningVisitFactory)
    mission = factory.LazyAttribute(lambda c: c.visit.mission)
    day = factory.LazyAttribute(lambda c: (c.mission.operating_days or [c.mission.start_date])[0])
    planned_start = factory.LazyAttribute(
        lambda c: timezone.make_aware(dt.datetime.combine(c.day, c.mission.day_start))
    )
    planned_minutes = 90


class FollowUpVisitFactory(factory.django.DjangoModelFactory):
    """A planned visit a week after a discharged child's operation."""

    class Meta:
        model = FollowUpVisit

    case = factory.SubFactory(SurgicalCaseFactory, status=SurgicalCase.Status.DISCHARGED)
    kind = FollowUpVisit.Kind.ONE_WEEK
    due_date = factory.LazyAttribute(lambda v: v.case.day + dt.timedelta(days=8))
