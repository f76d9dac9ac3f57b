import django.core.validators
from django.db import migrations, models


def international_missions_screen_two_days(apps, schema_editor):
    # An international mission screens for two days before its five operating days.
    apps.get_model("missions", "Mission").objects.filter(kind="international").update(screening_days=2)


class Migration(migrations.Migration):
    dependencies = [("missions", "0002_team_balance")]

    operations = [
        migrations.AddField(
            model_name="mission",
            name="screening_days",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="The first days of the mission are for screening; the operating days follow",
                validators=[django.core.validators.MaxValueValidator(30)],
                verbose_name="screening days",
            ),
        ),
        migrations.RunPython(international_missions_screen_two_days, migrations.RunPython.noop),
    ]
