"""Packages shaped like what the authoring tools really export, built synthetically.

No real export can be downloaded here. The shapes below were read from exports that people
published in public repositories (Storyline 360, Rise 360, Captivate, iSpring Suite, Adapt's
spoor extension, an H5P-to-SCORM packager) and are rewritten in our own words: the same
structure and quirks, none of their text. Each builder names the quirks it reproduces; each
package goes through ``manifests.parse_package`` and the import service, so a tool's default
export is known to import, and real Simple Sequencing is still refused.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from unittest import mock

import pytest

from packages import manifests
from packages.models import PackageUnit
from packages.problems import PackageRefused
from packages.services import package_import
from tests.packages import builders as b

Files = dict[str, bytes | str]

IMSCP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NAMESPACES_12 = (
    f'xmlns="{IMSCP12}" xmlns:adlcp="{ADLCP12}" xmlns:xsi="{XSI}" '
    f'xsi:schemaLocation="{IMSCP12} imscp_rootv1p1p2.xsd '
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    f'{ADLCP12} adlcp_rootv1p2.xsd"'
)
NAMESPACES_2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" '
    'xmlns:lom="http://ltsc.ieee.org/xsd/LOM" '
    f'xmlns:xsi="{XSI}" '
    'xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd '
    'http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd"'
)


def file_list(names: list[str]) -> str:
    return "".join(f'<file href="{name}" />' for name in names)


# Articulate Storyline 360 -----------------------------------------------------------------


def storyline_scorm12() -> Files:
    """Storyline, SCORM 1.2: a whole LOM record inline in the metadata, switching the default
    namespace; identifiers generated from the course title (non-ASCII letters, a colon, commas,
    a leading underscore); one SCO launched from ``index_lms.html`` with every file of the
    output listed, the LMS driver in ``lms/``."""
    names = [
        "index_lms.html",
        "story.html",
        "meta.xml",
        "story_content/user.js",
        "story_content/aB3xYz_22050_48_0.mp3",
        "html5/data/js/data.js",
        "mobile/aB3xYz_80_DX1024_DY1024.png",
        "lms/scormdriver.js",
        "lms/goodbye.html",
    ]
    manifest = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<manifest identifier="_aB3xYz_course_id" version="1.0" {NAMESPACES_12}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        '<lom xmlns="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"><general><title>'
        '<langstring xml:lang="x-none">Electrónica: módulo 1</langstring></title></general>'
        "<metametadata><metadatascheme>ADL SCORM 1.2</metadatascheme></metametadata>"
        "</lom></metadata>"
        '<organizations default="Electrónica:_módulo_1,_sesión_ORG">'
        '<organization identifier="Electrónica:_módulo_1,_sesión_ORG">'
        "<title>Electrónica: módulo 1</title>"
        '<item identifier="_1._Introducción_SCO" isvisible="true" '
        'identifierref="__aB3xYz_course_id_RES"><title>Electrónica: módulo 1</title></item>'
        "</organization></organizations><resources>"
        '<resource identifier="__aB3xYz_course_id_RES" type="webcontent" '
        f'href="index_lms.html" adlcp:scormtype="sco">{file_list(names)}</resource>'
        "</resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in names}}


def storyline_scorm2004() -> Files:
    """Storyline (its bundled SCORM driver), SCORM 2004 4th edition: a metadata location, the
    organization's objectivesGlobalToSystem set to false, an item whose sequencing holds a
    primary objective without a measure and delivery controls, metadata inside the item."""
    names = ["index_lms.html", "story.html", "story_content/user.js", "lms/scormdriver.js"]
    manifest = (
        '<?xml version="1.0" standalone="no" ?>'
        f'<manifest identifier="_cD4e_course_id" version="1.3" {NAMESPACES_2004}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion>"
        "<adlcp:location>metadata.xml</adlcp:location></metadata>"
        '<organizations default="ORG_cD4e">'
        '<organization identifier="ORG_cD4e" adlseq:objectivesGlobalToSystem="false">'
        "<title>Seguridad eléctrica</title>"
        '<item identifier="ITEM_cD4e" identifierref="RES_cD4e" isvisible="true">'
        "<title>Seguridad eléctrica</title>"
        "<imsss:sequencing><imsss:objectives>"
        '<imsss:primaryObjective objectiveID="PRIMARY" /></imsss:objectives>'
        '<imsss:deliveryControls tracked="true" completionSetByContent="true" '
        'objectiveSetByContent="true" /></imsss:sequencing>'
        "<metadata><adlcp:location>metadata.xml</adlcp:location></metadata>"
        "</item></organization></organizations><resources>"
        '<resource identifier="RES_cD4e" type="webcontent" adlcp:scormType="sco" '
        f'href="index_lms.html">{file_list(names)}</resource>'
        "</resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in names}}


def storyline_cmi5() -> Files:
    """Storyline, cmi5: one AU that opens in its own window, moveOn CompletedOrPassed, the
    language tagged ``und`` and an empty description langstring."""
    structure = (
        f'<?xml version="1.0" encoding="utf-8"?><courseStructure xmlns="{b.CMI5_NS}">'
        '<course id="https://example.edu/course/eF5g_course_id">'
        '<title><langstring lang="und">Soldadura básica</langstring></title>'
        '<description><langstring lang="und"></langstring></description></course>'
        '<au id="https://example.edu/activity/eF5g_course_id" launchMethod="OwnWindow" '
        'moveOn="CompletedOrPassed">'
        '<title><langstring lang="und">Soldadura básica</langstring></title>'
        '<description><langstring lang="und"></langstring></description>'
        "<url>index_lms.html</url></au></courseStructure>"
    )
    return {"cmi5.xml": structure, "index_lms.html": b.PAGE, "story.html": b.PAGE}


# Articulate Rise 360 ----------------------------------------------------------------------


def rise_scorm12() -> Files:
    """Rise, SCORM 1.2 ("LMS" export): launched from ``scormdriver/indexAPI.html`` with the
    course in ``scormcontent/``; an opaque ``adlcp:datafromlms``; XML comments between the
    file entries; a file whose name has a space, written percent-encoded in the manifest."""
    entries = {
        "scormdriver/indexAPI.html": b.PAGE,
        "scormdriver/scormdriver.js": "1",
        "scormcontent/index.html": b.PAGE,
        "scormcontent/lib/rise/0a1b2c3d.js": "1",
        "scormcontent/assets/Mapa 2.png": b.VIDEO,
    }
    manifest = (
        '<?xml version="1.0" ?>'
        f'<manifest identifier="Zx9-QwErTy_uIoP" version="1" {NAMESPACES_12}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "<adlcp:location>metadata.xml</adlcp:location></metadata>"
        '<organizations default="rise_org"><organization identifier="rise_org">'
        "<title>Redes industriales</title>"
        '<item identifier="i1" identifierref="r1" isvisible="true">'
        "<title>Redes industriales</title>"
        "<adlcp:datafromlms>eyJhIjoiYiJ9</adlcp:datafromlms></item>"
        "</organization></organizations><resources>"
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" '
        'href="scormdriver/indexAPI.html">'
        "<!-- driver -->"
        + file_list(["scormdriver/indexAPI.html", "scormdriver/scormdriver.js"])
        + "<!-- content -->"
        + file_list(
            [
                "scormcontent/index.html",
                "scormcontent/lib/rise/0a1b2c3d.js",
                "scormcontent/assets/Mapa%202.png",
            ]
        )
        + "</resource></resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **entries}


def rise_cmi5() -> Files:
    """Rise, cmi5: ids under a made-up host (``http://<random>_rise/...``); course-level
    objectives (titles padded with white space, empty descriptions) referenced by the one AU,
    moveOn Passed, launch parameters, the AU's URL in the driver's folder."""
    base = "http://-Qw12Er34_rise"  # a generated host that may start with a hyphen
    objectives = "".join(
        f'<objective id="{base}/objective/{n}"><title><langstring lang="en-US">\n'
        f"      Comprobación {n}\n    </langstring></title>"
        '<description><langstring lang="en-US">\n   </langstring></description></objective>'
        for n in (1, 2)
    )
    refs = "".join(f'<objective idref="{base}/objective/{n}" />' for n in (1, 2))
    structure = (
        f'<?xml version="1.0" encoding="utf-8" ?><courseStructure xmlns="{b.CMI5_NS}">'
        f'<course id="{base}/course"><title><langstring lang="en-US">Redes</langstring></title>'
        '<description><langstring lang="en-US"></langstring></description></course>'
        f"<objectives>{objectives}</objectives>"
        f'<au id="{base}/activity" launchMethod="OwnWindow" moveOn="Passed"  >'
        '<title><langstring lang="en">\n Redes \n</langstring></title>'
        '<description><langstring lang="en">\n</langstring></description>'
        f"<objectives>{refs}</objectives>"
        "<url>scormdriver/indexAPI.html</url>"
        "<launchParameters>eyJhIjoiYiJ9</launchParameters></au></courseStructure>"
    )
    return {
        "cmi5.xml": structure,
        "scormdriver/indexAPI.html": b.PAGE,
        "scormcontent/index.html": b.PAGE,
    }


# Adobe Captivate ---------------------------------------------------------------------------


def captivate_scorm12() -> Files:
    """Captivate, SCORM 1.2: ``metadata`` inside the organization (after its items) and inside
    the resource; launched from ``index_scorm.html``; file names with parentheses and ``@2x``;
    a file listed twice; and files listed that an HTML5-only publish does not write (the
    Flash movie and its page), so the zip lacks them."""
    present = [
        "index_scorm.html",
        "scormdriver.js",
        "SCORM_utilities.js",
        "assets/js/CPM.js",
        "assets/htmlimages/expand_icon@2x.png",
        "vr/Video_(2).mp4",
        "goodbye.html",
    ]
    absent = ["Curso_de_PLC.swf", "Curso_de_PLC.htm"]
    metadata = (
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "<adlcp:location>metadata.xml</adlcp:location></metadata>"
    )
    manifest = (
        '<?xml version="1.0" encoding="utf-8" ?>'
        f'<manifest identifier="Course_ID1" version="1.0" {NAMESPACES_12}>{metadata}'
        '<organizations default="Course_ID1_ORG"><organization identifier="Course_ID1_ORG">'
        "<title>Curso de PLC</title>"
        '<item identifier="SCO_ID1" isvisible="true" identifierref="SCO_ID1_RES">'
        f"<title>Curso de PLC</title></item>{metadata}</organization></organizations>"
        '<resources><resource identifier="SCO_ID1_RES" type="webcontent" '
        f'href="index_scorm.html" adlcp:scormtype="sco">{metadata}'
        + file_list([*absent, *present, "index_scorm.html"])
        + "</resource></resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in present}}


def mirrored_rollup_rules(child_set: str = "all", condition: str = "satisfied") -> str:
    """The four rollup rules Captivate puts on its organization: the parent is satisfied or
    completed when all its children are, not satisfied or incomplete when none is."""
    rules = [
        (condition, "", "satisfied" if condition == "satisfied" else "completed"),
        (
            condition,
            ' operator="not"',
            "notSatisfied" if condition == "satisfied" else "incomplete",
        ),
        ("completed", "", "completed"),
        ("completed", ' operator="not"', "incomplete"),
    ]
    return (
        "<imsss:rollupRules>"
        + "".join(
            f'<imsss:rollupRule childActivitySet="{child_set}"><imsss:rollupConditions>'
            f'<imsss:rollupCondition{operator} condition="{name}"/></imsss:rollupConditions>'
            f'<imsss:rollupAction action="{action}"/></imsss:rollupRule>'
            for name, operator, action in rules
        )
        + "</imsss:rollupRules>"
    )


def captivate_scorm2004(rollup: str | None = None) -> Files:
    """Captivate, SCORM 2004 3rd edition: comments in the organization; an item with an inline
    LOM record (default namespace switched) before its sequencing, a primary objective without
    a measure and tracked delivery controls; the organization's sequencing with choice, flow
    and Captivate's four rollup rules; ``file`` elements with explicit end tags, a
    ``.DS_Store`` among them that the zip does not hold."""
    present = ["index_scorm.html", "scormdriver.js", "assets/js/CPM.js", "Utilities.js"]
    manifest = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        f'<manifest identifier="Course_ID1" version="1.3" {NAMESPACES_2004}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion>"
        "<adlcp:location>metadata.xml</adlcp:location></metadata>"
        '<organizations default="Course_ID1_ORG"><organization identifier="Course_ID1_ORG">'
        "<!-- title --><title>Manejo de residuos</title>"
        '<item identifier="SCO_ID1" identifierref="SCO_ID1_RES" isvisible="true">'
        "<!-- title --><title>Manejo de residuos</title>"
        '<metadata><lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><description>'
        '<string language="es-mx">Descripción.</string></description></general></lom>'
        "</metadata><imsss:sequencing><imsss:objectives>"
        '<imsss:primaryObjective objectiveID="Quiz_20240101"/></imsss:objectives>'
        '<imsss:deliveryControls tracked="true" completionSetByContent="true" '
        'objectiveSetByContent="true"/></imsss:sequencing></item>'
        "<metadata><adlcp:location>metadata.xml</adlcp:location></metadata>"
        '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
        f"{mirrored_rollup_rules() if rollup is None else rollup}</imsss:sequencing>"
        "</organization></organizations><resources>"
        '<resource adlcp:scormType="sco" identifier="SCO_ID1_RES" type="webcontent" '
        'href="index_scorm.html"><metadata><adlcp:location>metadata.xml</adlcp:location>'
        "</metadata>"
        + "".join(f'<file href="{name}"></file>' for name in [*present, "assets/.DS_Store"])
        + "</resource></resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in present}}


def scorm2004_second_edition() -> Files:
    """SCORM 2004 2nd edition as older Captivate releases and other tools label it: the
    schema version is written ``CAM 1.3``."""
    manifest = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<manifest identifier="cam13_course" version="1" {NAMESPACES_2004}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>CAM 1.3</schemaversion></metadata>"
        '<organizations default="ORG"><organization identifier="ORG"><title>Hidráulica</title>'
        '<item identifier="ITEM" identifierref="RES"><title>Hidráulica</title></item>'
        "</organization></organizations><resources>"
        '<resource identifier="RES" type="webcontent" adlcp:scormType="sco" href="index.html">'
        '<file href="index.html"/></resource></resources></manifest>'
    )
    return {"imsmanifest.xml": manifest, "index.html": b.PAGE}


# iSpring Suite ----------------------------------------------------------------------------


def ispring_scorm2004() -> Files:
    """iSpring, SCORM 2004 4th edition: a ``lom:``-prefixed metadata record, an item whose
    identifier is a GUID and whose sequencing holds only delivery controls, an organization
    sequencing with flow only, the player in ``res/``, one file listed twice."""
    names = ["res/index.html", "res/lms.js", "res/data/player.js", "res/data/slide1.js"]
    manifest = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<manifest identifier="QxYz12AbCd" {NAMESPACES_2004}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion>"
        "<lom:lom><lom:general><lom:title><lom:string>Neumática</lom:string></lom:title>"
        "</lom:general></lom:lom></metadata>"
        '<organizations default="neumatica_organization">'
        '<organization identifier="neumatica_organization"><title>Neumática</title>'
        '<item identifier="0D1C2B3A-4E5F-6071-8293-A4B5C6D7E8F9" identifierref="resource">'
        "<title>Neumática</title><imsss:sequencing>"
        '<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>'
        "</imsss:sequencing></item>"
        '<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>'
        "</organization></organizations><resources>"
        '<resource identifier="resource" type="webcontent" adlcp:scormType="sco" '
        f'href="res/index.html">{file_list([*names, "res/index.html"])}</resource>'
        "</resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in names}}


def ispring_scorm12() -> Files:
    """iSpring, SCORM 1.2: no ``version`` on the manifest, a ``lom:``-prefixed metadata record
    in the 1.2 metadata namespace, an organization identifier made from the lower-cased title
    (a comma, a dot), a GUID item, no mastery score, the player in ``res/``."""
    names = ["res/index.html", "res/lms.js", "res/data/slide1.js", "res/data/sound1.mp3"]
    manifest = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<manifest identifier="aBcD12eFgH" {NAMESPACES_12} '
        'xmlns:lom="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "<lom:lom><lom:general><lom:title><lom:langstring>Neumática, lección 2.1"
        "</lom:langstring></lom:title></lom:general></lom:lom></metadata>"
        '<organizations default="neumática,_lección_2.1_organization">'
        '<organization identifier="neumática,_lección_2.1_organization">'
        "<title>Neumática, lección 2.1</title>"
        '<item identifier="0D1C2B3A-4E5F-6071-8293-A4B5C6D7E8F0" identifierref="resource">'
        "<title>Neumática, lección 2.1</title></item></organization></organizations>"
        '<resources><resource identifier="resource" type="webcontent" adlcp:scormtype="sco" '
        f'href="res/index.html">{file_list(names)}</resource></resources></manifest>'
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in names}}


def ispring_cmi5() -> Files:
    """iSpring, cmi5: ids in its own ``ispring://`` scheme, a mastery score written with four
    decimals, self-closing empty description langstrings, the AU in ``res/``."""
    course = "ispring://presentations/0D1C2B3A-4E5F-6071-8293-A4B5C6D7E8F9"
    structure = (
        f'<?xml version="1.0"?><courseStructure xmlns="{b.CMI5_NS}">'
        f'<course id="{course}"><title><langstring lang="en-US">Neumática</langstring></title>'
        '<description><langstring lang="en-US"/></description></course>'
        f'<au id="{course}/presentation" launchMethod="AnyWindow" moveOn="CompletedAndPassed" '
        'masteryScore="0.8000"><title><langstring lang="en-US">Neumática</langstring></title>'
        '<description><langstring lang="en-US"/></description>'
        "<url>res/index.html</url></au></courseStructure>"
    )
    return {"cmi5.xml": structure, "res/index.html": b.PAGE}


# Adapt (spoor extension) ------------------------------------------------------------------


def adapt_scorm12() -> Files:
    """Adapt, SCORM 1.2: titles in CDATA sections, the mastery score left commented out."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest identifier="adapt_manifest" version="1" {NAMESPACES_12}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>"
        '<organizations default="adapt_scorm"><organization identifier="adapt_scorm">'
        "<title><![CDATA[Mecatrónica & control]]></title>"
        '<item identifier="item_1" isvisible="true" identifierref="res1">'
        "<title><![CDATA[Mecatrónica & control]]></title>"
        "<!-- <adlcp:masteryscore>70</adlcp:masteryscore> --></item>"
        "</organization></organizations><resources>"
        '<resource identifier="res1" type="webcontent" href="index.html" adlcp:scormtype="sco">'
        '<file href="index.html"/></resource></resources></manifest>'
    )
    return {"imsmanifest.xml": manifest, "index.html": b.PAGE, "adapt/js/adapt.min.js": "1"}


