"""Every refusal names the parameter, the value and the rule; nothing invalid is ever sent."""

import pytest

from studio.core.errors import ImageInputError, ValidationError
from studio.core.request import NEVER_SENT, EditRequest, ImageRequest
from studio.core.validation import validate

from .registries import revived


def _v(registry, **kw):
    return validate(ImageRequest(**{"prompt": "a fox", **kw}), registry)


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({"prompt": "   "}, "prompt: must not be empty"),
        ({"prompt": "x" * 32_001}, "prompt (32,001 characters): must be at most 32,000 characters"),
        ({"n": 0}, "n 0: must be a whole number from 1 to 10"),
        ({"n": 11}, "n 11: must be a whole number from 1 to 10"),
        ({"quality": "hd"}, "quality hd: is a DALL·E value; GPT image models take low, medium, high or auto"),
        ({"quality": "standard"}, "quality standard: is a DALL·E value"),
        ({"quality": "ultra"}, "quality ultra: gpt-image-2 takes low, medium, high, auto"),
        (
            {"background": "transparent", "output_format": "jpeg"},
            "background transparent: needs output_format png or webp (not jpeg)",
        ),
        (
            {"output_compression": 80},
            "output_compression 80: applies only to jpeg or webp output (output_format is png)",
        ),
        (
            {"output_format": "jpeg", "output_compression": 101},
            "output_compression 101: must be a whole number from 0 to 100",
        ),
        (
            {"output_format": "gif"},
            "output_format gif: gpt-image-2 cannot make animated GIFs (gpt-image-2.6 models can)",
        ),
        ({"moderation": "off"}, "moderation off: gpt-image-2 takes auto, low"),
        ({"stream": True, "partial_images": 4}, "partial_images 4: must be from 0 to 3"),
        ({"partial_images": 2}, "partial_images 2: needs stream=true"),
        (
            {"size": "1000x1000"},
            "size 1000x1000: both edges must be multiples of 16 (1008x1008 is the nearest valid size)",
        ),
        ({"model": "dall-e-3"}, "model dall-e-3: was retired on 2026-05-12"),
    ],
)
def test_refusals_are_specific(registry, kw, expected):
    with pytest.raises(ValidationError) as err:
        _v(registry, **kw)
    assert expected in str(err.value)


def test_transparent_on_gpt_image_2_is_a_preview_warning(registry):
    checked = _v(registry, background="transparent", output_format="png")
    assert any("preview" in w for w in checked.warnings)


def test_api_params_never_carry_rejected_parameters_and_always_name_the_model(registry):
    checked = _v(
        registry,
        size="1536x1024",
        quality="high",
        n=3,
        output_format="webp",
        output_compression=70,
        moderation="low",
        stream=True,
        partial_images=2,
    )
    params = checked.api_params()
    assert params["model"] == "gpt-image-2" and not NEVER_SENT & params.keys()
    assert params == {
        "model": "gpt-image-2",
        "prompt": "a fox",
        "n": 3,
        "size": "1536x1024",
        "quality": "high",
        "background": "auto",
        "output_format": "webp",
        "output_compression": 70,
        "moderation": "low",
        "stream": True,
        "partial_images": 2,
    }


def test_edit_params_send_tuples_and_omit_input_fidelity_for_gpt_image_2(registry, png_file):
    img, ref = png_file(1024, 1024, name="a.png"), png_file(1024, 1024, name="b.png")
    mask = png_file(1024, 1024, mode="RGBA", name="m.png")
    req = EditRequest(prompt="hat", images=(img, ref), mask=mask, input_fidelity="high", moderation="low")
    checked = validate(req, registry)
    params = checked.api_params()
    assert "input_fidelity" not in params and any("input_fidelity" in w for w in checked.warnings)
    assert params["image"] == [("a.png", img.data, "image/png"), ("b.png", ref.data, "image/png")]
    assert params["mask"] == ("m.png", mask.data, "image/png")
    assert params["extra_body"] == {"moderation": "low"}
    older = validate(
        EditRequest(prompt="hat", model="gpt-image-1.5", images=(img,), input_fidelity="high"),
        revived("gpt-image-1.5"),
    )
    assert older.api_params()["input_fidelity"] == "high" and older.api_params()["image"] == (
        "a.png",
        img.data,
        "image/png",
    )


def test_edit_input_checks(registry, png_file):
    img = png_file(1024, 1024)
    with pytest.raises(ImageInputError, match="at least one input image"):
        validate(EditRequest(prompt="x", images=()), registry)
    with pytest.raises(ImageInputError, match="at most 16 input images"):
        validate(EditRequest(prompt="x", images=(img,) * 17), registry)
    with pytest.raises(ImageInputError, match="it must match the first image's 1024x1024"):
        validate(EditRequest(prompt="x", images=(img,), mask=png_file(512, 512, mode="RGBA")), registry)
    with pytest.raises(ImageInputError, match="must be a PNG"):
        validate(
            EditRequest(prompt="x", images=(img,), mask=png_file(1024, 1024, fmt="JPEG", name="m.jpg")),
            registry,
        )


def test_snapshot_has_no_image_bytes(registry, png_file):
    req = EditRequest(prompt="x", images=(png_file(1024, 1024),))
    snap = req.snapshot()
    assert snap["endpoint"] == "edit" and snap["images"][0]["size"] == "1024x1024"
    assert all(not isinstance(v, bytes) for v in snap.values())
