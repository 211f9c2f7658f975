"""gpt-image-2.5 / 2.6 as data: what each accepts, what is refused before sending, what is sent."""

import io

import pytest
from PIL import Image

from studio.core.errors import ImageInputError, ValidationError
from studio.core.images import inspect_image
from studio.core.registry import Lifecycle
from studio.core.request import EditRequest, ImageRequest
from studio.core.validation import validate

S26, F26, S25 = "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst"


def _v(registry, **kw):
    return validate(ImageRequest(**{"prompt": "a fox", "model": S26, "size": "1024x1024", **kw}), registry)


def test_the_new_models_and_snapshots_are_there_and_active(registry):
    for model in (
        S26,
        F26,
        S25,
        "gpt-image-2.5-flare",
        "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.5-flare-2026-09-08",
    ):
        assert registry.get(model).lifecycle() is Lifecycle.ACTIVE


def test_picker_orders_by_what_to_pick_and_says_why(registry):
    picked = [m.id for m in registry.picker_models()]
    assert picked[:2] == [S26, F26]
    assert picked.index("gpt-image-2.5-sunburst-2026-09-08") < picked.index(
        "gpt-image-2.5-sunburst"
    )  # pinned first
    assert (
        picked.index("gpt-image-2.5-flare")
        < picked.index("gpt-image-2-2026-04-21")
        < picked.index("gpt-image-2")
    )
    assert (
        "gpt-image-1.5" not in picked
        and "chatgpt-image-latest" not in picked
        and "gpt-image-1-mini" not in picked
    )
    assert "exact quotes" in registry.get("gpt-image-2").pick_why
    assert "reproducible" in registry.get("gpt-image-2.5-flare-2026-09-08").pick_why


def test_shut_down_models_name_openais_replacements(registry):
    with pytest.raises(ValidationError) as err:
        validate(ImageRequest(prompt="x", model="gpt-image-1.5"), registry)
    assert "shut down on 2026-12-01" in str(
        err.value
    ) and "gpt-image-2.6-sunburst or gpt-image-2.6-flare" in str(err.value)
    assert registry.replacements("gpt-image-1") == ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare")


def test_grades_tell_documented_from_reported(registry):
    s26, s25 = registry.get(S26), registry.get(S25)
    assert s26.grade("qualities.xhigh") == "T" and s25.grade("qualities.xhigh") == "P"
    assert s26.grade("complexities") == "P" and s26.grade("batch") == "U" and s25.grade("batch") == "T"
    assert s26.grade("prices.image_out") == "P" and registry.get(F26).grade("prices.image_out") == "T"
    assert s26.batch == "unknown" and s25.batch == "yes" and registry.get("gpt-image-2").batch == "yes"
    assert not s26.exact_quotes and registry.get("gpt-image-2").exact_quotes


@pytest.mark.parametrize(
    "kw, expected",
    [
        (
            {"model": "gpt-image-2", "complexity": "low"},
            "complexity low: gpt-image-2 has no complexity control",
        ),
        ({"model": S25, "complexity": "high"}, "gpt-image-2.5-sunburst has no complexity control"),
        ({"complexity": "extreme"}, "complexity extreme: gpt-image-2.6-sunburst takes low, medium, high"),
        ({"model": "gpt-image-2", "quality": "max"}, "quality max: is not offered by gpt-image-2"),
        ({"model": S25, "output_format": "gif"}, "gpt-image-2.5-sunburst cannot make animated GIFs"),
        ({"output_format": "svg", "n": 2}, "n 2: SVG output makes 1 image per call (n must be 1)"),
        ({"output_format": "svg", "stream": True, "partial_images": 1}, "SVG output cannot be streamed"),
        (
            {"output_format": "gif", "size": "512x512", "frame_count": 20},
            "frame_count 20: must be a whole number from 2 to 16",
        ),
        (
            {"output_format": "gif", "size": "512x512", "frame_duration_ms": 10},
            "frame_duration_ms 10: must be from 20",
        ),
        (
            {"output_format": "gif", "size": "512x512", "stream": True, "partial_images": 2},
            "GIF output cannot be streamed",
        ),
        (
            {"output_format": "gif", "size": "1024x1024", "frame_count": 6},
            "6 frames of 1024x1024 make a 4x2 sheet of 4096x2048",
        ),
        (
            {"output_format": "gif", "size": "1024x1024", "frame_count": 6},
            "the largest square frame is 960x960",
        ),
        ({"output_format": "gif", "size": "832x832", "frame_count": 16}, "sheet may have at most 8,294,400"),
        ({"output_format": "gif", "size": "auto"}, "a GIF needs an explicit frame size"),
        (
            {"output_format": "gif", "size": "1024x1024"},
            "9 frames of 1024x1024 make a 3x3 sheet of 3072x3072",
        ),
        ({"frame_count": 4}, "frame_count 4: applies only to output_format gif"),
        ({"output_format": "svg", "svg_effort": "high"}, "needs an SVG author model"),
        (
            {"output_format": "svg", "svg_author": "gpt-5.4", "svg_effort": "huge"},
            "svg_effort huge: takes none, minimal",
        ),
        ({"svg_author": "gpt-5.4"}, "applies only to output_format svg"),
    ],
)
def test_refusals_name_the_conflict(registry, kw, expected):
    with pytest.raises(ValidationError) as err:
        _v(registry, **kw)
    assert expected in str(err.value)


