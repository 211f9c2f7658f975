"""Edits through the real SDK to the sandbox (which drifts outside the mask on purpose): the drift
guard, versions of a panel, and what goes over the wire."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image, ImageChops, ImageDraw

from studio.core import mask_ops
from studio.core.errors import ImageInputError
from studio.core.images import inspect_image
from studio.core.request import ImageRequest
from studio.service import edits, library, versions


def _photo(size=(1024, 1024)) -> bytes:
    from studio.sandbox import art

    buf = io.BytesIO()
    art.render("harbour at dawn", 0, *size, transparent=False, salt="t").convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def _painted(size=(1024, 1024), box=(300, 300, 600, 600)) -> Image.Image:
    m = mask_ops.blank(size)
    ImageDraw.Draw(m).ellipse(box, fill=255)
    return m


def _max_diff_outside(a: Image.Image, b: Image.Image, protected: Image.Image) -> int:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    worst = 0
    for band in diff.split():
        worst = max(worst, ImageChops.multiply(band, protected).getextrema()[1])
    return worst


@pytest.mark.parametrize("guard", [True, False])
def test_guard_keeps_the_pixels_outside_the_band(service_factory, run, sandbox, guard):
    service = service_factory()
    source = inspect_image(_photo(), "harbour.png")
    painted = _painted()
    request, notices = edits.build_request(service, "a red lighthouse", source, painted, quality="low")
    out = run(edits.run_edit(service, request, source=source, painted=painted, guard=guard, feather_px=8))
    assert out.ok and len(out.images) == 1
    edited = out.images[0]
    shown = Image.open(edited.path)
    src = Image.open(io.BytesIO(source.data))
    protected = mask_ops.invert(mask_ops.grow(painted, 8))
    outside = _max_diff_outside(src, shown, protected)
    inside = (
        ImageChops.difference(src.convert("RGB"), shown.convert("RGB"))
        .crop((400, 400, 500, 500))
        .getextrema()
    )
    assert max(hi for _, hi in inside) > 40  # the masked region changed
    if guard:
        assert outside <= 2
        assert edited.guarded and edited.path != edited.raw_path
    else:
        assert outside > 2
        assert edited.path == edited.raw_path
    # the drift is measured before the guard, and the sandbox's bleed shows in it
    assert edited.drift is not None and edited.drift.share > 0.001 and edited.drift.worst > 10
    assert Image.open(edited.heatmap_path).mode == "RGBA"
    # the raw result is kept exactly as received
    assert Image.open(edited.raw_path).size == (1024, 1024)


def test_what_goes_over_the_wire(service_factory, run, sandbox):
    service = service_factory()
    source = inspect_image(_photo((1536, 1024)), "wide shot.png")
    ref = inspect_image(_photo((1024, 1024)), "character.png")
    painted = _painted((1536, 1024))
    request, _ = edits.build_request(service, "add a boat", source, painted, references=(ref,), quality="low")
    run(edits.run_edit(service, request, source=source, painted=painted))
    sent = [r for r in sandbox.sandbox.requests if r["path"].endswith("/images/edits")][-1]
    files = sent["files"]
    assert [(f["field"], f["filename"], f["content_type"]) for f in files] == [
        ("image[]", "wide shot.png", "image/png"),
        ("image[]", "character.png", "image/png"),
        ("mask", "mask.png", "image/png"),
    ]
    assert sent["params"]["size"] == "1536x1024" and "input_fidelity" not in sent["params"]
    assert files[2]["sha256"] == hashlib.sha256(request.mask.data).hexdigest()
    mask = Image.open(io.BytesIO(request.mask.data))
    assert mask.mode == "RGBA" and mask.size == (1536, 1024) and len(request.mask.data) < 4 * 1024 * 1024
    alpha = mask.getchannel("A")
    assert alpha.getpixel((450, 450)) == 0 and alpha.getpixel((10, 10)) == 255


def test_panel_versions_and_revert(service_factory, run, tmp_path):
    service = service_factory(is_sandbox=True)
    run(service.submit(ImageRequest(prompt="a quiet street", size="1024x1024", quality="low"), board="Edits"))
    bid = run(service.db.run(library.board_id, "Edits"))
    panel = run(service.db.run(library.panels, bid))[0]
    source = inspect_image(open(panel["path"], "rb").read(), "p.png")
    painted = _painted()
    request, _ = edits.build_request(service, "a cat on the step", source, painted, quality="low")
    out = run(
        edits.run_edit(service, request, source=source, painted=painted, board="Edits", panel_id=panel["id"])
    )
    history = run(service.db.run(versions.history, panel["id"]))
    assert [v["seq"] for v in history] == [1, 2] and history[1]["current"] and history[1]["guarded"]
    assert json.loads(history[1]["drift_json"])["share"] > 0
    now = run(service.db.run(library.panels, bid))
    assert len(now) == 1 and now[0]["path"] == out.images[0].path and now[0]["version"] == 2  # no new panel
    run(service.db.run(versions.set_current, panel["id"], history[0]["id"]))
    assert run(service.db.run(library.panels, bid))[0]["path"] == panel["path"]
    assert len(run(service.db.run(versions.history, panel["id"]))) == 2  # revert keeps history


def test_repeated_edits_do_not_degrade_unmasked_pixels(service_factory, run):
    service = service_factory()
    data = _photo()
    master = Image.open(io.BytesIO(data)).convert("RGB")
    source = inspect_image(data, "m.png")
    boxes = [(100, 100, 300, 300), (600, 600, 800, 800), (100, 600, 300, 800)]
    union = mask_ops.blank((1024, 1024))
    for i, box in enumerate(boxes):
        painted = _painted(box=box)
        union = ImageChops.lighter(union, mask_ops.grow(painted, 8))
        request, _ = edits.build_request(service, f"change {i}", source, painted, quality="low")
        out = run(edits.run_edit(service, request, source=source, painted=painted))
        source = inspect_image(open(out.images[0].path, "rb").read(), "v.png")
    final = Image.open(io.BytesIO(source.data))
    assert _max_diff_outside(master, final, mask_ops.invert(union)) == 0


def test_empty_and_full_masks_are_refused_before_sending(service_factory, sandbox):
    service = service_factory()
    source = inspect_image(_photo(), "s.png")
    before = len(sandbox.sandbox.requests)
    with pytest.raises(ImageInputError, match="empty"):
        edits.build_request(service, "x", source, mask_ops.blank((1024, 1024)))
    with pytest.raises(ImageInputError, match="whole image"):
        edits.build_request(service, "x", source, Image.new("L", (1024, 1024), 255))
    assert len(sandbox.sandbox.requests) == before


def test_the_quote_learns_input_tokens_from_past_edits(service_factory, run):
    service = service_factory()
    source = inspect_image(_photo((1024, 1024)), "s.png")
    painted = _painted()
    request, _ = edits.build_request(service, "a kite", source, painted, quality="low")
    _, before = service.check(request)
    out = run(edits.run_edit(service, request, source=source, painted=painted))
    billed_tokens = out.group.jobs[0].usage["input_tokens_details"]["image_tokens"]
    _, after = service.check(request)
    assert service.learned_tokens["gpt-image-2"]["1024x1024"] == billed_tokens
    assert after.image_input_tokens_estimate == billed_tokens
    assert after.image_input_tokens_max == before.image_input_tokens_max  # the bound never moves
