"""What a package holds: detection of its format and the validation of its manifest.

``cmi5.xml`` at the root makes a cmi5 course (AICC cmi5, "Course Structure"); an
``imsmanifest.xml`` at the root makes a SCORM package whose version comes from
``metadata/schemaversion`` ("1.2", "CAM 1.3" for 2004 2nd edition, "2004 3rd Edition",
"2004 4th Edition"). Anything else is refused. Parsing goes through defusedxml: no entity
expansion, no external entity, no network. Every problem is collected with its element path
(``/manifest/organizations/organization[1]/item[2]/@identifierref``) so an author sees them
all at once.

The result, :class:`ParsedPackage`, is plain data: its blocks become modules and its units
(cmi5 AUs, SCORM SCOs and assets) lessons; ``packages.services`` stores it.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from packages.conf import app_settings
from packages.problems import PackageRefused, Problem

CMI5 = "cmi5"
SCORM12 = "scorm12"
SCORM2004 = "scorm2004"

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
NAMESPACE_PREFIXES = {
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp",
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp",
    "http://www.imsglobal.org/xsd/imsss": "imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav",
    "http://www.w3.org/XML/1998/namespace": "xml",
}
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
# What metadata/schemaversion says, compared without case or repeated white space. "CAM 1.3"
# is how SCORM 2004 2nd edition names itself (older Captivate releases and other tools still
# write it); its run-time API is the one of the later editions.
SCORM_2004_VERSIONS = {
    "cam 1.3": "2004 2nd Edition",
    "2004 3rd edition": "2004 3rd Edition",
    "2004 4th edition": "2004 4th Edition",
}

# An absolute IRI (RFC 3987): a scheme, a colon and something after it, no white space.
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


@dataclass
class ParsedBlock:
    """A cmi5 block or a SCORM aggregation item at the top of the tree: one module."""

    identifier: str
    title: str
    description: str = ""


@dataclass
class ParsedUnit:
    """A launchable unit: a cmi5 AU or a SCORM SCO/asset. One lesson.

    ``mastery_score`` is always scaled: cmi5's masteryScore (0..1), SCORM 1.2's
    adlcp:masteryscore divided by 100, SCORM 2004's minNormalizedMeasure (-1..1).
    """

    identifier: str
    title: str
    launch_url: str
    description: str = ""
    parameters: str = ""
    move_on: str = ""
    mastery_score: float | None = None
    launch_method: str = ""
    activity_type: str = ""
    entitlement_key: str = ""
    scorm_type: str = ""
    completion_threshold: float | None = None
    data_from_lms: str = ""
    block: str = ""
    block_path: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)


@dataclass
class ParsedPackage:
    format: str
    schema_version: str
    identifier: str
    title: str
    description: str = ""
    manifest_name: str = ""
    blocks: list[ParsedBlock] = field(default_factory=list)
    units: list[ParsedUnit] = field(default_factory=list)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _display(tag: str) -> str:
    prefix = NAMESPACE_PREFIXES.get(_namespace(tag))
    return f"{prefix}:{_local(tag)}" if prefix else _local(tag)


def _attr_display(name: str) -> str:
    return "@" + _display(name)


class Collector:
    """Collects problems while walking a manifest, naming element paths."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem(path, rule, message))


def _children(element: Element, local: str, namespace: str | None = None) -> list[Element]:
    return [
        child
        for child in element
        if _local(child.tag) == local and (namespace is None or _namespace(child.tag) == namespace)
    ]


def _child_paths(
    element: Element, path: str, local: str, ns: str | None = None
) -> list[tuple[Element, str]]:
    found = _children(element, local, ns)
    return [
        (child, f"{path}/{_display(child.tag)}[{index}]") for index, child in enumerate(found, 1)
    ]


def _attr(element: Element, local: str) -> str | None:
    """An attribute by local name (whatever its namespace prefix)."""
    for name, value in element.attrib.items():
        if _local(name) == local:
            return value
    return None


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def is_absolute_iri(value: str) -> bool:
    return bool(_ABSOLUTE_IRI.match(value))


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None
    return number if number.is_finite() else None