def adapt_scorm2004() -> Files:
    """Adapt, SCORM 2004 4th edition: ``adlnav:presentation`` hiding the LMS's buttons on the
    item, delivery controls on the item, choice and flow on the organization, and a resource
    that lists no file at all."""
    hidden = "".join(
        f"<adlnav:hideLMSUI>{name}</adlnav:hideLMSUI>"
        for name in ("previous", "continue", "exit", "exitAll", "suspendAll")
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest identifier="adapt_manifest_2004" version="1" {NAMESPACES_2004}>'
        "<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion>"
        '</metadata><organizations default="adapt_scorm">'
        '<organization identifier="adapt_scorm" adlseq:objectivesGlobalToSystem="false">'
        "<title><![CDATA[Mecatrónica]]></title>"
        '<item identifier="I_A001" identifierref="A001"><title><![CDATA[Mecatrónica]]></title>'
        '<imsss:sequencing><imsss:deliveryControls completionSetByContent="true" '
        'objectiveSetByContent="true" /></imsss:sequencing>'
        f"<adlnav:presentation><adlnav:navigationInterface>{hidden}"
        "</adlnav:navigationInterface></adlnav:presentation></item>"
        '<imsss:sequencing><imsss:controlMode choice="true" flow="true" /></imsss:sequencing>'
        "</organization></organizations><resources>"
        '<resource identifier="A001" type="webcontent" adlcp:scormType="sco" '
        'href="index_lms.html" /></resources></manifest>'
    )
    return {"imsmanifest.xml": manifest, "index_lms.html": b.PAGE, "index.html": b.PAGE}


