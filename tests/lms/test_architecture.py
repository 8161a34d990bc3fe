"""The shape of the code: one bounded context per app, none holding most of the code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["lms", "courses", "lrs", "learners", "progress", "reports", "credentials", "packages"]
LIBRARIES = ["integrations", "common"]


def _lines(package: str) -> int:
    return sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_app_holds_more_than_a_third_of_the_code():
    sizes = {package: _lines(package) for package in APPS + LIBRARIES}
    total = sum(sizes.values())
    too_big = {app: f"{sizes[app] / total:.0%}" for app in APPS if sizes[app] > total / 3}
    assert not too_big, f"apps over a third of the {total} lines: {too_big}"


def test_the_lrs_is_an_app_of_its_own_with_its_urls_and_migrations():
    for path in ("lrs/apps.py", "lrs/urls.py", "lrs/models.py", "lrs/migrations/0001_initial.py"):
        assert (ROOT / path).exists(), path
    assert not (ROOT / "progress" / "xapi").exists()
    assert not (ROOT / "progress" / "reports").exists()


def test_names_that_outlive_a_release_survived_the_split():
    """Queued Celery messages, links already mailed or handed out and `more` pages in flight
    name these; the split of progress/ must not have renamed them."""
    from learners.tokens import AccountConfirmationTokenGenerator
    from lms.celery import app
    from lrs import views as lrs_views
    from reports import exports

    app.loader.import_default_modules()
    for name in (
        "progress.tasks.forward_statements",
        "progress.tasks.purge_import_files",
        "progress.import_job_run",
        "progress.reports.build_export",
        "progress.reports.refresh_facts",
        "progress.reports.sync_fact",
        "progress.reports.run_refresh_request",
    ):
        assert name in app.tasks, name
    assert AccountConfirmationTokenGenerator.key_salt == (
        "progress.tokens.AccountConfirmationTokenGenerator"
    )
    assert lrs_views._MORE_SALT == "progress.xapi.more"
    assert exports._SIGNING_SALT == "progress.reports.export-download"


def test_adapters_read_no_settings_plain_data_in_plain_data_out():
    """``integrations`` is called with its configuration; the app that owns a setting reads it
    (the LRS passes its forwarding settings to the adapter factory)."""
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "integrations").rglob("*.py")
        if "django.conf import settings" in path.read_text(encoding="utf-8")
    ]
    assert not readers, readers


def _modules(packages: list[str]) -> list[Path]:
    return [
        path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_only_dialect_backends_look_at_the_database_vendor():
    """Dialect-specific SQL lives in an app's ``backends`` package, chosen once per database
    alias by ``common.dialects``; services call ``backend(alias)`` and never branch on
    ``connection.vendor``. The health check reports the vendor, which is not a branch."""
    import ast

    allowed = {ROOT / "common" / "dialects.py", ROOT / "lms" / "health.py"}
    packages = APPS + LIBRARIES
    found = []
    for path in _modules(packages):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "vendor":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"vendor branches outside the dialect backends: {found}"


def test_no_module_imports_the_private_names_of_another():
    """What another module uses is public (no leading underscore), so it can be found,
    documented and kept stable; ``from x import _y`` and ``x._y`` reach into internals."""
    import ast

    packages = APPS + LIBRARIES
    ours = tuple(packages)
    found = []
    for path in _modules(packages):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules: set[str] = set()  # local names bound to one of our modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(ours):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}")
                    submodule = ROOT / Path(*(node.module or "").split("."), alias.name)
                    if submodule.with_suffix(".py").exists() or submodule.is_dir():
                        modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(ours) and alias.asname:
                        modules.add(alias.asname)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert not found, f"private names used across modules: {found}"
