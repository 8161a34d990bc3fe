"""Each refusal of a bad manifest that test_manifests.py does not reach, one per case, with the
element path and rule the author is told: wrong root, namespace, missing required elements and
attributes, broken references, an aggregation that launches a resource, a completion threshold
out of range, global objectives and ADL sequencing extensions, and an oversized manifest."""

from __future__ import annotations

import pytest

from packages import manifests
from packages.problems import PackageRefused
from tests.packages import builders as b

SCORM12_FILES: dict[str, bytes | str] = {"sco/index.html": b.PAGE, "sco/video.mp4": b.VIDEO}
SCORM2004_FILES: dict[str, bytes | str] = {
    "sco1/index.html": b.PAGE,
    "sco2/index.html": b.PAGE,
    "sco3/index.html": b.PAGE,
    "shared/api.js": "1",
}
ONE_AU = b.au("https://x.mx/au", "A", "a.html")
SCO1 = "/manifest/organizations/organization[1]/item[1]/item[1]"


def problems_of(files: dict[str, bytes | str]) -> list[tuple[str, str]]:
    data = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
    with pytest.raises(PackageRefused) as caught:
        manifests.parse_package(data.__getitem__, data)
    assert all(p.message for p in caught.value.problems)
    return sorted((p.path, p.rule) for p in caught.value.problems)


def cmi5(xml: str) -> dict[str, bytes | str]:
    return {"cmi5.xml": xml, "a.html": b.PAGE}


def scorm12(manifest: str) -> dict[str, bytes | str]:
    return {"imsmanifest.xml": manifest, **SCORM12_FILES}


def scorm2004(manifest: str) -> dict[str, bytes | str]:
    return {"imsmanifest.xml": manifest, **SCORM2004_FILES}


