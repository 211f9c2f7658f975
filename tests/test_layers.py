"""The architecture holds: one-way imports (import-linter), no widgets in state, small modules."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDIO = ROOT / "studio"


def test_import_linter_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is part of the [test] extra"
    r = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


def test_ruff_finds_nothing_and_the_code_is_formatted():
    """The rules in pyproject.toml (pyflakes, pycodestyle with lines <= 110, import order, pyupgrade), and
    `ruff format --check`: the formatter keeps every module in one style, so module sizes stay honest."""
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert exe, "ruff is part of the [test] extra"
    for args in (["check"], ["format", "--check"]):
        r = subprocess.run(
            [exe, *args, "studio", "tests", "bench", "docs"], cwd=ROOT, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stdout + r.stderr


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_state_uses_qtcore_not_widgets():
    for path in (STUDIO / "state").rglob("*.py"):
        assert not any(n.startswith("PySide6.QtWidgets") for n in _imports(path)), path


def test_modules_stay_small():
    too_big = [
        (p.relative_to(ROOT), n) for p in STUDIO.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400
    ]
    assert not too_big


def test_no_prices_or_size_lists_in_code():
    """Prices, size lists and limits live in resources/, not in studio/ (data, not code)."""
    import re

    size_list = re.compile(r"[\"']\d{3,4}x\d{3,4}[\"']\s*,\s*[\"']\d{3,4}x\d{3,4}[\"']")
    price = re.compile(r"Decimal\(\s*[\"']?\d*\.\d+")
    for path in STUDIO.rglob("*.py"):
        text = path.read_text()
        assert not size_list.search(text), f"a size list is hard-coded in {path}"
        assert not price.search(text), f"a price is hard-coded in {path}"
        for limit in ("655_360", "655360", "8_294_400", "8294400", "32_000"):
            assert limit not in text, f"{limit} hard-coded in {path}"
