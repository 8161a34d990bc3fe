"""Detection and validation of cmi5.xml and imsmanifest.xml: every problem with its element
path, all at once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packages import manifests
from packages.problems import PackageRefused
from tests.packages import builders as b


def parse(files: dict[str, bytes | str]) -> manifests.ParsedPackage:
    data = {
        name: content.encode() if isinstance(content, str) else content
        for name, content in files.items()
    }
    return manifests.parse_package(data.__getitem__, data)


def problems_of(files: dict[str, bytes | str]) -> set[tuple[str, str]]:
    with pytest.raises(PackageRefused) as caught:
        parse(files)
    return {(p.path, p.rule) for p in caught.value.problems}


def test_detects_cmi5_scorm12_and_scorm2004_editions():
    assert (
        parse(
            {"cmi5.xml": b.cmi5_xml([b.au("https://x.mx/au", "A", "a.html")]), "a.html": b.PAGE}
        ).format
        == "cmi5"
    )
    scorm = parse(
        {
            "imsmanifest.xml": b.scorm12_manifest(),
            "sco/index.html": b.PAGE,
            "sco/video.mp4": b.VIDEO,
        }
    )
    assert (scorm.format, scorm.schema_version) == ("scorm12", "1.2")
    files = {
        "sco1/index.html": b.PAGE,
        "sco2/index.html": b.PAGE,
        "sco3/index.html": b.PAGE,
        "shared/api.js": "1",
    }
    for edition in ("2004 3rd Edition", "2004 4th Edition"):
        parsed = parse({"imsmanifest.xml": b.scorm2004_manifest(edition=edition), **files})
        assert (parsed.format, parsed.schema_version) == ("scorm2004", edition)


def test_anything_else_is_refused_clearly():
    assert problems_of({"index.html": b.PAGE}) == {("zip", "unknown_format")}
    assert problems_of({"curso/imsmanifest.xml": b.scorm12_manifest()}) == {
        ("zip:curso/imsmanifest.xml", "manifest_not_at_root")
    }
    manifest = b.scorm12_manifest().replace(
        "<schemaversion>1.2</schemaversion>", "<schemaversion>2004 5th Edition</schemaversion>"
    )
    assert problems_of({"imsmanifest.xml": manifest}) == {
        ("/manifest/metadata/schemaversion", "schema_version")
    }


def test_xml_entities_are_refused_and_never_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<courseStructure>&b;</courseStructure>"
    )
    assert problems_of({"cmi5.xml": bomb}) == {("cmi5.xml", "xml_forbidden")}
    external = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><courseStructure>&x;</courseStructure>'
    assert problems_of({"cmi5.xml": external}) == {("cmi5.xml", "xml_forbidden")}
    assert problems_of({"cmi5.xml": "<courseStructure>"}) == {("cmi5.xml", "xml_syntax")}


def test_multi_au_cmi5_reads_blocks_mastery_and_every_move_on():
    parsed = parse(
        {
            "cmi5.xml": b.multi_au_cmi5_xml(),
            "intro.html": b.PAGE,
            "b1/a1.html": b.PAGE,
            "b1/a2.html": b.PAGE,
            "b2/a3.html": b.PAGE,
        }
    )
    assert [u.move_on for u in parsed.units] == [
        "NotApplicable",
        "Passed",
        "Completed",
        "CompletedAndPassed",
        "CompletedOrPassed",
    ]
    assert [u.mastery_score for u in parsed.units] == [None, 0.8, None, 0.5, 1.0]
    assert [blk.title for blk in parsed.blocks] == ["Sensores", "Actuadores"]
    nested = parsed.units[4]
    assert nested.block == f"{b.COURSE_ID}/block/2"
    assert nested.block_path == [f"{b.COURSE_ID}/block/2", f"{b.COURSE_ID}/block/2/1"]
    assert nested.launch_url == "https://cdn.example.edu/au4/"  # absolute http(s) allowed for AUs
    assert parsed.units[2].launch_method == "OwnWindow"
    assert parsed.title == "Robótica"  # the Spanish langstring first


def test_cmi5_problems_are_all_listed_with_element_paths():
    xml = b.cmi5_xml(
        [
            b.au(
                "not an iri",
                "A",
                "missing.html",
                attrs='moveOn="Sometimes" masteryScore="1.5" launchMethod="Popup" '
                'activityType="nope"',
            ),
            b.au(f"{b.COURSE_ID}/au/2", "B", "../outside.html"),
            b.au(f"{b.COURSE_ID}/au/2", "C", "javascript:alert(1)"),
            b.block(f"{b.COURSE_ID}/block", "Vacío", []),
            '<au id="https://x.mx/au/9"><url>a.html</url></au>',
        ],
        course_id="relative/id",
    )
    found = problems_of({"cmi5.xml": xml, "a.html": b.PAGE})
    assert {
        ("/courseStructure/course/@id", "iri"),
        ("/courseStructure/au[1]/@id", "iri"),
        ("/courseStructure/au[1]/@moveOn", "move_on"),
        ("/courseStructure/au[1]/@masteryScore", "mastery_score"),
        ("/courseStructure/au[1]/@launchMethod", "launch_method"),
        ("/courseStructure/au[1]/@activityType", "iri"),
        ("/courseStructure/au[1]/url", "url_missing"),
        ("/courseStructure/au[2]/url", "url_outside"),
        ("/courseStructure/au[3]/@id", "unique"),
        ("/courseStructure/au[3]/url", "url_scheme"),
        ("/courseStructure/block[1]", "empty_block"),
        ("/courseStructure/au[4]/title", "required"),
        ("/courseStructure/au[4]/description", "required"),
    } <= found


def test_cmi5_objective_references_must_be_declared():
    objectives = (
        '<objectives><objective id="https://x.mx/obj/1"><title><langstring>O</langstring></title>'
        "<description><langstring>O</langstring></description></objective></objectives>"
    )
    au = b.au(
        "https://x.mx/au/1",
        "A",
        "a.html",
        extra='<objectives><objective idref="https://x.mx/obj/2"/></objectives>',
    )
    found = problems_of({"cmi5.xml": b.cmi5_xml([au], objectives=objectives), "a.html": b.PAGE})
    assert found == {("/courseStructure/au[1]/objectives[1]/objective[1]/@idref", "objective_ref")}


def test_scorm12_problems_with_paths():
    items = (
        '<item identifier="I1" identifierref="R1"><title>A</title>'
        "<adlcp:masteryscore>120</adlcp:masteryscore></item>"
        '<item identifier="I1" identifierref="NOPE"><title>B</title></item>'
        '<item identifier="I3"><title>C</title></item>'
    )
    resources = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="lesson" '
        'href="missing.html"><file href="gone.js"/></resource>'
    )
    found = problems_of({"imsmanifest.xml": b.scorm12_manifest(items=items, resources=resources)})
    assert {
        ("/manifest/organizations/organization[1]/item[1]/adlcp:masteryscore", "mastery_score"),
        ("/manifest/organizations/organization[1]/item[2]/@identifier", "unique"),
        ("/manifest/organizations/organization[1]/item[2]/@identifierref", "reference"),
        ("/manifest/organizations/organization[1]/item[3]/@identifierref", "required"),
        ("/manifest/resources[1]/resource[1]/@adlcp:scormtype", "scorm_type"),
        ("/manifest/resources[1]/resource[1]/@href", "url_missing"),
    } <= found
    # A file that is only listed may be missing (Captivate lists Flash files it never writes).
    assert ("/manifest/resources[1]/resource[1]/file[1]/@href", "url_missing") not in found


def test_scorm2004_xml_base_and_mastery():
    files = {
        "sco1/index.html": b.PAGE,
        "sco2/index.html": b.PAGE,
        "sco3/index.html": b.PAGE,
        "shared/api.js": "1",
    }
    parsed = parse({"imsmanifest.xml": b.scorm2004_manifest(), **files})
    assert [u.launch_url for u in parsed.units] == [
        "sco1/index.html",
        "sco2/index.html",
        "sco3/index.html",
    ]
    assert parsed.units[0].mastery_score == 0.6
    assert parsed.units[0].completion_threshold == 0.9
    assert [blk.identifier for blk in parsed.blocks] == ["MOD1"]
    bad = problems_of({"imsmanifest.xml": b.scorm2004_manifest(measure="1.5"), **files})
    assert any(rule == "mastery_score" and "minNormalizedMeasure" in path for path, rule in bad)


@pytest.mark.parametrize(
    "extra",
    [
        "<imsss:sequencingRules><imsss:preConditionRule/></imsss:sequencingRules>",
        '<imsss:limitConditions attemptLimit="1"/>',
        '<imsss:randomizationControls reorderChildren="true"/>',
        '<imsss:controlMode forwardOnly="true"/>',
        "<imsss:rollupRules><imsss:rollupRule/></imsss:rollupRules>",
    ],
)
def test_scorm2004_sequencing_we_do_not_run_is_refused_at_import(extra):
    files = {
        "sco1/index.html": b.PAGE,
        "sco2/index.html": b.PAGE,
        "sco3/index.html": b.PAGE,
        "shared/api.js": "1",
    }
    found = problems_of({"imsmanifest.xml": b.scorm2004_manifest(sequencing_extra=extra), **files})
    assert {rule for _path, rule in found} == {"sequencing_unsupported"}
    assert all("item[1]/item[1]/imsss:sequencing" in path for path, _rule in found)


def test_scorm2004_trivial_sequencing_is_accepted():
    files = {
        "sco1/index.html": b.PAGE,
        "sco2/index.html": b.PAGE,
        "sco3/index.html": b.PAGE,
        "shared/api.js": "1",
    }
    extra = '<imsss:controlMode choice="true" flow="true"/><imsss:deliveryControls tracked="true"/>'
    assert (
        len(parse({"imsmanifest.xml": b.scorm2004_manifest(sequencing_extra=extra), **files}).units)
        == 3
    )


def test_resolve_href_follows_xml_base_and_stays_inside():
    assert manifests.resolve_href("index.html", "content/", "sco1/") == "content/sco1/index.html"
    assert manifests.resolve_href("a%20b.html?x=1#top") == "a b.html"
    assert manifests.resolve_href("../a.html", "content/") == "a.html"
    assert manifests.resolve_href("../../a.html", "content/") is None
    assert manifests.resolve_href("/etc/passwd") is None
    assert manifests.resolve_href("http://x.mx/a") is None


_scores = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-3, max_value=3).map(
        str
    ),
    st.text(max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(
    score=_scores,
    move_on=st.one_of(st.sampled_from(manifests.MOVE_ON_VALUES), st.text(max_size=12)),
)
def test_property_cmi5_mastery_and_move_on(score, move_on):
    from decimal import Decimal, InvalidOperation
    from xml.sax.saxutils import quoteattr

    au = b.au(
        "https://x.mx/au/1",
        "A",
        "a.html",
        attrs=f"masteryScore={quoteattr(score)} moveOn={quoteattr(move_on)}",
    )
    files = {"cmi5.xml": b.cmi5_xml([au]).encode(), "a.html": b.PAGE}
    try:
        number = Decimal(score.strip())
        score_ok = number.is_finite() and 0 <= number <= 1
    except InvalidOperation:
        score_ok = False
    move_on_ok = move_on.strip() in manifests.MOVE_ON_VALUES
    # XML normalises attribute white space and refuses some characters: judge what it keeps.
    try:
        parsed = manifests.parse_package(files.__getitem__, files)
    except PackageRefused as refused:
        rules = {p.rule for p in refused.problems}
        assert rules <= {"mastery_score", "move_on", "xml_syntax"}
        if "xml_syntax" not in rules:
            assert ("mastery_score" in rules) == (not score_ok)
            assert ("move_on" in rules) == (not move_on_ok)
        return
    assert score_ok and move_on_ok
    assert parsed.units[0].mastery_score == float(Decimal(score.strip()))


@settings(max_examples=100, deadline=None)
@given(score=_scores)
def test_property_scorm12_masteryscore_range(score):
    from decimal import Decimal, InvalidOperation
    from xml.sax.saxutils import escape

    files = {
        "imsmanifest.xml": b.scorm12_manifest(mastery=escape(score)).encode(),
        "sco/index.html": b.PAGE,
        "sco/video.mp4": b.VIDEO,
    }
    try:
        number = Decimal(score.strip())
        ok = number.is_finite() and 0 <= number <= 100
    except InvalidOperation:
        ok = False
    try:
        parsed = manifests.parse_package(files.__getitem__, files)
    except PackageRefused as refused:
        assert not ok or {p.rule for p in refused.problems} == {"xml_syntax"}
        return
    assert ok or not score.strip()
    if score.strip():
        assert parsed.units[0].mastery_score == pytest.approx(float(Decimal(score.strip()) / 100))


_href = st.text(alphabet=st.sampled_from(list("ab./\\%2e:?#")), max_size=14)


@settings(max_examples=300, deadline=None)
@given(href=_href, bases=st.lists(_href, max_size=3))
def test_property_resolved_hrefs_never_leave_the_package(href, bases):
    resolved = manifests.resolve_href(href, *bases)
    if resolved is not None:
        assert not resolved.startswith("/")
        assert ".." not in resolved.split("/")
        assert "\\" not in resolved
        assert "" not in resolved.split("/")
