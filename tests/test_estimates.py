"""Quotes for models without a published token formula: estimates that learn from bills, bounds that hold."""

from decimal import Decimal

import pytest

from studio.core.pricing import Learned, bill_from_usage, calibration_key, quote
from studio.core.request import ImageRequest
from studio.core.sizes import parse_size
from studio.core.tokens import output_token_range
from studio.core.validation import validate

# ComfyUI's 2.5 price badge as tokens ($ / $30 per 1M) [T], shared/docs/openai-image-models-2026-12.md 4.2.
COMFY_25 = {
    "low": (280, 227, 567, 223, 530),
    "medium": (627, 490, 1277, 523, 1237),
    "high": (2510, 1963, 5103, 2020, 4770),
    "xhigh": (4463, 3517, 9070, 3590, 8480),
    "max": (10043, 7847, 20410, 8080, 19080),
}
SIZES = ("1024x1024", "1536x1024", "2048x2048", "2048x1152", "3840x2160")


def _q(registry, learned=None, **kw):
    checked = validate(
        ImageRequest(
            **{
                "prompt": "a fox",
                "model": "gpt-image-2.6-sunburst",
                "size": "1024x1024",
                "quality": "high",
                **kw,
            }
        ),
        registry,
    )
    return quote(checked, registry, learned_output=learned)


@pytest.mark.parametrize("quality", list(COMFY_25))
def test_the_2_5_estimate_reproduces_the_third_party_table_and_the_bound_covers_it(registry, quality):
    spec = registry.get("gpt-image-2.5-sunburst")
    for size, tokens in zip(SIZES, COMFY_25[quality]):
        estimate, bound = output_token_range(spec, parse_size(size), quality)
        assert abs(estimate - tokens) / tokens < 0.04 and bound >= tokens * 1.5


def test_the_2_6_bound_covers_every_reported_measurement(registry):
    spec = registry.get("gpt-image-2.6-flare")
    for size, quality, measured in [
        ("1536x1024", "low", 664),
        ("1536x1024", "high", 1353),
        ("3840x2160", "high", 3337),
    ]:
        estimate, bound = output_token_range(spec, parse_size(size), quality)
        assert abs(estimate - measured) / measured < 0.02 and bound > measured
    # Flare with quality omitted reached ~5,800 tokens at 1024x1024: auto is quoted at the dearest tier
    assert _q(registry, model="gpt-image-2.6-flare", quality="auto").output_tokens_max > 5800


def test_quote_kind_exact_or_estimate(registry):
    exact = quote(validate(ImageRequest(prompt="x", size="1024x1024", quality="low"), registry), registry)
    assert exact.kind == "exact" and exact.output_tokens == exact.output_tokens_max == 196
    assert exact.to_json()["kind"] == "exact"
    est = _q(registry)
    assert (
        est.kind == "estimate"
        and est.output_tokens < est.output_tokens_max
        and est.total_usd_estimate < est.total_usd_max
    )
    assert not est.output_exact and any("no published token formula" in n for n in est.notes)


def test_estimates_follow_bills_and_the_bound_never_falls_below_the_largest_bill(registry):
    key = calibration_key("gpt-image-2.6-sunburst", parse_size("1024x1024"), "high", None, "png")
    base = _q(registry)
    learned = {key: Learned(median=3000, largest=4200, bills=5)}
    q = _q(registry, learned)
    assert q.output_tokens_per_image == 3000 and q.calibrated_from == 5
    assert q.output_tokens_max >= 4200 * Decimal("1.25") and q.output_tokens_max >= base.output_tokens_max
    small = _q(registry, {key: Learned(median=900, largest=1000, bills=3)})
    assert (
        small.output_tokens_per_image == 900 and small.output_tokens_max == base.output_tokens_max
    )  # data bound kept
    other = _q(registry, learned, complexity="low")  # another kind of request: not calibrated by these bills
    assert other.calibrated_from == 0


def test_gif_is_quoted_as_one_sheet(registry):
    gif = _q(registry, output_format="gif", size="512x512", frame_count=9, quality="low")
    sheet = _q(registry, size="1536x1536", quality="low")  # 3x3 sheet of 512x512 frames
    assert gif.output_tokens == sheet.output_tokens and any("1536x1536" in n for n in gif.notes)


def test_svg_quote_and_bill_include_the_author(registry):
    q = _q(registry, output_format="svg", svg_author="gpt-5.4-mini")
    plain = _q(registry)
    assert q.svg.priced_as == "gpt-5.4-mini" and q.total_usd_max == plain.total_usd_max + q.svg.usd_max
    default = _q(registry, output_format="svg")
    assert default.svg.priced_as == "gpt-5.5" and any("dearest listed" in n for n in default.notes)
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        "output_tokens": 1000,
        "output_tokens_details": {"image_tokens": 1000, "text_tokens": 0},
        "total_tokens": 1010,
    }
    spec = registry.get("gpt-image-2.6-sunburst")
    image_only = bill_from_usage(usage, spec, registry=registry)
    svg_usage = {
        "model": "gpt-5.4-mini",
        "input_tokens": 1572,
        "output_tokens": 1437,
        "reasoning_tokens": 994,
        "total_tokens": 3009,
    }
    bill = bill_from_usage(usage, spec, svg_usage=svg_usage, registry=registry)
    author = (Decimal(1572) * Decimal("0.75") + Decimal(1437) * Decimal("4.50")) / Decimal(1_000_000)
    assert bill.svg_usd == author and bill.usd == image_only.usd + author and not bill.flags
    unknown = bill_from_usage(
        usage, spec, svg_usage={**svg_usage, "model": "gpt-9-secret"}, registry=registry
    )
    assert unknown.svg_usd == (Decimal(1572) * 5 + Decimal(1437) * 30) / Decimal(1_000_000)
    assert "gpt-9-secret has no listed price" in unknown.flags[0]
    broken = bill_from_usage(
        usage, spec, svg_usage={"model": "gpt-5.4", "input_tokens": "many"}, registry=registry
    )
    assert broken.svg_usd == default.svg.usd_max and "unreadable" in broken.flags[0]