def _parse_xml(data: bytes, name: str) -> Element:
    if len(data) > app_settings.LMS_PACKAGE_MAX_MANIFEST_BYTES:
        raise PackageRefused(
            [
                Problem(
                    name,
                    "manifest_too_large",
                    _("El manifiesto ocupa más de %(max)s bytes.")
                    % {"max": app_settings.LMS_PACKAGE_MAX_MANIFEST_BYTES},
                )
            ]
        )
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise PackageRefused(
            [
                Problem(
                    name,
                    "xml_forbidden",
                    _("El manifiesto declara entidades o referencias externas; no se admiten."),
                )
            ]
        ) from error
    except SafeET.ParseError as error:
        raise PackageRefused(
            [
                Problem(
                    name,
                    "xml_syntax",
                    _("El manifiesto no es XML bien formado: %(error)s") % {"error": str(error)},
                )
            ]
        ) from error


def _normalise(pieces: list[str]) -> list[str] | None:
    out: list[str] = []
    for piece in pieces:
        if piece in ("", "."):
            continue
        if piece == "..":
            if not out:
                return None
            out.pop()
        else:
            out.append(piece)
    return out


def resolve_href(href: str, *bases: str) -> str | None:
    """The package path a relative ``href`` names, after the ``xml:base`` values ``bases``
    (outermost first), as RFC 3986 resolves them; ``None`` when it is absolute or leaves the
    package. Query and fragment are dropped; percent-escapes are decoded."""
    directory: list[str] = []
    parts = [*bases, href]
    for index, part in enumerate(parts):
        if not part:
            continue
        split = urlsplit(part)
        if split.scheme or split.netloc or split.path.startswith("/"):
            return None
        # Composed (NFC), as zipsafe names the package's files.
        path = unicodedata.normalize("NFC", unquote(split.path))
        if "\\" in path or "\x00" in path:
            return None
        pieces = path.split("/")
        if index == len(parts) - 1:
            normal = _normalise(directory + pieces)
            return "/".join(normal) if normal else None
        # A base's last segment is a file name (or "" after a final slash): drop it.
        base_dir = _normalise(directory + pieces[:-1])
        if base_dir is None:
            return None
        directory = base_dir
    return None


def _join_bases(*parts: str) -> list[str]:
    return [part for part in parts if part]


def _langstring(
    element: Element | None,
    path: str,
    what: str,
    problems: Collector,
    required: bool = True,
    text_required: bool = True,
) -> str:
    """The text of a cmi5 ``title``/``description``: the Spanish langstring, else English,
    else the first. ``text_required=False``: the element must be there, its text may be empty
    (Storyline, Rise and iSpring write an empty description langstring when the author gave
    none)."""
    if element is None:
        if required:
            problems.add(
                path, "required", _("Falta el elemento obligatorio %(what)s.") % {"what": what}
            )
        return ""
    strings = [(child.get("lang", ""), _text(child)) for child in _children(element, "langstring")]
    strings = [(lang, text) for lang, text in strings if text]
    if not strings:
        if required and text_required:
            problems.add(
                path,
                "required",
                _("%(what)s necesita al menos un langstring con texto.") % {"what": what},
            )
        return ""
    for wanted in ("es", "en"):
        for lang, text in strings:
            if lang.lower().startswith(wanted):
                return text
    return strings[0][1]


def detect(files: Iterable[str]) -> str:
    """The manifest at the root of the package: ``cmi5.xml`` or ``imsmanifest.xml``."""
    names = set(files)
    if "cmi5.xml" in names:
        return "cmi5.xml"
    if "imsmanifest.xml" in names:
        return "imsmanifest.xml"
    nested = sorted(
        name for name in names if posixpath.basename(name) in ("cmi5.xml", "imsmanifest.xml")
    )
    if nested:
        raise PackageRefused(
            [
                Problem(
                    f"zip:{nested[0]}",
                    "manifest_not_at_root",
                    _(
                        "El manifiesto está dentro de una carpeta; comprime el contenido de la "
                        "carpeta para que %(name)s quede en la raíz del zip."
                    )
                    % {"name": posixpath.basename(nested[0])},
                )
            ]
        )
    raise PackageRefused(
        [
            Problem(
                "zip",
                "unknown_format",
                _(
                    "No es un paquete cmi5 ni SCORM: falta cmi5.xml o imsmanifest.xml en la raíz "
                    "del zip. Exporta el curso como cmi5, SCORM 1.2 o SCORM 2004."
                ),
            )
        ]
    )