# H5P packaged as SCORM ----------------------------------------------------------------------


def h5p_scorm12() -> Files:
    """An H5P activity packaged as SCORM 1.2 the way Lumi's export does it (through a generic
    packager): the same ``metadata`` block (with a location) repeated on the manifest, the
    item, the organization, the resources and the resource; ``item_00``/``resource_00``; the
    organization named after the author (spaces made underscores); a mastery score of 100; the
    H5P libraries in ``workspace/``."""
    metadata = (
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion>"
        "<adlcp:location>metadata.xml</adlcp:location></metadata>"
    )
    names = ["index.html", "main.bundle.js", "workspace/H5P.Blanks-1.14/js/blanks.js"]
    manifest = (
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>'
        f'<manifest identifier="com.example.h5p.blanks.0f1e2d3c" version="1" {NAMESPACES_12}>'
        f'{metadata}<organizations default="Ana_María_Ruiz">'
        '<organization identifier="Ana_María_Ruiz">'
        "<title>Completa los espacios</title>"
        '<item identifier="item_00" identifierref="resource_00">'
        "<title>Completa los espacios</title><adlcp:masteryscore>100</adlcp:masteryscore>"
        f"{metadata}</item>{metadata}</organization></organizations>"
        f'<resources>{metadata}<resource identifier="resource_00" type="webcontent" '
        f'href="index.html" adlcp:scormtype="sco">{metadata}{file_list(names)}</resource>'
        "</resources></manifest>"
    )
    return {"imsmanifest.xml": manifest, **{name: b.PAGE for name in names}}


