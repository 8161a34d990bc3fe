"""Seed the editable list of technological upper-secondary subsystems (DOMAIN.md)."""

from django.db import migrations

SUBSYSTEMS = [
    (
        "dgeti",
        "DGETI",
        "federal",
        "Dirección General de Educación Tecnológica Industrial y de Servicios (CBTis y CETis).",
    ),
    (
        "conalep",
        "CONALEP",
        "descentralizado_federal",
        "Colegio Nacional de Educación Profesional Técnica y sus colegios estatales.",
    ),
    (
        "cecyte",
        "CECyTE",
        "estatal",
        "Colegios de Estudios Científicos y Tecnológicos de los Estados (incluye EMSaD).",
    ),
    (
        "uemstaycm",
        "UEMSTAyCM",
        "federal",
        "Unidad de Educación Media Superior Tecnológica Agropecuaria y Ciencias del Mar "
        "(CBTA, CBTF, CETMAR).",
    ),
    ("ipn", "IPN", "federal", "Instituto Politécnico Nacional: CECyT."),
    ("ceti", "CETI", "federal", "Centro de Enseñanza Técnica Industrial."),
    (
        "dgcft",
        "DGCFT",
        "federal",
        "Dirección General de Centros de Formación para el Trabajo (CECATI).",
    ),
    ("otro", "Otro", "otro", "Otro subsistema o institución."),
]


def seed(apps, schema_editor):
    Subsystem = apps.get_model("learners", "Subsystem")
    for code, name, kind, description in SUBSYSTEMS:
        Subsystem.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "description": description}
        )


def unseed(apps, schema_editor):
    Subsystem = apps.get_model("learners", "Subsystem")
    Subsystem.objects.filter(
        code__in=[code for code, *_ in SUBSYSTEMS], schools=None, teachers=None
    ).delete()


class Migration(migrations.Migration):
    replaces = [("progress", "0002_seed_subsystems")]
    dependencies = [("learners", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