def test_sent_parameters(registry):
    assert "complexity" not in _v(registry).api_params()  # unset: the model's default, nothing sent
    assert _v(registry, complexity="low").api_params()["complexity"] == "low"
    gif = _v(registry, output_format="gif", size="512x512", frame_duration_ms=125).api_params()
    assert gif["frame_count"] == 9 and gif["frame_duration_ms"] == 130 and "stream" not in gif
    warn = _v(registry, output_format="gif", size="512x512", frame_duration_ms=125).warnings
    assert any("sent as 130 ms" in w for w in warn)
    svg = _v(registry, output_format="svg").api_params()
    assert "svg" not in svg  # no model selection: the object is omitted
    svg = _v(registry, output_format="svg", svg_author="gpt-5.4-mini", svg_effort="low").api_params()
    assert svg["svg"] == {"model": "gpt-5.4-mini", "reasoning": {"effort": "low"}}
    xhigh = _v(registry, quality="xhigh")
    assert xhigh.api_params()["quality"] == "xhigh" and any(
        "reported by third parties" in w for w in xhigh.warnings
    )
    assert not any("third parties" in w for w in _v(registry, model=S25, quality="xhigh").warnings)


def _png(size, *, alpha=None, exif_orientation=None, name="a.png"):
    buf = io.BytesIO()
    img = Image.new(
        "RGBA" if alpha is not None else "RGB", size, (200, 30, 30, alpha) if alpha is not None else (9, 9, 9)
    )
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        img.convert("RGB").save(buf, "JPEG", exif=exif)
        return inspect_image(buf.getvalue(), name.replace(".png", ".jpg"))
    img.save(buf, "PNG")
    return inspect_image(buf.getvalue(), name)


def test_markup_rules(registry):
    src = _png((1024, 768))
    markup = _png((1024, 768), alpha=0, name="markup.png")
    edit = EditRequest(prompt="move the title up", model=S26, images=(src,), markup=markup, size="1024x768")
    checked = validate(edit, registry)
    assert checked.api_params()["markup"][0] == "markup.png" and "mask" not in checked.api_params()
    assert any("may change anything" in w for w in checked.warnings)
    mask = _png((1024, 768), alpha=0, name="mask.png")
    for bad, message in [
        (dict(mask=mask), "cannot be combined with a mask"),
        (dict(markup=_png((512, 512), alpha=0)), "it must be exactly the first image's 1024x768"),
        (dict(markup=_png((1024, 768))), "has no transparent pixels"),
        (dict(markup=_png((1024, 768), alpha=255)), "has no transparent pixels"),
        (dict(model="gpt-image-2"), "gpt-image-2 takes no markup"),
    ]:
        with pytest.raises(ImageInputError, match=message):
            validate(edit.with_changes(**bad), registry)
    rotated = _png((1024, 768), exif_orientation=6)  # shown as 768x1024
    with pytest.raises(ImageInputError, match="first image's 768x1024"):
        validate(edit.with_changes(images=(rotated,)), registry)
    assert validate(edit.with_changes(images=(rotated,), markup=_png((768, 1024), alpha=0)), registry)
