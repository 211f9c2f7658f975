"""A Responses turn's quote holds as a bound over what the sandbox bills, and its bill splits in two."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studio.core.mainline import load_mainline
from studio.core.request import ImageRequest
from studio.core.turn_pricing import mainline_usd, turn_bill, turn_quote
from studio.core.validation import validate

TOOL = {"type": "image_generation", "model": "gpt-image-2", "size": "1024x1024", "quality": "low"}


def _quote(registry, instruction, *, effort, limit, history=(), resent=()):
    mainline = load_mainline()
    image = validate(ImageRequest(instruction, size="1024x1024", quality="low"), registry)
    spec = mainline.get("gpt-5.4-mini")
    q = turn_quote(
        image, registry, mainline, spec, instruction=instruction, history=list(history), resent=list(resent),
        max_output_tokens=limit, effort=effort,
    )  # fmt: skip
    return q, image, spec


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_the_bound_holds_over_the_sandboxs_bill_for_every_effort(sync_client, registry, effort):
    r = sync_client.responses.create(
        model="gpt-5.4-mini", input="a purple hoodie", tools=[TOOL], max_output_tokens=3000,
        reasoning={"effort": effort},
    ).model_dump()  # fmt: skip
    q, image, spec = _quote(registry, "a purple hoodie", effort=effort, limit=3000)
    bill = turn_bill(r["usage"], r["tool_usage"], spec, image, q, drew=True)
    assert not bill.flags and Decimal(0) < bill.usd <= q.total_usd_max
    assert bill.mainline_usd <= q.mainline_usd_max and bill.image_usd <= q.image.total_usd_max
    assert bill.image_usd == bill.image.usd  # the image part from tool_usage, at the image model's rates


def test_a_second_turn_counts_the_image_it_sends_again(sync_client, registry, png_file):
    first = sync_client.responses.create(model="gpt-5.4-mini", input="a red kite", tools=[TOOL])
    second = sync_client.responses.create(
        model="gpt-5.4-mini", input="make it blue", tools=[TOOL], previous_response_id=first.id,
        max_output_tokens=2000,
    ).model_dump()  # fmt: skip
    q, image, spec = _quote(
        registry,
        "make it blue",
        effort="low",
        limit=2000,
        history=["a red kite"],
        resent=[png_file(1024, 1024).size],
    )
    bill = turn_bill(second["usage"], second["tool_usage"], spec, image, q, drew=True)
    assert bill.usd <= q.total_usd_max
    assert "billed, again every turn" in " ".join(q.notes)


def test_a_missing_tool_usage_is_billed_at_the_image_bound_and_flagged(registry):
    q, image, spec = _quote(registry, "x", effort="low", limit=500)
    usage = {"input_tokens": 300, "input_tokens_details": {"cached_tokens": 100}, "output_tokens": 200}
    bill = turn_bill(usage, None, spec, image, q, drew=True)
    assert bill.image_usd == q.image.total_usd_max and "no tool_usage" in bill.flags[0]
    assert turn_bill(usage, None, spec, image, q, drew=False).image_usd == 0  # text only: the mainline alone


def test_the_mainline_bills_cached_input_and_reasoning_at_their_rates():
    spec = load_mainline().get("gpt-5.4")
    usage = {
        "input_tokens": 1_000_000,
        "input_tokens_details": {"cached_tokens": 400_000},
        "output_tokens": 100_000,
    }
    assert mainline_usd(usage, spec) == Decimal("0.6") * Decimal("2.50") + Decimal("0.4") * Decimal(
        "0.25"
    ) + Decimal("0.1") * Decimal("15.00")
    assert mainline_usd({"input_tokens": 5, "input_tokens_details": {"cached_tokens": 9}}, spec) is None