def parse_package(read: Callable[[str], bytes], files: Iterable[str]) -> ParsedPackage:
    """Detect, parse and validate a package whose files are ``files`` (zip names) and whose
    content ``read(name)`` gives. Raises :class:`PackageRefused` with every problem found."""
    names = set(files)
    manifest = detect(names)
    root = _parse_xml(read(manifest), manifest)
    if manifest == "cmi5.xml":
        return _parse_cmi5(root, names)
    return _parse_scorm(root, names)


# cmi5 -------------------------------------------------------------------------------------


class _Cmi5Walk:
    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.problems = Collector()
        self.ids: dict[str, str] = {}
        self.objective_ids: set[str] = set()
        self.objective_refs: list[tuple[str, str]] = []
        self.blocks: list[ParsedBlock] = []
        self.units: list[ParsedUnit] = []

    def identifier(self, element: Element, path: str) -> str:
        value = (element.get("id") or "").strip()
        where = f"{path}/@id"
        if not value:
            self.problems.add(where, "required", _("Falta el atributo obligatorio id."))
            return ""
        if not is_absolute_iri(value):
            self.problems.add(
                where, "iri", _("El id «%(id)s» no es un IRI absoluto.") % {"id": value}
            )
        if value in self.ids:
            self.problems.add(
                where,
                "unique",
                _("El id «%(id)s» ya se usó en %(other)s.")
                % {"id": value, "other": self.ids[value]},
            )
        else:
            self.ids[value] = path
        return value

    def texts(self, element: Element, path: str) -> tuple[str, str]:
        title_el = next(iter(_children(element, "title")), None)
        description_el = next(iter(_children(element, "description")), None)
        title = _langstring(title_el, f"{path}/title", "title", self.problems)
        description = _langstring(
            description_el, f"{path}/description", "description", self.problems, text_required=False
        )
        return title, description

    def objective_refs_of(self, element: Element, path: str) -> list[str]:
        refs = []
        for objectives, objectives_path in _child_paths(element, path, "objectives"):
            for objective, objective_path in _child_paths(objectives, objectives_path, "objective"):
                ref = (objective.get("idref") or "").strip()
                if not ref:
                    self.problems.add(
                        f"{objective_path}/@idref",
                        "required",
                        _("Falta el atributo obligatorio idref."),
                    )
                    continue
                self.objective_refs.append((ref, f"{objective_path}/@idref"))
                refs.append(ref)
        return refs

    def au(self, element: Element, path: str, block_path: list[str]) -> None:
        identifier = self.identifier(element, path)
        title, description = self.texts(element, path)
        move_on = element.get("moveOn", "NotApplicable").strip()
        if move_on not in MOVE_ON_VALUES:
            self.problems.add(
                f"{path}/@moveOn",
                "move_on",
                _("moveOn «%(value)s» no es uno de %(allowed)s.")
                % {"value": move_on, "allowed": ", ".join(MOVE_ON_VALUES)},
            )
        launch_method = element.get("launchMethod", "AnyWindow").strip()
        if launch_method not in LAUNCH_METHODS:
            self.problems.add(
                f"{path}/@launchMethod",
                "launch_method",
                _("launchMethod «%(value)s» no es AnyWindow ni OwnWindow.")
                % {"value": launch_method},
            )
        mastery: float | None = None
        raw_mastery = element.get("masteryScore")
        if raw_mastery is not None:
            number = _decimal(raw_mastery)
            if number is None or not (0 <= number <= 1):
                self.problems.add(
                    f"{path}/@masteryScore",
                    "mastery_score",
                    _("masteryScore «%(value)s» debe ser un número decimal de 0 a 1.")
                    % {"value": raw_mastery},
                )
            else:
                mastery = float(number)
        activity_type = (element.get("activityType") or "").strip()
        if activity_type and not is_absolute_iri(activity_type):
            self.problems.add(
                f"{path}/@activityType",
                "iri",
                _("activityType «%(id)s» no es un IRI absoluto.") % {"id": activity_type},
            )
        url_el = next(iter(_children(element, "url")), None)
        url = _text(url_el)
        if not url:
            self.problems.add(f"{path}/url", "required", _("Falta la URL de lanzamiento (url)."))
        else:
            url = self.check_url(url, f"{path}/url")
        parameters = _text(next(iter(_children(element, "launchParameters")), None))
        entitlement = _text(next(iter(_children(element, "entitlementKey")), None))
        self.units.append(
            ParsedUnit(
                identifier=identifier,
                title=title,
                description=description,
                launch_url=url,
                parameters=parameters,
                move_on=move_on,
                mastery_score=mastery,
                launch_method=launch_method,
                activity_type=activity_type,
                entitlement_key=entitlement,
                block=block_path[0] if block_path else "",
                block_path=list(block_path),
                objectives=self.objective_refs_of(element, path),
            )
        )

    def check_url(self, url: str, path: str) -> str:
        parts = urlsplit(url)
        if parts.scheme:
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                self.problems.add(
                    path,
                    "url_scheme",
                    _("La URL «%(url)s» debe ser relativa al paquete o http(s).") % {"url": url},
                )
            return url
        resolved = resolve_href(url)
        if resolved is None:
            self.problems.add(
                path, "url_outside", _("La URL «%(url)s» sale del paquete.") % {"url": url}
            )
            return url
        if resolved not in self.files:
            self.problems.add(
                path, "url_missing", _("La URL «%(url)s» no existe en el paquete.") % {"url": url}
            )
        query = f"?{parts.query}" if parts.query else ""
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return resolved + query + fragment

    def block(self, element: Element, path: str, block_path: list[str]) -> None:
        identifier = self.identifier(element, path)
        title, description = self.texts(element, path)
        self.objective_refs_of(element, path)
        if not block_path:
            self.blocks.append(
                ParsedBlock(identifier=identifier, title=title, description=description)
            )
        before = len(self.units)
        self.content(element, path, [*block_path, identifier])
        if len(self.units) == before:
            self.problems.add(path, "empty_block", _("El bloque no contiene ninguna AU."))

    def content(self, element: Element, path: str, block_path: list[str]) -> None:
        counters: dict[str, int] = {}
        for child in element:
            local = _local(child.tag)
            if local not in ("au", "block"):
                continue
            counters[local] = counters.get(local, 0) + 1
            child_path = f"{path}/{local}[{counters[local]}]"
            if local == "au":
                self.au(child, child_path, block_path)
            else:
                self.block(child, child_path, block_path)


