"""SEP and its technological upper-secondary subsystems as issuers (DOMAIN.md).

Signing keys are not created here: they are generated (or taken from LMS_SIGNING_KEY_*) on first
use, under whatever key policy the deployment configures. Operators edit these rows in the admin.
"""

from django.db import migrations

SEP = {
    "slug": "sep",
    "name": "Secretaría de Educación Pública",
    "kind": "government",
    "url": "https://www.gob.mx/sep",
    "description": "Autoridad educativa federal; emite las microcredenciales de Capacita.",
}
SUBSYSTEMS = [
    ("dgeti", "Dirección General de Educación Tecnológica Industrial y de Servicios (DGETI)",
     "https://www.dgeti.sep.gob.mx"),
    ("uemstaycm", "Unidad de Educación Media Superior Tecnológica Agropecuaria y Ciencias del Mar",
     "https://www.gob.mx/sep"),
    ("conalep", "Colegio Nacional de Educación Profesional Técnica (CONALEP)",
     "https://www.gob.mx/conalep"),
    ("cecyte", "Colegios de Estudios Científicos y Tecnológicos (CECyTE)", "https://www.gob.mx/sep"),
]


def seed(apps, schema_editor):
    Issuer = apps.get_model("credentials", "Issuer")
    sep, _ = Issuer.objects.get_or_create(slug=SEP["slug"], defaults=SEP)
    for slug, name, url in SUBSYSTEMS:
        Issuer.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": "subsystem", "url": url, "parent": sep}
        )


def unseed(apps, schema_editor):
    Issuer = apps.get_model("credentials", "Issuer")
    Issuer.objects.filter(
        slug__in=[slug for slug, _, _ in SUBSYSTEMS], achievements__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("credentials", "0002_course_links")]

    operations = [migrations.RunPython(seed, unseed)]
