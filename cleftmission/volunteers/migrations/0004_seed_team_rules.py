"""The programme's team rules as editable data, and the team data written before them.

- Required credentials per specialty, from the programme's medical volunteer process: each
  physician holds a licence, a specialty diploma, board certification, BLS and PALS; nurses a
  nursing licence, BLS and PALS; dentists and speech pathologists a licence.
- Staffing templates per kind of mission: per operating table one plastic surgeon, one
  anaesthesiologist and two operating-room nurses, and the rest of the team in all.
- Credentials recorded before documents existed were entered by coordinators: verified.
- Nurses already on teams were operating-room nurses; members were present every day.
"""

import datetime as dt

from django.db import migrations

PHYSICIAN = ["licence", "specialty_diploma", "board_certification", "bls", "pals"]
REQUIRED = {
    "plastic_surgeon": PHYSICIAN,
    "anesthesiologist": PHYSICIAN,
    "pediatrician": PHYSICIAN,
    "dentist": ["licence", "bls"],
    "speech_pathologist": ["licence"],
    "nurse": ["nursing_licence", "bls", "pals"],
}

# role: (per table, in addition)
TEMPLATES = {
    "international": {
        "plastic_surgeon": (1, 0),
        "anesthesiologist": (1, 0),
        "or_nurse": (2, 0),
        "recovery_nurse": (0, 3),
        "ward_nurse": (0, 4),
        "pediatrician": (0, 2),
        "dentist": (0, 1),
        "speech_pathologist": (0, 2),
        "child_life": (0, 1),
        "biomedical": (0, 1),
        "interpreter": (0, 4),
        "coordinator": (0, 2),
        "student": (0, 2),
        "student_sponsor": (0, 1),
    },
    "local": {
        "plastic_surgeon": (1, 0),
        "anesthesiologist": (1, 0),
        "or_nurse": (2, 0),
        "recovery_nurse": (0, 2),
        "ward_nurse": (0, 2),
        "pediatrician": (0, 1),
        "speech_pathologist": (0, 1),
        "coordinator": (0, 1),
    },
}


def seed(apps, schema_editor):
    RequiredCredential = apps.get_model("volunteers", "RequiredCredential")
    StaffingNeed = apps.get_model("volunteers", "StaffingNeed")
    Credential = apps.get_model("volunteers", "Credential")
    MissionMember = apps.get_model("volunteers", "MissionMember")

    RequiredCredential.objects.bulk_create(
        [RequiredCredential(specialty=s, kind=k) for s, kinds in REQUIRED.items() for k in kinds]
    )
    StaffingNeed.objects.bulk_create(
        [
            StaffingNeed(mission_kind=kind, role=role, per_table=per_table, fixed=fixed)
            for kind, needs in TEMPLATES.items()
            for role, (per_table, fixed) in needs.items()
        ]
    )
    Credential.objects.update(verification="verified")
    MissionMember.objects.filter(role="nurse").update(role="or_nurse")
    for member in MissionMember.objects.select_related("mission").filter(days=[]):
        start, end = member.mission.start_date, member.mission.end_date
        member.days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
        member.save(update_fields=["days"])


def unseed(apps, schema_editor):
    apps.get_model("volunteers", "RequiredCredential").objects.all().delete()
    apps.get_model("volunteers", "StaffingNeed").objects.all().delete()
    apps.get_model("volunteers", "MissionMember").objects.filter(
        role__in=["or_nurse", "recovery_nurse", "ward_nurse"]
    ).update(role="nurse")


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0002_team_balance"),
        ("volunteers", "0003_team_days_documents_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
