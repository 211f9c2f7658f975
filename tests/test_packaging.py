"""`pip install .` carries resources/ (the registry data) inside the package."""

import json
from importlib.metadata import distributions
from pathlib import Path

import pytest


def _installed():
    """The installed (dist-info) distribution, ignoring an egg-info a build left in the checkout."""
    for dist in distributions(name="asset-studio"):
        if str(getattr(dist, "_path", "")).endswith(".dist-info"):
            return dist
    pytest.skip("asset-studio is not installed in this environment")


def test_installed_distribution_carries_the_registry_data():
    dist = _installed()
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: resources are read from the checkout")
    files = {str(f) for f in dist.files or ()}
    assert "studio/resources/models.toml" in files
    assert (
        "studio/resources/fonts/Vera.ttf" in files
        and "studio/resources/fonts/bitstream-vera-license.txt" in files
    )
    assert (
        (dist.locate_file("studio/resources/models.toml"))
        .read_text()
        .startswith("# Asset Studio model registry")
    )


def test_console_script_is_declared():
    dist = _installed()
    assert any(ep.name == "asset-studio" and ep.value == "studio.__main__:main" for ep in dist.entry_points)


def test_every_package_is_listed_for_the_wheel():
    import tomllib

    root = Path(__file__).resolve().parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "studio").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages"
