"""The structure holds: apps import only the apps below them (imports inside functions too),
no module of an app imports another that imports it back, and the pack schema pack authors
use is the one the apps compose."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

APPS = [
    "config", "core", "councils", "providers", "monitoring", "decisions", "concerns",
    "restrictions", "notices", "boards", "reporting",
]  # fmt: skip


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    """The apps' Python files and the contracts, in a folder of their own."""
    root = tmp_path / "project"
    for app in APPS:
        shutil.copytree(
            settings.BASE_DIR / app,
            root / app,
            ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.html"),
        )
    shutil.copy(settings.BASE_DIR / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_contracts_hold(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lower_app_importing_a_higher_one_in_a_function_breaks_the_layers(tmp_path):
    root = _copy(tmp_path)
    (root / "monitoring" / "probe.py").write_text(
        "def reach_up():\n    from concerns.models import Case\n\n    return Case\n"
    )
    result = _lint(root)
    assert result.returncode != 0
    assert "monitoring.probe -> concerns.models" in result.stdout


def test_two_modules_of_an_app_importing_each_other_break_the_acyclic_contract(tmp_path):
    root = _copy(tmp_path)
    (root / "decisions" / "probe.py").write_text("from decisions import services\n")
    (root / "decisions" / "services.py").write_text(
        (root / "decisions" / "services.py").read_text() + "\nfrom decisions import probe\n"
    )
    result = _lint(root)
    assert result.returncode != 0
    assert ".services -> .probe" in result.stdout


def test_policies_schema_json_is_the_composed_schema():
    """policies/schema.json (for pack authors' editors) is what the apps' parts compose."""
    call_command("policy_schema", "--check")
