from django.db import migrations


class Migration(migrations.Migration):
    """Cmi5Session.satisfied was set only by a ``satisfied`` about the AU's own activity id,
    which the LMS never states (it states the lesson, blocks and course), and nothing read it:
    whether an AU is satisfied is derived from its sessions' flags, and what the LMS stated is
    in the ``satisfied`` statements themselves."""

    dependencies = [
        ("lrs", "0005_cmi5_session"),
    ]

    operations = [
        migrations.RemoveField(model_name="cmi5session", name="satisfied"),
    ]