def with_macos_debris(files: Files) -> Files:
    """The same package zipped on a Mac or shown in Windows Explorer: AppleDouble files under
    ``__MACOSX/``, a ``.DS_Store`` and a ``Thumbs.db`` next to the manifest."""
    debris: Files = {
        "__MACOSX/._imsmanifest.xml": b"\x00\x05\x16\x07",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "Thumbs.db": b"\xd0\xcf\x11\xe0",
    }
    debris.update({f"__MACOSX/._{name}": b"\x00\x05\x16\x07" for name in files if "/" not in name})
    return {**files, **debris}


SHAPES = {
    "storyline_scorm12": storyline_scorm12,
    "storyline_scorm2004": storyline_scorm2004,
    "storyline_cmi5": storyline_cmi5,
    "rise_scorm12": rise_scorm12,
    "rise_cmi5": rise_cmi5,
    "captivate_scorm12": captivate_scorm12,
    "captivate_scorm2004": captivate_scorm2004,
    "scorm2004_second_edition": scorm2004_second_edition,
    "ispring_scorm12": ispring_scorm12,
    "ispring_scorm2004": ispring_scorm2004,
    "ispring_cmi5": ispring_cmi5,
    "adapt_scorm12": adapt_scorm12,
    "adapt_scorm2004": adapt_scorm2004,
    "h5p_scorm12": h5p_scorm12,
}