def _parse_cmi5(root: Element, files: set[str]) -> ParsedPackage:
    walk = _Cmi5Walk(files)
    problems = walk.problems
    path = "/courseStructure"
    if _local(root.tag) != "courseStructure":
        raise PackageRefused(
            [
                Problem(
                    f"/{_local(root.tag)}",
                    "root_element",
                    _("La raíz de cmi5.xml debe ser courseStructure."),
                )
            ]
        )
    if _namespace(root.tag) != CMI5_NS:
        problems.add(
            path,
            "namespace",
            _("courseStructure debe estar en el espacio de nombres %(ns)s.") % {"ns": CMI5_NS},
        )
    courses = _child_paths(root, path, "course")
    identifier = title = description = ""
    if len(courses) != 1:
        problems.add(
            f"{path}/course", "required", _("cmi5.xml debe tener exactamente un elemento course.")
        )
    else:
        course, course_path = courses[0]
        course_path = f"{path}/course"
        identifier = walk.identifier(course, course_path)
        title, description = walk.texts(course, course_path)
    for objectives, objectives_path in _child_paths(root, path, "objectives"):
        for objective, objective_path in _child_paths(objectives, objectives_path, "objective"):
            objective_id = walk.identifier(objective, objective_path)
            walk.texts(objective, objective_path)
            walk.objective_ids.add(objective_id)
    walk.content(root, path, [])
    for ref, ref_path in walk.objective_refs:
        if ref not in walk.objective_ids:
            problems.add(
                ref_path,
                "objective_ref",
                _("El objetivo «%(id)s» no está declarado.") % {"id": ref},
            )
    if not walk.units:
        problems.add(path, "no_units", _("El curso no tiene ninguna AU."))
    if problems.problems:
        raise PackageRefused(problems.problems)
    return ParsedPackage(
        format=CMI5,
        schema_version="cmi5",
        identifier=identifier,
        title=title,
        description=description,
        manifest_name="cmi5.xml",
        blocks=walk.blocks,
        units=walk.units,
    )


