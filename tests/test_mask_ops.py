"""Pure mask logic (255 = edit here), the API mask format, and the edit preflight."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from studio.core import drift, mask_ops
from studio.core.edit_prep import fit_source, output_size, prepare_edit
from studio.core.errors import ImageInputError
from studio.core.images import inspect_image
from studio.core.registry import load_registry
from studio.core.sizes import Size

SPEC = load_registry().get("gpt-image-2")


def disc(size=(200, 200), centre=(100, 100), r=20) -> Image.Image:
    m = mask_ops.blank(size)
    x, y = centre
    ImageDraw.Draw(m).ellipse((x - r, y - r, x + r, y + r), fill=255)
    return m


def test_grow_and_shrink_move_the_edge_by_n_pixels_roundly():
    m = disc(r=20)
    g = mask_ops.grow(m, 10)
    assert g.getbbox() == (70, 70, 131, 131)
    assert (
        g.getpixel((100 + 20, 100 + 20)) == 255 and g.getpixel((100 + 24, 100 + 24)) == 0
    )  # round, not square
    x0, y0, x1, y1 = mask_ops.shrink(m, 10).getbbox()
    assert (
        abs(x0 - 90) <= 1 and abs(y0 - 90) <= 1 and abs(x1 - 111) <= 1 and abs(y1 - 111) <= 1
    )  # a curved edge: +-1 px


def test_shrink_does_not_erode_at_the_image_border():
    m = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(m).rectangle((0, 0, 49, 99), fill=255)
    assert mask_ops.shrink(m, 5).getbbox() == (0, 0, 45, 100)


def test_invert_feather_fill():
    m = disc()
    assert mask_ops.invert(mask_ops.invert(m)).tobytes() == m.tobytes()
    soft = mask_ops.feather(m, 8)
    assert 0 < soft.getpixel((100, 100 - 21)) < 255 and soft.getpixel((100, 100)) == 255
    ring = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(ring).ellipse((20, 20, 80, 80), outline=255, width=3)
    filled = mask_ops.flood_fill(ring, (50, 50))
    assert filled.getpixel((50, 50)) == 255 and filled.getpixel((5, 5)) == 0


def test_api_mask_is_rgba_png_alpha_zero_where_painted():
    api = mask_ops.to_api_mask(disc(), max_bytes=SPEC.mask_max_bytes)
    im = Image.open(io.BytesIO(api.data))
    assert api.format == "png" and im.mode == "RGBA" and im.size == (200, 200)
    assert im.getchannel("A").getpixel((100, 100)) == 0 and im.getchannel("A").getpixel((0, 0)) == 255
    assert mask_ops.painted_from_api(api).tobytes() == mask_ops.binary(disc()).tobytes()


def test_a_mask_file_of_another_size_is_resampled_not_refused(png_file):
    source = png_file(1024, 1024)
    small = Image.new("RGBA", (256, 256), (0, 0, 0, 255))
    ImageDraw.Draw(small).rectangle((0, 0, 127, 127), fill=(0, 0, 0, 0))
    buf = io.BytesIO()
    small.save(buf, "PNG")
    prepared = prepare_edit(
        (source,), None, SPEC, mask_file=inspect_image(buf.getvalue(), "m.png", role="mask")
    )
    assert prepared.mask.size == Size(1024, 1024)
    assert any("resampled" in n for n in prepared.notices)


def test_bad_masks_are_refused_with_specific_messages(png_file):
    source = png_file(512, 512)
    with pytest.raises(ImageInputError, match="empty"):
        prepare_edit((source,), mask_ops.blank((512, 512)), SPEC)
    with pytest.raises(ImageInputError, match="whole image"):
        prepare_edit((source,), Image.new("L", (512, 512), 255), SPEC)
    rgb = io.BytesIO()
    Image.new("RGB", (512, 512)).save(rgb, "PNG")
    with pytest.raises(ImageInputError, match="no alpha"):
        prepare_edit((source,), None, SPEC, mask_file=inspect_image(rgb.getvalue(), "m.png", role="mask"))
    with pytest.raises(ImageInputError, match="not a readable image"):
        inspect_image(b"\x89PNG\r\n\x1a\n garbage", "broken.png")


def test_output_size_is_the_source_or_the_nearest_valid_with_its_aspect():
    assert output_size(Size(1536, 1024), SPEC) == ("1536x1024", None)
    size, notice = output_size(Size(1600, 1000), SPEC)
    assert size == "1600x1008" and "1600x1000" in notice


def test_a_source_over_the_byte_limit_is_reencoded_with_a_notice(png_file):
    from dataclasses import replace

    tiny_limit = replace(SPEC, max_input_image_bytes=20_000)
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    buf = io.BytesIO()
    noisy.save(buf, "PNG")
    image = inspect_image(buf.getvalue(), "big.png")
    assert len(image.data) > 20_000
    out, notices = fit_source(image, tiny_limit)
    assert len(out.data) < 20_000 and notices and "over the API's" in notices[0]
    gif = io.BytesIO()
    Image.new("RGB", (64, 64)).save(gif, "GIF")
    out, notices = fit_source(inspect_image(gif.getvalue(), "a.gif"), SPEC)
    assert out.format == "png" and "converted to PNG" in notices[0]


def test_drift_is_measured_beyond_the_band_and_the_guard_restores_it():
    src = Image.new("RGB", (200, 200), (100, 100, 100))
    res = Image.new("RGB", (200, 200), (130, 100, 100))  # everything changed by 30 levels
    painted = disc(r=30)
    found, diff = drift.measure(src, res, painted, band_px=8)
    assert found.share == 1.0 and found.worst == 30
    assert diff.getpixel((100, 100)) == 0  # inside the band: not counted
    guarded = drift.guard(src, res, painted, feather_px=8)
    again, _ = drift.measure(src, guarded, painted, band_px=8)
    assert again.worst == 0 and guarded.getpixel((100, 100)) == (130, 100, 100)
    # a result of another size is resampled before comparing
    small = res.resize((100, 100))
    assert drift.measure(src, small, painted)[0].worst == 30
