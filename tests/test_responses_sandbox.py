"""The sandbox's Responses API with the image_generation tool, through the real SDK over real HTTP."""

from __future__ import annotations

import base64
import io

import openai
import pytest
from PIL import Image

TOOL = {"type": "image_generation", "model": "gpt-image-2", "size": "1024x1024", "quality": "low"}


def _items(response, kind):
    return [o for o in response.output if o.type == kind]


def test_a_turn_answers_with_reasoning_an_image_and_a_message_and_both_usages(sync_client):
    r = sync_client.responses.create(
        model="gpt-5.4-mini", input="a purple hoodie", tools=[TOOL], max_output_tokens=4000,
        reasoning={"effort": "medium"},
    )  # fmt: skip
    assert [o.type for o in r.output] == ["reasoning", "image_generation_call", "message"]
    [call] = _items(r, "image_generation_call")
    assert call.status == "completed" and call.size == "1024x1024" and call.revised_prompt
    assert Image.open(io.BytesIO(base64.b64decode(call.result))).size == (1024, 1024)
    assert r.usage.output_tokens_details.reasoning_tokens > 0  # "thinking" is billed as output
    assert r.usage.output_tokens <= 4000
    image = r.tool_usage.image_gen
    assert image.output_tokens > 0 and image.input_tokens_details.text_tokens > 0


def test_max_output_tokens_bounds_the_mainlines_output(sync_client):
    r = sync_client.responses.create(
        model="gpt-5.5", input="a kite", tools=[TOOL], max_output_tokens=64, reasoning={"effort": "high"}
    )
    assert r.usage.output_tokens <= 64


def test_a_conversation_continues_from_its_previous_response_and_pays_its_history_again(sync_client):
    first = sync_client.responses.create(model="gpt-5.4-mini", input="a red kite", tools=[TOOL])
    second = sync_client.responses.create(
        model="gpt-5.4-mini", input="make it blue", tools=[TOOL], previous_response_id=first.id
    )
    assert second.previous_response_id == first.id
    [call] = _items(second, "image_generation_call")
    assert call.action == "edit"  # it went on from the image the first turn made
    assert second.tool_usage.image_gen.input_tokens_details.image_tokens > 0
    assert second.usage.input_tokens > first.usage.input_tokens  # the history is sent (and billed) again
    with pytest.raises(openai.BadRequestError, match="Previous response with id 'resp_gone' not found"):
        sync_client.responses.create(
            model="gpt-5.4-mini", input="x", tools=[TOOL], previous_response_id="resp_gone"
        )


def test_streaming_sends_the_image_generation_call_events_with_partials(sync_client):
    tool = {**TOOL, "partial_images": 2}
    with sync_client.responses.create(
        model="gpt-5.4-mini", input="a kite", tools=[tool], stream=True
    ) as stream:
        events = list(stream)
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert kinds.count("response.image_generation_call.partial_image") == 2
    i = kinds.index("response.image_generation_call.in_progress")
    assert kinds[i + 1] == "response.image_generation_call.generating"
    partial = next(e for e in events if e.type == "response.image_generation_call.partial_image")
    assert Image.open(io.BytesIO(base64.b64decode(partial.partial_image_b64))).size == (1024, 1024)
    assert events[-1].response.tool_usage.image_gen.output_tokens > 0
    assert [e.sequence_number for e in events] == list(range(1, len(events) + 1))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"model": "gpt-image-2"}, "is an image model"),
        ({"tools": [{**TOOL, "model": "dall-e-3"}]}, "takes a GPT image model"),
        ({"tools": [{**TOOL, "background": "transparent"}]}, "Transparent background is not supported"),
        ({"tools": [{**TOOL, "size": "1000x1000"}]}, "multiples of 16"),
        ({"reasoning": {"effort": "none"}}, "does not support 'none'"),
        ({"max_output_tokens": 3}, "at least 16"),
        ({"tools": [{**TOOL, "markup": {}}]}, "Unknown parameter"),
    ],
)
def test_requests_are_refused_like_the_api(sync_client, changes, words):
    body = {"model": "gpt-5.4-mini", "input": "a kite", "tools": [TOOL], **changes}
    with pytest.raises(openai.BadRequestError, match=words):
        sync_client.responses.create(**body)


def test_an_unknown_mainline_model_is_a_404(sync_client):
    with pytest.raises(openai.NotFoundError):
        sync_client.responses.create(model="gpt-9", input="a kite", tools=[TOOL])


def test_moderation_comes_back_inside_the_call_item_and_a_text_only_answer_has_no_image(sandbox, sync_client):
    sandbox.sandbox.config.faults.push("responses/moderation_output")
    r = sync_client.responses.create(model="gpt-5.4-mini", input="a kite", tools=[TOOL])
    [call] = _items(r, "image_generation_call")
    assert call.status == "failed" and call.result is None
    assert (
        call.error.code == "moderation_blocked" and call.error.moderation_details.moderation_stage == "output"
    )
    sandbox.sandbox.config.faults.push("responses/no_image")
    r = sync_client.responses.create(model="gpt-5.4-mini", input="a kite", tools=[TOOL])
    assert not _items(r, "image_generation_call") and r.output[-1].content[0].text
    assert r.tool_usage is None  # nothing drawn: only the mainline is billed


def test_a_drop_mid_stream_cuts_the_answer(sandbox, sync_client):
    sandbox.sandbox.config.faults.push("responses/drop")
    with pytest.raises(openai.APIError):
        with sync_client.responses.create(
            model="gpt-5.4-mini", input="a kite", tools=[{**TOOL, "partial_images": 1}], stream=True
        ) as stream:
            list(stream)