# SCORM ------------------------------------------------------------------------------------

# What of IMS Simple Sequencing the player honours: manifest order with previous/next and a
# table of contents, a primary objective's minNormalizedMeasure as the passing score, the
# completion threshold and the delivery controls. Anything else changes what a learner may
# launch or how status rolls up; a package that uses it is refused at import.
_SUPPORTED_SEQUENCING = {
    "controlMode",
    "objectives",
    "deliveryControls",
    "rollupRules",
    "auxiliaryResources",
}


# A rollup rule that only says "the parent is satisfied (completed) when all its children
# are, and not satisfied (incomplete) when none is": the rules Captivate writes on its
# organization. Capacita's own rule (a module is done when all its required lessons are)
# already behaves so; any other rollup rule is refused.
_MIRRORED_ROLLUP = {
    ("satisfied", "noOp"): "satisfied",
    ("satisfied", "not"): "notSatisfied",
    ("completed", "noOp"): "completed",
    ("completed", "not"): "incomplete",
}


def _mirrors_children(rule: Element) -> bool:
    if _local(rule.tag) != "rollupRule":
        return False
    if (rule.get("childActivitySet") or "all").strip() != "all":
        return False
    conditions = [child for child in rule if _local(child.tag) == "rollupConditions"]
    actions = [child for child in rule if _local(child.tag) == "rollupAction"]
    if len(conditions) != 1 or len(actions) != 1 or len(rule) != 2:
        return False
    condition_list = list(conditions[0])
    if len(condition_list) != 1 or _local(condition_list[0].tag) != "rollupCondition":
        return False
    condition = condition_list[0]
    key = (
        (condition.get("condition") or "").strip(),
        (condition.get("operator") or "noOp").strip(),
    )
    return _MIRRORED_ROLLUP.get(key) == (actions[0].get("action") or "").strip()