CASES = [
    (
        "cmi5 root is not courseStructure",
        cmi5(f'<?xml version="1.0"?><course xmlns="{b.CMI5_NS}"/>'),
        [("/course", "root_element")],
    ),
    (
        "cmi5 in another namespace",
        cmi5(b.cmi5_xml([ONE_AU]).replace(b.CMI5_NS, "urn:otro")),
        [("/courseStructure", "namespace")],
    ),
    ("cmi5 without any AU", cmi5(b.cmi5_xml([])), [("/courseStructure", "no_units")]),
    (
        "cmi5 without course",
        cmi5(
            f'<?xml version="1.0"?><courseStructure xmlns="{b.CMI5_NS}">{ONE_AU}</courseStructure>'
        ),
        [("/courseStructure/course", "required")],
    ),
    (
        "cmi5 course without id",
        cmi5(b.cmi5_xml([ONE_AU]).replace(f'<course id="{b.COURSE_ID}">', "<course>")),
        [("/courseStructure/course/@id", "required")],
    ),
    (
        "cmi5 AU without url",
        cmi5(b.cmi5_xml([ONE_AU.replace("<url>a.html</url>", "")])),
        [("/courseStructure/au[1]/url", "required")],
    ),
    (
        "cmi5 AU with an empty langstring title",
        cmi5(b.cmi5_xml([b.au("https://x.mx/au", "", "a.html")])),
        [("/courseStructure/au[1]/title", "required")],
    ),
    (
        "SCORM root is not manifest",
        {"imsmanifest.xml": '<?xml version="1.0"?><package/>'},
        [("/package", "root_element")],
    ),
    (
        "SCORM 2004 without schemaversion",
        scorm2004(
            b.scorm2004_manifest().replace("<schemaversion>2004 4th Edition</schemaversion>", "")
        ),
        [("/manifest/metadata/schemaversion", "required")],
    ),
    (
        "SCORM without organizations",
        scorm12(
            b.scorm12_manifest().split("<organizations", 1)[0]
            + "<resources>"
            + b.scorm12_manifest().split("<resources>", 1)[1]
        ),
        [("/manifest/organizations", "required")],
    ),
    (
        "SCORM default organization that does not exist",
        scorm12(b.scorm12_manifest().replace('default="ORG1"', 'default="NOPE"')),
        [("/manifest/organizations/@default", "reference")],
    ),
    (
        "SCORM organization without items",
        scorm12(b.scorm12_manifest(items="")),
        [("/manifest/organizations/organization[1]/item", "required")],
    ),
    (
        "SCORM manifest without identifier",
        scorm12(b.scorm12_manifest().replace('identifier="MANIFEST-ROBOTICA" ', "")),
        [("/manifest/@identifier", "required")],
    ),
    (
        "SCORM item without title",
        scorm12(b.scorm12_manifest(items='<item identifier="ITEM1" identifierref="RES1"></item>')),
        [("/manifest/organizations/organization[1]/item[1]/title", "required")],
    ),
    (
        "SCORM launched resource without href",
        scorm12(
            b.scorm12_manifest(
                resources='<resource identifier="RES1" type="webcontent" adlcp:scormtype="sco">'
                '<file href="sco/index.html"/></resource>'
            )
        ),
        [("/manifest/resources[1]/resource[1]/@href", "required")],
    ),
    (
        "SCORM resource href outside the package",
        scorm12(b.scorm12_manifest(href="../sco.html")),
        [("/manifest/resources[1]/resource[1]/@href", "url_outside")],
    ),
    (
        "SCORM resource on another site",
        scorm12(b.scorm12_manifest(href="https://cdn.example.edu/sco.html")),
        [("/manifest/resources[1]/resource[1]/@href", "url_scheme")],
    ),
    (
        "SCORM aggregation that launches a resource",
        scorm2004(
            b.scorm2004_manifest().replace(
                '<item identifier="MOD1">', '<item identifier="MOD1" identifierref="RES1">'
            )
        ),
        [
            (
                "/manifest/organizations/organization[1]/item[1]/@identifierref",
                "aggregation_resource",
            )
        ],
    ),
    (
        "SCORM dependency on a resource that does not exist",
        scorm2004(
            b.scorm2004_manifest().replace(
                '<dependency identifierref="SHARED"/>', '<dependency identifierref="GONE"/>', 1
            )
        ),
        [("/manifest/resources[1]/resource[1]/dependency[1]/@identifierref", "reference")],
    ),
    (
        "SCORM 2004 sequencing IDRef outside the sequencingCollection",
        scorm2004(
            b.scorm2004_manifest().replace(
                "<imsss:sequencing>", '<imsss:sequencing IDRef="nowhere">', 1
            )
        ),
        [(f"{SCO1}/imsss:sequencing[1]/@IDRef", "reference")],
    ),
    (
        "SCORM 2004 completionThreshold above 1",
        scorm2004(
            b.scorm2004_manifest().replace(
                'minProgressMeasure="0.9"', 'minProgressMeasure="1.5"', 1
            )
        ),
        [(f"{SCO1}/adlcp:completionThreshold", "completion_threshold")],
    ),
    (
        "SCORM 2004 global objectives (mapInfo)",
        scorm2004(
            b.scorm2004_manifest().replace(
                'satisfiedByMeasure="true">',
                'satisfiedByMeasure="true"><imsss:mapInfo targetObjectiveID="g1"/>',
                1,
            )
        ),
        [(f"{SCO1}/imsss:sequencing[1]/imsss:objectives//imsss:mapInfo", "sequencing_unsupported")],
    ),
    (
        "SCORM 2004 ADL sequencing extension",
        scorm2004(
            b.scorm2004_manifest(
                sequencing_extra='<adlseq:rollupConsiderations requiredForSatisfied="always"/>'
            )
        ),
        [(f"{SCO1}/imsss:sequencing[1]/adlseq:rollupConsiderations", "sequencing_unsupported")],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"),
    [(files, expected) for _, files, expected in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_bad_manifest_is_refused_with_its_element_path_and_rule(files, expected):
    assert problems_of(files) == expected


def test_the_sequencing_refusal_tells_the_author_what_to_do():
    data = scorm2004(
        b.scorm2004_manifest(sequencing_extra='<imsss:limitConditions attemptLimit="1"/>')
    )
    encoded = {k: v.encode() if isinstance(v, str) else v for k, v in data.items()}
    with pytest.raises(PackageRefused) as caught:
        manifests.parse_package(encoded.__getitem__, encoded)
    (problem,) = caught.value.problems
    assert "secuenciación IMS" in problem.message and "Exporta sin reglas" in problem.message


def test_a_manifest_over_the_size_limit_is_refused_before_it_is_parsed(settings):
    settings.LMS_PACKAGE_MAX_MANIFEST_BYTES = 100
    assert problems_of(scorm12(b.scorm12_manifest())) == [("imsmanifest.xml", "manifest_too_large")]