def parse(files: Files) -> manifests.ParsedPackage:
    data = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
    return manifests.parse_package(data.__getitem__, data)


@pytest.mark.parametrize("build", SHAPES.values(), ids=SHAPES.keys())
def test_each_tool_shape_parses(build):
    parsed = parse(build())
    assert parsed.units and all(unit.launch_url for unit in parsed.units)


def test_storyline_scorm12_keeps_generated_identifiers_and_launches_index_lms():
    parsed = parse(storyline_scorm12())
    assert parsed.format == manifests.SCORM12 and parsed.title == "Electrónica: módulo 1"
    (unit,) = parsed.units
    assert unit.identifier == "_1._Introducción_SCO"
    assert unit.launch_url == "index_lms.html" and unit.scorm_type == "sco"


def test_storyline_scorm2004_default_sequencing_is_trivial_and_has_no_mastery():
    parsed = parse(storyline_scorm2004())
    assert (parsed.format, parsed.schema_version) == (manifests.SCORM2004, "2004 4th Edition")
    (unit,) = parsed.units
    assert unit.mastery_score is None and unit.launch_url == "index_lms.html"


def test_cmi5_exports_with_empty_descriptions_import():
    for build in (storyline_cmi5, rise_cmi5, ispring_cmi5):
        parsed = parse(build())
        assert parsed.description == ""
        assert all(unit.description == "" for unit in parsed.units)


