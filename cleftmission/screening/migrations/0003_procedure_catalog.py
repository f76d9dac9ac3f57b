from django.db import migrations

# Planning minutes from DOMAIN.md ("Planning the operating days"); calibrated later from
# the times the operating days record.
CATALOG = [
    ("lip_uni", "Primary lip repair, unilateral", "Tạo hình môi một bên", "primary_lip", 90),
    ("lip_bi", "Primary lip repair, bilateral", "Tạo hình môi hai bên", "primary_lip", 120),
    ("palate", "Primary palate repair", "Tạo hình vòm miệng", "primary_palate", 120),
    ("revision", "Lip or nose revision", "Chỉnh sửa môi hoặc mũi", "secondary", 60),
    ("fistula", "Fistula repair", "Vá lỗ rò vòm miệng", "secondary", 90),
    ("bone_graft", "Alveolar bone graft", "Ghép xương ổ răng", "secondary", 135),
]


def add_catalog(apps, schema_editor):
    Procedure = apps.get_model("screening", "Procedure")
    for code, name_en, name_vi, kind, minutes in CATALOG:
        Procedure.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_vi": name_vi, "kind": kind, "planning_minutes": minutes}
        )


def remove_catalog(apps, schema_editor):
    apps.get_model("screening", "Procedure").objects.filter(code__in=[c[0] for c in CATALOG]).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_stations_decisions_photos_procedures")]

    operations = [migrations.RunPython(add_catalog, remove_catalog)]
