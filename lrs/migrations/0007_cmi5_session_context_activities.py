from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0006_cmi5_session_remove_satisfied"),
    ]

    operations = [
        migrations.AddField(
            model_name="cmi5session",
            name="context_activities",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
