# Joins the two first migrations of progress (the LRS and the learner records), which were
# written side by side.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
        ("progress", "0002_seed_subsystems"),
    ]

    operations = []
