"""Refining a panel in conversation through the Responses route: the real SDK (streamed) against the
sandbox, a three-turn conversation continued by previous_response_id, each turn a new version of the
panel, the bill from both usages within the bound, the transparency refusal, a restart."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.request import ImageRequest
from studio.core.responses_body import TurnSettings
from studio.core.sizes import Size
from studio.service.api import Studio

SETTINGS = TurnSettings("gpt-5.4-mini", "gpt-image-2", "low", max_output_tokens=3000)
PARAMS = {"size": "1024x1024", "quality": "low"}


@pytest.fixture
def panel(sandbox, service_factory, run):
    api = Studio.around(service_factory())
    outcome = run(
        api.images.submit(ImageRequest("a woman in a grey hoodie", **PARAMS), Placement.end("Refine"))
    )
    board = run(api.boards.id_of("Refine"))
    [row] = run(api.boards.panels(board))
    assert outcome.jobs[0].state.value == "saved"
    return api, row["id"]


def test_three_turns_continue_one_conversation_and_each_is_the_panels_next_version(panel, run, sandbox):
    api, panel_id = panel
    outcomes = [
        run(api.refine(text, SETTINGS, PARAMS, panel_id=panel_id))
        for text in ("make the hoodie purple", "move her to the left", "warmer light, keep everything else")
    ]
    assert [o.state.value for o in outcomes] == ["saved"] * 3
    conversation, turns = run(api.conversation(panel_id))
    assert [t["previous_response_id"] for t in turns] == [
        None,
        outcomes[0].response_id,
        outcomes[1].response_id,
    ]
    assert conversation["last_response_id"] == outcomes[2].response_id
    sent = [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/responses"]
    assert [r["params"].get("previous_response_id") for r in sent] == [None, outcomes[0].response_id,
                                                                        outcomes[1].response_id]  # fmt: skip
    assert all(r["params"]["max_output_tokens"] == 3000 for r in sent)  # the bound is real: always sent
    assert all(r["params"]["tools"][0]["model"] == "gpt-image-2" for r in sent)  # the image model, explicit
    versions = run(api.boards.versions(panel_id))
    assert [v["kind"] for v in versions] == ["original", "refine", "refine", "refine"]
    assert versions[-1]["path"] == outcomes[2].files[0]


def test_the_bill_is_both_usages_at_their_rates_and_within_the_bound(panel, run):
    api, panel_id = panel
    o = run(api.refine("make the hoodie purple", SETTINGS, PARAMS, panel_id=panel_id))
    assert o.mainline_usd > 0 and o.image_usd > 0 and o.billed_usd == o.mainline_usd + o.image_usd
    assert o.billed_usd <= o.quote.total_usd_max
    assert o.usage["output_tokens"] <= 3000 and o.tool_usage["image_gen"]["output_tokens"] > 0
    [job] = [j for j in run(api.jobs.rows(limit=10)) if j["id"] == o.job_id]
    assert Decimal(job["billed_usd"]) == o.billed_usd and job["kind"] == "refine"
    sidecar = json.loads(open(o.files[0] + ".json", encoding="utf-8").read())
    assert sidecar["mainline_usd"] == str(o.mainline_usd) and sidecar["image_usd"] == str(o.image_usd)
    assert sidecar["response_id"] == o.response_id


def test_a_transparent_background_on_gpt_image_2_is_refused_before_sending(panel, run, sandbox):
    api, panel_id = panel
    before = len(sandbox.sandbox.requests)
    with pytest.raises(RefusedError, match="Images API"):
        run(api.refine("cut her out", SETTINGS, {**PARAMS, "background": "transparent"}, panel_id=panel_id))
    assert len(sandbox.sandbox.requests) == before  # nothing sent


def test_moderation_in_the_call_item_is_explained_and_billed_as_its_usages_say(panel, run, sandbox):
    api, panel_id = panel
    sandbox.sandbox.config.faults.push("responses/moderation_input")
    o = run(api.refine("make it gory", SETTINGS, PARAMS, panel_id=panel_id))
    assert o.state.value == "failed" and "safety system (input stage)" in o.message
    assert o.mainline_usd > 0 and o.image_usd == o.quote.image.total_usd_max  # no tool_usage: its bound
    sandbox.sandbox.config.faults.push("responses/moderation_output")
    o = run(api.refine("make it gory", SETTINGS, PARAMS, panel_id=panel_id))
    assert (
        "output stage" in o.message and 0 < o.image_usd < o.quote.image.total_usd_max
    )  # drawn, then blocked
    sandbox.sandbox.config.faults.push("responses/no_image")
    o = run(api.refine("what do you see?", SETTINGS, PARAMS, panel_id=panel_id))
    assert o.text and o.image_usd == 0 and o.billed_usd == o.mainline_usd  # text only: the mainline alone


def test_a_restart_continues_the_conversation(sandbox, service_factory, run, panel):
    api, panel_id = panel
    first = run(api.refine("make the hoodie purple", SETTINGS, PARAMS, panel_id=panel_id))
    run(api.images.close())
    again = Studio.around(service_factory())
    second = run(again.refine("now green", SETTINGS, PARAMS, panel_id=panel_id))
    _, turns = run(again.conversation(panel_id))
    assert turns[-1]["previous_response_id"] == first.response_id and second.state.value == "saved"


def test_a_later_turn_is_quoted_with_every_image_the_conversation_carries(panel, run):
    """OpenAI re-reads the start image and every turn's image each turn: both parts of the bound count
    them (a quote that counted only the last image would under-state the third turn)."""
    api, panel_id = panel
    from studio.core.tokens import max_input_image_tokens

    rules = api.images.registry.get("gpt-image-2").input_image_tokens
    per_image = max_input_image_tokens(rules, Size(1024, 1024))
    first = run(api.quote_turn("make the hoodie purple", SETTINGS, PARAMS, panel_id=panel_id))
    for text in ("make the hoodie purple", "move her to the left"):
        done = run(api.refine(text, SETTINGS, PARAMS, panel_id=panel_id))
        assert done.billed_usd <= done.quote.total_usd_max
    third = run(api.quote_turn("warmer light", SETTINGS, PARAMS, panel_id=panel_id))
    # the start image and two turns' images, against the first turn's one (its start image)
    assert third.mainline_in_tokens_max - first.mainline_in_tokens_max >= 2 * per_image
    image_prices = api.images.registry.get("gpt-image-2").prices
    # and the image model is quoted for reading all three again
    assert third.image.input_usd_max >= Decimal(3 * per_image) * image_prices.image_in / 1_000_000
    o = run(api.refine("warmer light", SETTINGS, PARAMS, panel_id=panel_id))
    assert o.quote.total_usd_max == third.total_usd_max and o.billed_usd <= o.quote.total_usd_max


def test_a_fork_goes_on_from_its_turn_and_is_quoted_with_that_history(panel, run, sandbox):
    api, panel_id = panel
    a = run(api.refine("make the hoodie purple", SETTINGS, PARAMS, panel_id=panel_id))
    run(api.refine("add a red scarf", SETTINGS, PARAMS, panel_id=panel_id))
    run(api.refine("add a hat", SETTINGS, PARAMS, panel_id=panel_id))
    before = run(api.quote_turn("x", SETTINGS, PARAMS, panel_id=panel_id))
    fork_id = run(api.fork_conversation(a.conversation_id, 1))
    conversation, turns = run(api.conversation(panel_id))
    assert conversation["id"] == fork_id and [t["inherited"] for t in turns] == [True]
    forked = run(api.quote_turn("x", SETTINGS, PARAMS, panel_id=panel_id))
    assert forked.mainline_in_tokens_max < before.mainline_in_tokens_max  # two turns fewer to re-read
    o = run(api.refine("a green scarf instead", SETTINGS, PARAMS, panel_id=panel_id))
    sent = [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/responses"]
    assert sent[-1]["params"]["previous_response_id"] == a.response_id and o.state.value == "saved"
    with pytest.raises(RefusedError, match="no answer"):
        run(api.fork_conversation(fork_id, 7))


def test_a_drop_mid_turn_is_outcome_unknown_and_the_conversation_goes_on(panel, run, sandbox):
    api, panel_id = panel
    first = run(api.refine("make the hoodie purple", SETTINGS, PARAMS, panel_id=panel_id))
    sandbox.sandbox.config.faults.push("responses/drop")
    dropped = run(api.refine("add a scarf", SETTINGS, PARAMS, panel_id=panel_id))
    assert dropped.state.value == "unknown" and "dropped" in dropped.message
    again = run(api.refine("add a scarf", SETTINGS, PARAMS, panel_id=panel_id))
    sent = [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/responses"]
    assert sent[-1]["params"]["previous_response_id"] == first.response_id and again.state.value == "saved"


def test_a_large_start_image_goes_up_once_as_a_file_and_the_turn_refers_to_it(service_factory, run, sandbox,
                                                                               tmp_path):  # fmt: skip
    """A 4K PNG inline would be ~27 MB of JSON to build and send: over 1 MB an input image is uploaded
    through the Files API and the turn names its file_id (a small one stays inline)."""
    from PIL import Image

    big = tmp_path / "grain.png"
    Image.effect_noise((2048, 1536), 60).convert("RGB").save(big)
    assert big.stat().st_size > 1 << 20
    api = Studio.around(service_factory())
    o = run(api.refine("warmer light", SETTINGS, {"size": "1536x1024", "quality": "low"}, source=big))
    assert o.state.value == "saved", o.message
    sent = [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/responses"][-1]
    uploads = [f for f in sandbox.sandbox.files.files.values() if f.purpose == "vision"]
    assert len(uploads) == 1 and uploads[0].path.read_bytes() == big.read_bytes()
    again = run(api.refine("and a bit brighter", SETTINGS, {"size": "1536x1024", "quality": "low"},
                           conversation_id=o.conversation_id))  # fmt: skip
    assert again.state.value == "saved"  # later turns go on from the response: nothing uploaded again
    assert len([f for f in sandbox.sandbox.files.files.values() if f.purpose == "vision"]) == 1
    assert sent["input_images"] == [uploads[0].id]