class _ScormWalk:
    def __init__(self, files: set[str], version: str) -> None:
        self.files = files
        self.version = version
        self.problems = Collector()
        self.identifiers: dict[str, str] = {}
        self.resources: dict[str, tuple[Element, str, list[str]]] = {}
        self.blocks: list[ParsedBlock] = []
        self.units: list[ParsedUnit] = []
        self.sequencing_collection: dict[str, tuple[Element, str]] = {}

    def unique(self, element: Element, path: str, required: bool = True) -> str:
        value = (element.get("identifier") or "").strip()
        if not value:
            if required:
                self.problems.add(
                    f"{path}/@identifier",
                    "required",
                    _("Falta el atributo obligatorio identifier."),
                )
            return ""
        if value in self.identifiers:
            self.problems.add(
                f"{path}/@identifier",
                "unique",
                _("El identificador «%(id)s» ya se usó en %(other)s.")
                % {"id": value, "other": self.identifiers[value]},
            )
        else:
            self.identifiers[value] = path
        return value

    def title(self, element: Element, path: str) -> str:
        title_el = next(iter(_children(element, "title")), None)
        value = _text(title_el)
        if not value:
            self.problems.add(f"{path}/title", "required", _("Falta el título (title)."))
        return value

    def check_file(self, href: str, bases: list[str], path: str, must_exist: bool = True) -> str:
        """The package path ``href`` names. Refused when it is absolute or leaves the package;
        when it is missing too, unless ``must_exist`` is false: a resource's ``file`` list is
        an inventory, and Captivate lists the Flash files an HTML5-only publish never writes."""
        if urlsplit(href).scheme:
            self.problems.add(
                path,
                "url_scheme",
                _("«%(url)s» es una URL absoluta; el contenido SCORM debe ir en el paquete.")
                % {"url": href},
            )
            return href
        resolved = resolve_href(href, *bases)
        if resolved is None:
            self.problems.add(path, "url_outside", _("«%(url)s» sale del paquete.") % {"url": href})
            return href
        if must_exist and resolved not in self.files:
            self.problems.add(
                path, "url_missing", _("«%(url)s» no existe en el paquete.") % {"url": href}
            )
        return resolved

    def read_resources(self, manifest: Element, manifest_base: list[str]) -> None:
        for resources, resources_path in _child_paths(manifest, "/manifest", "resources"):
            bases = [*manifest_base, *_join_bases(resources.get(XML_BASE, ""))]
            for resource, resource_path in _child_paths(resources, resources_path, "resource"):
                identifier = self.unique(resource, resource_path)
                resource_bases = [*bases, *_join_bases(resource.get(XML_BASE, ""))]
                if identifier:
                    self.resources[identifier] = (resource, resource_path, resource_bases)
                for file_el, file_path in _child_paths(resource, resource_path, "file"):
                    href = (file_el.get("href") or "").strip()
                    if not href:
                        self.problems.add(
                            f"{file_path}/@href",
                            "required",
                            _("Falta el atributo obligatorio href."),
                        )
                    else:
                        self.check_file(
                            href, resource_bases, f"{file_path}/@href", must_exist=False
                        )
        for resources, _path in _child_paths(manifest, "/manifest", "resources"):
            for resource, resource_path in _child_paths(resources, _path, "resource"):
                for dependency, dependency_path in _child_paths(
                    resource, resource_path, "dependency"
                ):
                    ref = (dependency.get("identifierref") or "").strip()
                    if ref not in self.resources:
                        self.problems.add(
                            f"{dependency_path}/@identifierref",
                            "reference",
                            _("La dependencia «%(id)s» no es un recurso del manifiesto.")
                            % {"id": ref},
                        )

    def check_sequencing(self, sequencing: Element, path: str) -> Element:
        ref = (sequencing.get("IDRef") or "").strip()
        if ref and ref not in self.sequencing_collection:
            self.problems.add(
                f"{path}/@IDRef",
                "reference",
                _("IDRef «%(id)s» no está en sequencingCollection.") % {"id": ref},
            )
        for child in sequencing:
            local = _local(child.tag)
            child_path = f"{path}/{_display(child.tag)}"
            if (
                _namespace(child.tag) != "http://www.imsglobal.org/xsd/imsss"
                or local not in _SUPPORTED_SEQUENCING
            ):
                self._unsupported(child_path, _display(child.tag))
                continue
            if local == "controlMode" and (child.get("forwardOnly") or "").strip() == "true":
                self._unsupported(f"{child_path}/@forwardOnly", "controlMode forwardOnly")
            if local == "rollupRules" and not all(_mirrors_children(rule) for rule in child):
                self._unsupported(f"{child_path}/imsss:rollupRule", "rollupRule")
            if local == "objectives":
                for objective in child.iter():
                    if _local(objective.tag) == "mapInfo":
                        self._unsupported(
                            f"{child_path}//imsss:mapInfo", _("objetivos globales (mapInfo)")
                        )
                        break
        return sequencing

    def _unsupported(self, path: str, what: str) -> None:
        self.problems.add(
            path,
            "sequencing_unsupported",
            _(
                "El paquete usa secuenciación IMS que Capacita no ejecuta (%(what)s): los SCO "
                "se presentan en el orden del manifiesto, con anterior/siguiente y tabla de "
                "contenido. Exporta sin reglas de secuenciación."
            )
            % {"what": what},
        )

    def mastery(self, item: Element, path: str) -> float | None:
        if self.version == "1.2":
            mastery_el = next(iter(_children(item, "masteryscore")), None)
            if mastery_el is None:
                return None
            raw = _text(mastery_el)
            if not raw:  # some exports write an empty element for "no mastery score"
                return None
            number = _decimal(raw)
            if number is None or not (0 <= number <= 100):
                self.problems.add(
                    f"{path}/adlcp:masteryscore",
                    "mastery_score",
                    _("adlcp:masteryscore «%(value)s» debe ser un número de 0 a 100.")
                    % {"value": raw},
                )
                return None
            return float(number / 100)
        mastery: float | None = None
        for sequencing, sequencing_path in _child_paths(
            item, path, "sequencing", "http://www.imsglobal.org/xsd/imsss"
        ):
            self.check_sequencing(sequencing, sequencing_path)
            targets = [sequencing]
            ref = (sequencing.get("IDRef") or "").strip()
            if ref in self.sequencing_collection:
                targets.insert(0, self.sequencing_collection[ref][0])
            for target in targets:
                for objectives in _children(target, "objectives"):
                    for primary in _children(objectives, "primaryObjective"):
                        measure_el = next(iter(_children(primary, "minNormalizedMeasure")), None)
                        if measure_el is None:
                            continue
                        raw = _text(measure_el)
                        number = _decimal(raw)
                        measure_path = (
                            f"{sequencing_path}/imsss:objectives/imsss:primaryObjective"
                            "/imsss:minNormalizedMeasure"
                        )
                        if number is None or not (-1 <= number <= 1):
                            self.problems.add(
                                measure_path,
                                "mastery_score",
                                _("minNormalizedMeasure «%(value)s» debe ser un número de -1 a 1.")
                                % {"value": raw},
                            )
                            continue
                        if (primary.get("satisfiedByMeasure") or "").strip() == "true":
                            mastery = float(number)
        return mastery

    def completion_threshold(self, item: Element, path: str) -> float | None:
        threshold_el = next(iter(_children(item, "completionThreshold")), None)
        if threshold_el is None or self.version == "1.2":
            return None
        raw = (threshold_el.get("minProgressMeasure") or _text(threshold_el) or "").strip()
        if not raw:
            return None
        number = _decimal(raw)
        if number is None or not (0 <= number <= 1):
            self.problems.add(
                f"{path}/adlcp:completionThreshold",
                "completion_threshold",
                _("completionThreshold «%(value)s» debe ser un número de 0 a 1.") % {"value": raw},
            )
            return None
        return float(number)

    def item(self, item: Element, path: str, block_path: list[str]) -> None:
        identifier = self.unique(item, path)
        title = self.title(item, path)
        children = _child_paths(item, path, "item")
        ref = (item.get("identifierref") or "").strip()
        if children:
            if ref:
                self.problems.add(
                    f"{path}/@identifierref",
                    "aggregation_resource",
                    _("Un elemento con subelementos no puede lanzar un recurso."),
                )
            if self.version != "1.2":
                for sequencing, sequencing_path in _child_paths(
                    item, path, "sequencing", "http://www.imsglobal.org/xsd/imsss"
                ):
                    self.check_sequencing(sequencing, sequencing_path)
            if not block_path:
                self.blocks.append(ParsedBlock(identifier=identifier, title=title))
            for child, child_path in children:
                self.item(child, child_path, [*block_path, identifier])
            return
        if not ref:
            self.problems.add(
                f"{path}/@identifierref",
                "required",
                _("Un elemento sin subelementos debe indicar identifierref."),
            )
            return
        if ref not in self.resources:
            self.problems.add(
                f"{path}/@identifierref",
                "reference",
                _("identifierref «%(id)s» no es un recurso del manifiesto.") % {"id": ref},
            )
            return
        resource, resource_path, bases = self.resources[ref]
        scorm_type = (
            (_attr(resource, "scormtype") or _attr(resource, "scormType") or "").strip().lower()
        )
        if scorm_type not in ("sco", "asset"):
            attribute = "adlcp:scormtype" if self.version == "1.2" else "adlcp:scormType"
            self.problems.add(
                f"{resource_path}/@{attribute}",
                "scorm_type",
                _("%(attribute)s debe ser «sco» o «asset».") % {"attribute": attribute},
            )
        href = (resource.get("href") or "").strip()
        launch = ""
        if not href:
            self.problems.add(
                f"{resource_path}/@href", "required", _("El recurso lanzado necesita href.")
            )
        else:
            launch = self.check_file(href, bases, f"{resource_path}/@href")
            query = urlsplit(href).query
            if query:
                launch = f"{launch}?{query}"
        # Not "a or b": an element without children is false, and datafromlms has none.
        data_el = next(iter(_children(item, "datafromlms") + _children(item, "dataFromLMS")), None)
        self.units.append(
            ParsedUnit(
                identifier=identifier,
                title=title,
                launch_url=launch,
                parameters=(item.get("parameters") or "").strip(),
                mastery_score=self.mastery(item, path),
                completion_threshold=self.completion_threshold(item, path),
                data_from_lms=_text(data_el),
                scorm_type=scorm_type,
                block=block_path[0] if block_path else "",
                block_path=list(block_path),
            )
        )


