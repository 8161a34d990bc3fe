"""Seed the catalog facets, the es-mx and en locales, and the catalog home of each language.

A fresh install therefore has the site's home (a CatalogPage in Spanish, its English
translation) on which the editorial workflow (next migration) is assigned.
"""

import uuid

from django.db import migrations

SECTORS = [
    ("textil", "Textil", "Textiles"),
    ("calzado", "Calzado", "Footwear"),
    ("farmaceutica", "Farmacéutica", "Pharmaceuticals"),
    ("dispositivos-medicos", "Dispositivos médicos", "Medical devices"),
    ("automotriz", "Automotriz", "Automotive"),
    ("aeroespacial", "Aeroespacial", "Aerospace"),
    ("quimica", "Química", "Chemical"),
    ("petroquimica", "Petroquímica", "Petrochemical"),
    ("bienes-de-consumo", "Bienes de consumo", "Consumer goods"),
    ("agroindustria", "Agroindustria", "Agroindustry"),
    ("energia", "Energía", "Energy"),
    ("industrias-creativas", "Industrias creativas", "Creative industries"),
    ("tecnologias-de-la-informacion", "Tecnologías de la información", "Information technologies"),
]
TOPICS = [
    ("inteligencia-artificial", "Inteligencia artificial", "Artificial intelligence"),
    ("ciencia-de-datos", "Ciencia de datos", "Data science"),
    ("robotica", "Robótica", "Robotics"),
    ("internet-de-las-cosas", "Internet de las cosas", "Internet of Things"),
    ("ciberseguridad", "Ciberseguridad", "Cybersecurity"),
    ("manufactura-aditiva", "Manufactura aditiva", "Additive manufacturing"),
    ("electromovilidad", "Electromovilidad", "Electromobility"),
    ("energias-renovables", "Energías renovables", "Renewable energy"),
    ("computo-en-la-nube", "Cómputo en la nube", "Cloud computing"),
    ("industria-4-0", "Industria 4.0", "Industry 4.0"),
]
SKILLS = [
    ("ingles", "Inglés", "English"),
    ("competencias-digitales", "Competencias digitales", "Digital competencies"),
    ("comunicacion", "Comunicación", "Communication"),
    ("trabajo-en-equipo", "Trabajo en equipo", "Teamwork"),
]

STEPLEN = 4


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet


def _child_path(parent_path, index):
    digits = ""
    while index:
        index, rest = divmod(index, 36)
        digits = ALPHABET[rest] + digits
    return parent_path + digits.rjust(STEPLEN, "0")


def seed_taxonomy(apps, schema_editor):
    for model_name, rows in (("Sector", SECTORS), ("Topic", TOPICS), ("Skill", SKILLS)):
        model = apps.get_model("courses", model_name)
        for slug, name, name_en in rows:
            model.objects.update_or_create(slug=slug, defaults={"name": name, "name_en": name_en})


def seed_locales_and_catalog(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    CatalogPage = apps.get_model("courses", "CatalogPage")
    ContentType = apps.get_model("contenttypes", "ContentType")

    spanish, _ = Locale.objects.get_or_create(language_code="es-mx")
    english, _ = Locale.objects.get_or_create(language_code="en")
    if CatalogPage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # no Wagtail tree at all (cannot happen after wagtailcore's migrations)
        return
    catalog_type, _ = ContentType.objects.get_or_create(app_label="courses", model="catalogpage")

    # Wagtail's placeholder "Welcome" page, untouched: the catalog replaces it as the home.
    site = Site.objects.filter(is_default_site=True).first()
    welcome = None
    if site is not None:
        candidate = Page.objects.filter(pk=site.root_page_id).first()
        if (
            candidate is not None
            and candidate.depth == 2
            and candidate.numchild == 0
            and candidate.content_type.app_label == "wagtailcore"
            and candidate.content_type.model == "page"
        ):
            welcome = candidate

    last = Page.objects.filter(depth=2, path__startswith=root.path).order_by("-path").first()
    next_index = int(last.path[-STEPLEN:], 36) + 1 if last else 1
    key = uuid.uuid4()
    pages = []
    for locale, title, slug in (
        (spanish, "Catálogo de cursos", "catalogo"),
        (english, "Course catalog", "catalog"),
    ):
        page = CatalogPage.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=catalog_type,
            path=_child_path(root.path, next_index),
            depth=2,
            numchild=0,
            url_path=f"{root.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            locale=locale,
            translation_key=key,
            intro="",
        )
        pages.append(page)
        next_index += 1
    root.numchild += len(pages)
    root.save(update_fields=["numchild"])
    if welcome is not None:
        site.root_page_id = pages[0].pk
        site.save(update_fields=["root_page"])
        welcome.delete()
        root.numchild -= 1
        root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(seed_taxonomy, migrations.RunPython.noop),
        migrations.RunPython(seed_locales_and_catalog, migrations.RunPython.noop),
    ]