def test_rise_shapes_keep_launch_data_objectives_and_the_driver_folder():
    scorm = parse(rise_scorm12()).units[0]
    assert scorm.launch_url == "scormdriver/indexAPI.html"
    assert scorm.data_from_lms == "eyJhIjoiYiJ9"
    cmi5 = parse(rise_cmi5()).units[0]
    assert cmi5.title == "Redes" and cmi5.move_on == "Passed"
    assert cmi5.parameters == "eyJhIjoiYiJ9" and len(cmi5.objectives) == 2
    assert cmi5.launch_url == "scormdriver/indexAPI.html"


def test_ispring_cmi5_mastery_and_its_own_iri_scheme():
    parsed = parse(ispring_cmi5())
    assert parsed.identifier.startswith("ispring://")
    assert parsed.units[0].mastery_score == 0.8


def test_a_listed_file_missing_from_the_zip_is_not_a_refusal_but_the_launch_file_is():
    parse(captivate_scorm12())  # the unpublished .swf and .htm are only listed
    files = captivate_scorm12()
    del files["index_scorm.html"]
    with pytest.raises(PackageRefused) as caught:
        parse(files)
    assert {(p.path, p.rule) for p in caught.value.problems} == {
        ("/manifest/resources[1]/resource[1]/@href", "url_missing")
    }


