"""Small cmi5 and SCORM packages built in memory with zipfile, for the packages tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
COURSE_ID = "https://example.edu/cursos/robotica"
PAGE = b"<!doctype html><html><head><title>AU</title></head><body>AU</body></html>"


def make_zip(files: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(data: bytes, name: str = "paquete.zip") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name  # type: ignore[attr-defined]
    return handle


def langstring(text: str, lang: str = "es-MX") -> str:
    return f'<langstring lang="{lang}">{text}</langstring>'


def au(
    au_id: str,
    title: str,
    url: str = "au1/index.html",
    *,
    attrs: str = "",
    extra: str = "",
) -> str:
    return (
        f'<au id="{au_id}" {attrs}><title>{langstring(title)}</title>'
        f"<description>{langstring('Descripción de ' + title)}</description>{extra}"
        f"<url>{url}</url></au>"
    )


def block(block_id: str, title: str, content: Iterable[str]) -> str:
    return (
        f'<block id="{block_id}"><title>{langstring(title)}</title>'
        f"<description>{langstring('Bloque ' + title)}</description>{''.join(content)}</block>"
    )


def cmi5_xml(
    content: Iterable[str],
    *,
    course_id: str = COURSE_ID,
    title: str = "Robótica",
    objectives: str = "",
) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><courseStructure xmlns="{CMI5_NS}">'
        f'<course id="{course_id}">'
        f"<title>{langstring(title)}{langstring('Robotics', 'en-US')}</title>"
        f"<description>{langstring('Un curso de robótica.')}</description></course>"
        f"{objectives}{''.join(content)}</courseStructure>"
    )


def one_au_cmi5(**kwargs: str) -> bytes:
    """A one-AU cmi5 course."""
    return make_zip(
        {
            "cmi5.xml": cmi5_xml(
                [au(f"{COURSE_ID}/au/1", "Introducción", "au1/index.html?lang=es")], **kwargs
            ),
            "au1/index.html": PAGE,
            "au1/app.js": "console.log('au');",
        }
    )


MOVE_ONS = ["Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable"]


def multi_au_cmi5_xml(course_id: str = COURSE_ID, extra_au: str = "") -> str:
    return cmi5_xml(
        [
            au(f"{course_id}/au/intro", "Bienvenida", "intro.html", attrs='moveOn="NotApplicable"'),
            block(
                f"{course_id}/block/1",
                "Sensores",
                [
                    au(
                        f"{course_id}/au/1",
                        "Sensores 1",
                        "b1/a1.html",
                        attrs='moveOn="Passed" masteryScore="0.8"',
                    ),
                    au(
                        f"{course_id}/au/2",
                        "Sensores 2",
                        "b1/a2.html",
                        attrs='moveOn="Completed" launchMethod="OwnWindow"',
                    ),
                ],
            ),
            block(
                f"{course_id}/block/2",
                "Actuadores",
                [
                    au(
                        f"{course_id}/au/3",
                        "Actuadores 1",
                        "b2/a3.html",
                        attrs='moveOn="CompletedAndPassed" masteryScore="0.5"',
                    ),
                    block(
                        f"{course_id}/block/2/1",
                        "Motores",
                        [
                            au(
                                f"{course_id}/au/4",
                                "Motores",
                                "https://cdn.example.edu/au4/",
                                attrs='moveOn="CompletedOrPassed" masteryScore="1"',
                            )
                        ],
                    ),
                    extra_au,
                ],
            ),
        ],
        course_id=course_id,
    )


def multi_au_cmi5(**files: bytes) -> bytes:
    """A cmi5 course with AUs at the top level and in (nested) blocks, mastery scores and
    every moveOn value."""
    return make_zip(
        {
            "cmi5.xml": multi_au_cmi5_xml(),
            "intro.html": PAGE,
            "b1/a1.html": PAGE,
            "b1/a2.html": PAGE,
            "b2/a3.html": PAGE,
            **files,
        }
    )


SCORM12_NS = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
)


def scorm12_manifest(
    *,
    identifier: str = "MANIFEST-ROBOTICA",
    mastery: str = "80",
    href: str = "sco/index.html",
    items: str | None = None,
    resources: str | None = None,
) -> str:
    items = (
        items
        if items is not None
        else (
            f'<item identifier="ITEM1" identifierref="RES1"><title>Lección SCORM</title>'
            f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore></item>"
        )
    )
    resources = (
        resources
        if resources is not None
        else (
            f'<resource identifier="RES1" type="webcontent" adlcp:scormtype="sco" href="{href}">'
            f'<file href="sco/index.html"/><file href="sco/video.mp4"/></resource>'
        )
    )
    return (
        f'<?xml version="1.0"?><manifest identifier="{identifier}" version="1" {SCORM12_NS}>'
        f"<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>"
        f'<organizations default="ORG1"><organization identifier="ORG1">'
        f"<title>Robótica SCORM</title>"
        f"{items}</organization></organizations><resources>{resources}</resources></manifest>"
    )


VIDEO = bytes(range(256)) * 40  # 10 240 bytes


def scorm12(**kwargs: str) -> bytes:
    """A SCORM 1.2 package with one SCO."""
    return make_zip(
        {
            "imsmanifest.xml": scorm12_manifest(**kwargs),
            "sco/index.html": PAGE,
            "sco/video.mp4": VIDEO,
        },
        compression=zipfile.ZIP_STORED,
    )


SCORM2004_NS = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)


def sco_item(number: int, *, measure: str = "0.6", sequencing_extra: str = "") -> str:
    return (
        f'<item identifier="ITEM{number}" identifierref="RES{number}"><title>SCO {number}</title>'
        f'<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.9"/>'
        f"<imsss:sequencing>{sequencing_extra}<imsss:objectives>"
        f'<imsss:primaryObjective objectiveID="obj{number}" '
        f'satisfiedByMeasure="true"><imsss:minNormalizedMeasure>{measure}</imsss:minNormalizedMeasure>'
        f"</imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>"
    )


def scorm2004_manifest(
    *,
    edition: str = "2004 4th Edition",
    items: str | None = None,
    sequencing_extra: str = "",
    measure: str = "0.6",
) -> str:
    items = (
        items
        if items is not None
        else (
            '<item identifier="MOD1"><title>Parte 1</title>'
            + sco_item(1, measure=measure, sequencing_extra=sequencing_extra)
            + sco_item(2)
            + "</item>"
            + sco_item(3)
        )
    )
    resources = "".join(
        f'<resource identifier="RES{n}" type="webcontent" adlcp:scormType="sco" '
        f'href="index.html" xml:base="sco{n}/">'
        f'<file href="index.html"/><dependency identifierref="SHARED"/></resource>'
        for n in (1, 2, 3)
    )
    resources += (
        '<resource identifier="SHARED" type="webcontent" adlcp:scormType="asset">'
        '<file href="shared/api.js"/></resource>'
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest identifier="com.example.scorm2004" version="1" {SCORM2004_NS}>'
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{edition}</schemaversion></metadata>"
        f'<organizations default="ORG"><organization identifier="ORG">'
        f"<title>Robótica 2004</title>{items}"
        f"</organization></organizations><resources>{resources}</resources></manifest>"
    )


def scorm2004(**kwargs: str) -> bytes:
    """A SCORM 2004 4th edition package with three SCOs (two in an aggregation)."""
    return make_zip(
        {
            "imsmanifest.xml": scorm2004_manifest(**kwargs),
            "sco1/index.html": PAGE,
            "sco2/index.html": PAGE,
            "sco3/index.html": PAGE,
            "shared/api.js": "var x = 1;",
        }
    )


BLOCK_AU_ID = f"{COURSE_ID}/au/sensores"


def block_au_cmi5(page: bytes | str = PAGE) -> bytes:
    """A cmi5 course of one block holding one AU (``au/index.html``, moveOn
    CompletedAndPassed, masteryScore 0.7): satisfying the AU satisfies the block and course."""
    structure = cmi5_xml(
        [
            block(
                f"{COURSE_ID}/block/sensores",
                "Sensores",
                [
                    au(
                        BLOCK_AU_ID,
                        "Sensores",
                        "au/index.html",
                        attrs='moveOn="CompletedAndPassed" masteryScore="0.7"',
                    )
                ],
            )
        ]
    )
    return make_zip({"cmi5.xml": structure, "au/index.html": page})