def _scorm_version(root: Element) -> tuple[str, str] | None:
    for metadata in _children(root, "metadata"):
        version = _text(next(iter(_children(metadata, "schemaversion")), None))
        if version:
            spelled = " ".join(version.split()).casefold()
            if spelled == "1.2":
                return SCORM12, "1.2"
            if spelled in SCORM_2004_VERSIONS:
                return SCORM2004, SCORM_2004_VERSIONS[spelled]
            raise PackageRefused(
                [
                    Problem(
                        "/manifest/metadata/schemaversion",
                        "schema_version",
                        _(
                            "La versión SCORM «%(version)s» no se admite; exporta como SCORM 1.2, "
                            "SCORM 2004 3.ª o 4.ª edición, o cmi5."
                        )
                        % {"version": version},
                    )
                ]
            )
    # Some SCORM 1.2 exports leave out the metadata; their namespaces still say what they are.
    namespaces = {_namespace(element.tag) for element in root.iter()}
    namespaces |= {_namespace(name) for element in root.iter() for name in element.attrib}
    if "http://www.adlnet.org/xsd/adlcp_rootv1p2" in namespaces:
        return SCORM12, "1.2"
    return None


def _parse_scorm(root: Element, files: set[str]) -> ParsedPackage:
    if _local(root.tag) != "manifest":
        raise PackageRefused(
            [
                Problem(
                    f"/{_local(root.tag)}",
                    "root_element",
                    _("La raíz de imsmanifest.xml debe ser manifest."),
                )
            ]
        )
    found = _scorm_version(root)
    if found is None:
        raise PackageRefused(
            [
                Problem(
                    "/manifest/metadata/schemaversion",
                    "required",
                    _("Falta metadata/schemaversion: no se sabe qué versión de SCORM es."),
                )
            ]
        )
    format_, version = found
    walk = _ScormWalk(files, version)
    problems = walk.problems
    identifier = walk.unique(root, "/manifest")
    manifest_base = _join_bases(root.get(XML_BASE, ""))
    for collection in _children(root, "sequencingCollection"):
        for sequencing, sequencing_path in _child_paths(
            collection, "/manifest/imsss:sequencingCollection", "sequencing"
        ):
            ref_id = (sequencing.get("ID") or "").strip()
            if ref_id:
                walk.sequencing_collection[ref_id] = (sequencing, sequencing_path)
            walk.check_sequencing(sequencing, sequencing_path)
    walk.read_resources(root, manifest_base)
    organizations = _child_paths(root, "/manifest", "organizations")
    title = ""
    if len(organizations) != 1:
        problems.add(
            "/manifest/organizations",
            "required",
            _("El manifiesto debe tener un elemento organizations."),
        )
    else:
        organizations_el, organizations_path = organizations[0]
        organizations_path = "/manifest/organizations"
        listed = _child_paths(organizations_el, organizations_path, "organization")
        default = (organizations_el.get("default") or "").strip()
        chosen: tuple[Element, str] | None = None
        for organization, organization_path in listed:
            walk.unique(organization, organization_path)
            if default and organization.get("identifier") == default:
                chosen = (organization, organization_path)
        if not listed:
            problems.add(
                f"{organizations_path}/organization",
                "required",
                _("Falta al menos una organization."),
            )
        elif default and chosen is None:
            problems.add(
                f"{organizations_path}/@default",
                "reference",
                _("default «%(id)s» no es una organization del manifiesto.") % {"id": default},
            )
        elif chosen is None:
            chosen = listed[0]
        if chosen is not None:
            organization, organization_path = chosen
            title = walk.title(organization, organization_path)
            if version != "1.2":
                for sequencing, sequencing_path in _child_paths(
                    organization,
                    organization_path,
                    "sequencing",
                    "http://www.imsglobal.org/xsd/imsss",
                ):
                    walk.check_sequencing(sequencing, sequencing_path)
            items = _child_paths(organization, organization_path, "item")
            if not items:
                problems.add(
                    f"{organization_path}/item",
                    "required",
                    _("La organization no tiene elementos (item)."),
                )
            for item, item_path in items:
                walk.item(item, item_path, [])
    if not problems.problems and not walk.units:
        problems.add(
            "/manifest/organizations",
            "no_units",
            _("El paquete no tiene ningún SCO ni recurso que lanzar."),
        )
    if problems.problems:
        raise PackageRefused(problems.problems)
    return ParsedPackage(
        format=format_,
        schema_version=version,
        identifier=identifier,
        title=title,
        manifest_name="imsmanifest.xml",
        blocks=walk.blocks,
        units=walk.units,
    )