def test_a_listed_file_that_leaves_the_package_is_still_refused():
    files = captivate_scorm12()
    files["imsmanifest.xml"] = str(files["imsmanifest.xml"]).replace(
        '<file href="Curso_de_PLC.swf" />', '<file href="../../etc/passwd" />'
    )
    with pytest.raises(PackageRefused) as caught:
        parse(files)
    assert [p.rule for p in caught.value.problems] == ["url_outside"]


def test_cam_1_3_is_scorm_2004_second_edition():
    parsed = parse(scorm2004_second_edition())
    assert (parsed.format, parsed.schema_version) == (manifests.SCORM2004, "2004 2nd Edition")


def test_adapt_hides_lms_buttons_without_being_refused():
    parsed = parse(adapt_scorm2004())
    assert [u.launch_url for u in parsed.units] == ["index_lms.html"]
    assert parse(adapt_scorm12()).title == "Mecatrónica & control"


def test_h5p_repeated_metadata_and_mastery_of_100():
    (unit,) = parse(h5p_scorm12()).units
    assert unit.mastery_score == 1.0


@pytest.mark.parametrize(
    "rollup",
    [
        mirrored_rollup_rules(child_set="any"),
        mirrored_rollup_rules(condition="attempted"),
        '<imsss:rollupRules><imsss:rollupRule childActivitySet="atLeastCount" minimumCount="1">'
        '<imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/>'
        '</imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
        "</imsss:rollupRules>",
        "<imsss:rollupRules><imsss:rollupRule><imsss:rollupConditions>"
        '<imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>'
        '<imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>',
    ],
    ids=["any child", "attempted", "at least one", "satisfied makes completed"],
)
def test_rollup_rules_other_than_captivates_mirroring_ones_are_refused(rollup):
    with pytest.raises(PackageRefused) as caught:
        parse(captivate_scorm2004(rollup=rollup))
    assert {(p.path, p.rule) for p in caught.value.problems} == {
        (
            "/manifest/organizations/organization[1]/imsss:sequencing[1]"
            "/imsss:rollupRules/imsss:rollupRule",
            "sequencing_unsupported",
        )
    }


