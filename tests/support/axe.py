"""Accessibility checks with axe-core in a Playwright page.

Any browser test can call :func:`assert_no_serious_violations` on a loaded page: it injects the
vendored ``axe.min.js`` (tests/support/axe-core/, version and licence in its README.md), runs
every rule axe enables by default, and fails when a violation is serious or critical, printing
each rule with the CSS targets of the offending nodes. Minor and moderate findings are returned
by :func:`axe_violations` but do not fail a test.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

AXE_DIR = Path(__file__).resolve().parent / "axe-core"
AXE_SCRIPT = AXE_DIR / "axe.min.js"
# The vendored file is checked against these before use, so a silent swap or a truncated copy
# fails loudly instead of running a different set of rules. Update both with the file.
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Only violations: passes and incomplete results are large and unused here.
_RUN = """async (context) => {
    const results = await window.axe.run(context || document, {resultTypes: ["violations"]});
    return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target,
            impact: n.impact,
            html: n.html,
            summary: n.failureSummary,
        })),
    }));
}"""


@cache
def axe_source() -> str:
    """The vendored axe-core script, after checking it is the noted version."""
    content = AXE_SCRIPT.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(
            f"{AXE_SCRIPT} has sha256 {digest}, expected {AXE_SHA256} (axe-core {AXE_VERSION})"
        )
    return content.decode("utf-8")


def inject_axe(page: Any) -> None:
    """Add axe-core to the page once (a navigation drops it, so check each time)."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    page.add_script_tag(content=axe_source())
    version = page.evaluate("() => window.axe.version")
    if version != AXE_VERSION:
        raise RuntimeError(f"axe-core {version} ran in the page, expected {AXE_VERSION}")


def axe_violations(page: Any, *, context: str | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation on ``page`` (or inside the CSS selector ``context``)."""
    inject_axe(page)
    return page.evaluate(_RUN, context)


def serious_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations that block: impact serious or critical."""
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: id, impact, help text, then each node's target and markup."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(
                " >> ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    - {target}: {node['html'][:160]}")
            summary = (node.get("summary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_no_serious_violations(
    page: Any, *, label: str | None = None, context: str | None = None
) -> list[dict[str, Any]]:
    """Fail when axe-core finds a serious or critical violation on the loaded ``page``.

    The failure message (also printed, so ``-s`` shows it next to the test) names the page
    (``label``, or its URL), each rule and the CSS targets of the nodes that break it. Returns
    all violations, including the minor and moderate ones that do not fail.
    """
    violations = axe_violations(page, context=context)
    blocking = serious_violations(violations)
    if blocking:
        report = f"axe-core found serious/critical violations on {label or page.url}:\n"
        report += format_violations(blocking)
        print(report)
        raise AssertionError(report)
    return violations
