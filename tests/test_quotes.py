"""Quotes against OpenAI's published numbers; bills from usage."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from studio.core.pricing import bill_from_usage, format_usd, quote
from studio.core.request import EditRequest, ImageRequest
from studio.core.sizes import parse_size
from studio.core.tokens import output_tokens_per_image
from studio.core.validation import validate

from .registries import revived

# The gpt-image-2 token table of shared/docs/openai-image-api.md section 3 (size: low, medium, high).
GPT_IMAGE_2_TABLE = {
    "1024x1024": (196, 1756, 7024),
    "1536x1024": (158, 1372, 5488),
    "1024x1536": (158, 1372, 5488),
    "1536x864": (120, 1078, 4312),
    "2048x2048": (397, 3568, 14272),
    "2560x1440": (205, 1843, 7370),
    "3840x2160": (371, 3336, 13342),
}
DOC = Path(__file__).resolve().parents[2] / "shared" / "docs" / "openai-image-api.md"


def _q(registry, **kw):
    return quote(validate(ImageRequest(**{"prompt": "a red fox in the snow", **kw}), registry), registry)


@pytest.mark.parametrize("size", GPT_IMAGE_2_TABLE)
def test_quote_matches_every_row_of_the_token_table(registry, size):
    for quality, tokens in zip(("low", "medium", "high"), GPT_IMAGE_2_TABLE[size]):
        q = _q(registry, size=size, quality=quality)
        assert q.output_tokens == tokens and q.output_exact
        assert q.output_usd == Decimal(tokens) * Decimal(30) / Decimal(1_000_000)


def test_our_copy_of_the_table_matches_the_doc():
    if not DOC.exists():
        pytest.skip("shared/docs not beside this checkout")
    rows = re.findall(r"^\| (\d+x\d+)(?: / (\d+x\d+))? \| (\d+) \| (\d+) \| (\d+) \|$", DOC.read_text(), re.M)
    seen = {}
    for a, b, low, med, high in rows:
        for size in filter(None, (a, b)):
            seen[size] = (int(low), int(med), int(high))
    assert seen == GPT_IMAGE_2_TABLE


@pytest.mark.parametrize(
    "quality, size, usd",
    [
        ("low", "1024x1024", "0.006"),
        ("medium", "1024x1024", "0.053"),
        ("high", "1024x1024", "0.211"),
        ("low", "1024x1536", "0.005"),
        ("medium", "1024x1536", "0.041"),
        ("high", "1536x1024", "0.165"),
    ],
)
def test_per_image_prices_of_the_pricing_page(registry, quality, size, usd):
    assert _q(registry, size=size, quality=quality).output_usd.quantize(Decimal("0.001")) == Decimal(usd)


@pytest.mark.parametrize(
    "model, quality, size, usd",
    [
        ("gpt-image-1.5", "low", "1024x1024", "0.009"),
        ("gpt-image-1.5", "high", "1024x1536", "0.200"),
        ("gpt-image-1.5", "medium", "1536x1024", "0.050"),
    ],
)
def test_older_model_tables(model, quality, size, usd):
    q = _q(
        revived(model), model=model, size=size, quality=quality
    )  # shut down 2026-12-01; its table is still data
    assert q.output_usd.quantize(Decimal("0.001")) == Decimal(usd)


def test_n_and_partial_images_multiply(registry):
    one = _q(registry, size="1024x1024", quality="medium")
    ten = _q(registry, size="1024x1024", quality="medium", n=10)
    assert ten.output_tokens == 10 * one.output_tokens == 17560
    streamed = _q(registry, size="1024x1024", quality="medium", n=2, stream=True, partial_images=3)
    assert streamed.output_tokens == 2 * (1756 + 3 * 100)


def test_auto_is_quoted_at_the_dearest_choice(registry):
    q = _q(registry, size="auto", quality="auto")
    assert q.output_tokens == 7024 and not q.output_exact and q.notes


def test_text_bounds_and_money_types(registry):
    q = _q(registry, size="1024x1024", quality="low")
    assert 0 < q.text_tokens_estimate <= q.text_tokens_max
    assert q.text_tokens_max >= len(b"a red fox in the snow")
    for value in (q.output_usd, q.input_usd_estimate, q.input_usd_max, q.total_usd_estimate, q.total_usd_max):
        assert isinstance(value, Decimal)
    assert q.total_usd_max >= q.total_usd_estimate
    emoji = _q(registry, prompt="🦊" * 50, size="1024x1024", quality="low")
    assert emoji.text_tokens_max >= 200  # 4 UTF-8 bytes each


def test_edit_quote_counts_every_input_image_and_the_mask_in_the_bound(registry, png_file):
    img = png_file(1024, 1024)
    req = EditRequest(prompt="add a hat", size="1024x1024", quality="low", images=(img, img), mask=None)
    q = quote(validate(req, registry), registry)
    assert q.image_input_tokens_estimate == 2 * 1024
    assert q.image_input_tokens_max >= 2 * 7776
    learned = quote(validate(req, registry), registry, learned_image_tokens={"1024x1024": 900})
    assert (
        learned.image_input_tokens_estimate == 1800
        and learned.image_input_tokens_max == q.image_input_tokens_max
    )


def test_batch_prices_halve_output(registry):
    c = validate(ImageRequest(prompt="x", size="1024x1024", quality="high"), registry)
    assert quote(c, registry, batch=True).output_usd * 2 == quote(c, registry).output_usd


def test_bill_from_usage(registry):
    spec = registry.get("gpt-image-2")
    usage = {
        "input_tokens": 50,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
        "output_tokens": 1756,
        "output_tokens_details": {"image_tokens": 1756, "text_tokens": 0},
        "total_tokens": 1806,
    }
    bill = bill_from_usage(usage, spec)
    assert bill.usd == Decimal(10 * 5 + 40 * 8 + 1756 * 30) / Decimal(1_000_000)
    streamed = dict(usage)
    del streamed["output_tokens_details"]  # streamed completed events omit it
    assert bill_from_usage(streamed, spec).usd == bill.usd
    assert bill_from_usage(None, spec) is None


def test_bill_includes_text_output_of_gpt_image_1_5(registry):
    usage = {
        "input_tokens": 0,
        "input_tokens_details": {"text_tokens": 0, "image_tokens": 0},
        "output_tokens": 1100,
        "output_tokens_details": {"image_tokens": 1000, "text_tokens": 100},
        "total_tokens": 1100,
    }
    bill = bill_from_usage(usage, registry.get("gpt-image-1.5"))
    assert bill.usd == Decimal(1000 * 32 + 100 * 10) / Decimal(1_000_000)


def test_quote_never_understates_the_formula(registry):
    spec = registry.get("gpt-image-2")
    for size in ("1024x1024", "1536x1024", "1024x1536"):
        for quality in ("low", "medium", "high"):
            assert _q(registry, size="auto", quality="auto").output_tokens >= output_tokens_per_image(
                spec, parse_size(size), quality
            )


def test_format_usd_rounds_up():
    assert format_usd(Decimal("0.05268")) == "$0.0527"
    assert format_usd(Decimal("0.00001")) == "$0.0001"