def test_real_sequencing_added_to_a_tool_shape_is_still_refused():
    files = ispring_scorm2004()
    files["imsmanifest.xml"] = str(files["imsmanifest.xml"]).replace(
        '<imsss:controlMode flow="true"/>',
        '<imsss:controlMode flow="true" forwardOnly="true"/>'
        "<imsss:sequencingRules><imsss:preConditionRule/></imsss:sequencingRules>",
    )
    with pytest.raises(PackageRefused) as caught:
        parse(files)
    assert {p.rule for p in caught.value.problems} == {"sequencing_unsupported"}
    assert all("secuenciación IMS" in p.message for p in caught.value.problems)


@pytest.mark.django_db
@pytest.mark.parametrize("build", SHAPES.values(), ids=SHAPES.keys())
def test_each_tool_shape_imports_zipped_with_macos_and_windows_debris(build, author):
    result = package_import(upload=b.upload(b.make_zip(with_macos_debris(build()))), user=author)
    data = result.as_dict()
    assert data["lessons"] and all(
        unit["launch_url"] for lesson in data["lessons"] for unit in lesson["units"]
    )


@pytest.mark.django_db
def test_rise_launch_data_reaches_the_stored_unit(author):
    package_import(upload=b.upload(b.make_zip(rise_scorm12())), user=author)
    assert PackageUnit.objects.get().data_from_lms == "eyJhIjoiYiJ9"


def zipped_on_a_mac(files: Files) -> bytes:
    """The package re-zipped with macOS's Archive Utility: names in UTF-8 without the zip's
    UTF-8 flag, accents decomposed (NFD)."""

    def encode(self: zipfile.ZipInfo) -> tuple[bytes, int]:
        return unicodedata.normalize("NFD", self.filename).encode(), self.flag_bits & ~0x800

    buffer = io.BytesIO()
    with (
        mock.patch.object(zipfile.ZipInfo, "_encodeFilenameFlags", encode),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.django_db
def test_accented_names_rezipped_on_a_mac_import_and_are_served(client, author):
    files = rise_scorm12()
    files["scormcontent/assets/Presentación final.png"] = b.VIDEO
    files["imsmanifest.xml"] = str(files["imsmanifest.xml"]).replace(
        "</resource>",
        '<file href="scormcontent/assets/Presentaci%C3%B3n%20final.png" /></resource>',
    )
    result = package_import(upload=b.upload(zipped_on_a_mac(files)), user=author)
    assert "scormcontent/assets/Presentación final.png" in result.version.files
    client.force_login(author)
    decomposed = unicodedata.normalize("NFD", "Presentación final.png")
    response = client.get(f"/packages/{result.version.uuid}/scormcontent/assets/{decomposed}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b.VIDEO
