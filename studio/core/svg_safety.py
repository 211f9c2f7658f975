"""SVG results, checked and shown harmlessly: well-formed or flagged, never a script or a fetch.

An SVG is XML an author model wrote: it may be broken, and it is shown inside the app. It is parsed
with defusedxml (no entity expansion, no external entities, no DTD retrieval), and what is shown is a
sanitized copy: no <script>, no <foreignObject>, no event handlers, no references outside the file
(href / xlink:href / url(...) only to '#fragments' or inline raster data), no <!DOCTYPE>. The file
saved is always the bytes received.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_DANGEROUS = {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[A-Za-z_][\w.-]*;")
_SAFE_DATA = ("data:image/png", "data:image/jpeg", "data:image/webp", "data:image/gif")

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


class SvgProblem(ValueError):
    pass


@dataclass(frozen=True)
class SvgInfo:
    width: int | None
    height: int | None
    problem: str | None  # None: well-formed SVG

    @property
    def well_formed(self) -> bool:
        return self.problem is None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(data: bytes) -> ET.Element:
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SvgProblem(f"it declares XML entities or external references ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise SvgProblem(f"it is not well-formed XML ({exc})") from None
    if _local(root.tag) != "svg":
        raise SvgProblem(f"its root element is <{_local(root.tag)}>, not <svg>")
    return root


def _length(value: str | None) -> int | None:
    match = _LENGTH.match(value or "")
    return round(float(match.group(1))) if match else None


def inspect_svg(data: bytes) -> SvgInfo:
    """Its pixel size (width/height, else the viewBox) and whether it is a well-formed, safe-to-parse SVG."""
    try:
        root = _parse(data)
    except SvgProblem as exc:
        return SvgInfo(None, None, str(exc))
    w, h = _length(root.get("width")), _length(root.get("height"))
    if (w is None or h is None) and root.get("viewBox"):
        parts = re.split(r"[\s,]+", root.get("viewBox", "").strip())
        if len(parts) == 4:
            w, h = w or _length(parts[2]), h or _length(parts[3])
    return SvgInfo(w, h, None)


def _safe_ref(value: str) -> bool:
    v = value.strip()
    return v.startswith("#") or v.lower().startswith(_SAFE_DATA)


def sanitize_svg(data: bytes) -> bytes:
    """A copy that is safe to render; raises SvgProblem when nothing safe can be made of it."""
    # A DOCTYPE's internal subset (entity declarations) is dropped, never expanded; so are references to them.
    root = _parse(_ENTITY_REF.sub(b"", _DOCTYPE.sub(b"", data)))
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in _DANGEROUS:
                parent.remove(child)
            elif (
                _local(child.tag) == "style"
                and child.text
                and ("@import" in child.text or _has_external_url(child.text))
            ):
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            local, value = _local(name), element.attrib[name]
            if local.lower().startswith("on"):
                del element.attrib[name]
            elif local in ("href", "src") and not _safe_ref(value):
                del element.attrib[name]
            elif _has_external_url(value):
                del element.attrib[name]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _has_external_url(text: str) -> bool:
    return any(not _safe_ref(target) for target in _URL.findall(text))
