"""A board's cast and style sheet through the real SDK against the sandbox: the active references go first
as the edit's input images (multipart parts, no mask), the prompt is woven as documented, the quote and the
bill count the references' input tokens, a switched-off entry is not sent, 17 references are trimmed to 16
with a message, a batch uploads each reference once, "Continue from this panel" chains shot to shot, and
the continuity hint tells a panel that follows the sheet from one that does not."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from studio.core.continuity import HEAD
from studio.core.errors import RefusedError
from studio.core.placement import Placement
from studio.core.request import EditRequest, ImageRequest
from studio.service.api import Studio

PARAMS = {"size": "1024x1024", "quality": "low"}
PURPLE, AMBER = (120, 40, 170), (210, 140, 40)


def _picture(path, colour, size=(256, 256)):
    img = Image.new("RGB", size, colour)
    for x in range(0, size[0], 32):  # some structure, so the dHash has edges to read
        img.paste(tuple(c // 2 for c in colour), (x, 0, x + 8, size[1]))
    img.save(path)
    return str(path)


@pytest.fixture
def cast_board(service_factory, run, tmp_path):
    return build_cast_board(service_factory, run, tmp_path)


def build_cast_board(service_factory, run, tmp_path):
    """A board "Coffee series" with Mara (one purple picture) and the Coffee shop (two amber ones)."""
    api = Studio.around(service_factory())
    board = run(api.boards.id_of("Coffee series"))
    mara = _picture(tmp_path / "mara.png", PURPLE)
    shop = [_picture(tmp_path / f"shop{k}.png", (AMBER[0] - 10 * k, *AMBER[1:])) for k in (1, 2)]
    run(api.cast.add(board, "Mara", files=[mara], description="woman, mid-20s, glasses, purple hoodie"))
    run(api.cast.add(board, "Coffee shop", files=shop, description="warm-lit coffee shop"))
    return api, board, mara, shop


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _edits(sandbox):
    return [r for r in sandbox.sandbox.requests if r["path"].endswith("/images/edits")]


def test_two_entries_go_first_as_input_images_with_the_prompt_woven(cast_board, run, sandbox):
    api, board, mara, shop = cast_board
    request, notes, sheet = run(api.cast.prepare(board, ImageRequest("she orders a latte", **PARAMS),
                                                 api.images.registry))  # fmt: skip
    assert isinstance(request, EditRequest) and notes == []
    assert request.prompt == (
        f"{HEAD}\nImage 1: Mara (woman, mid-20s, glasses, purple hoodie).\n"
        "Images 2-3: Coffee shop (warm-lit coffee shop).\n\nshe orders a latte"
    )
    outcome = run(api.images.submit(request, Placement.end("Coffee series")))
    assert outcome.ok
    [sent] = _edits(sandbox)
    assert [f["field"] for f in sent["files"]] == ["image[]"] * 3  # images only: no mask part
    assert [f["sha256"] for f in sent["files"]] == [_sha(mara), *map(_sha, shop)]
    assert sent["params"]["prompt"] == request.prompt
    # the record of which references the panel was made with
    [panel] = run(api.boards.panels(board))
    snap = json.loads(panel["request_json"])
    assert [r["entry"] for r in snap["references"]] == ["Mara", "Coffee shop", "Coffee shop"]
    assert snap["woven_from"] == "she orders a latte"


def test_the_quote_and_the_bill_count_the_references_input_tokens(cast_board, run):
    api, board, _, _ = cast_board
    plain = ImageRequest("she orders a latte", **PARAMS)
    request, _, _ = run(api.cast.prepare(board, plain, api.images.registry))
    _, with_refs = api.images.check(request)
    _, alone = api.images.check(plain)
    assert with_refs.image_input_tokens_max > 0 and alone.image_input_tokens_max == 0
    assert with_refs.total_usd_max > alone.total_usd_max
    events, publish = [], api.images.events.publish
    api.images.events.publish = lambda event: (events.append(event), publish(event))[1]
    outcome = run(api.images.submit(request, Placement.end("Coffee series")))
    [job] = outcome.jobs
    assert job.usage["input_tokens_details"]["image_tokens"] > 0
    assert Decimal(0) < job.billed_usd <= with_refs.total_usd_max
    saved = [e for e in events if type(e).__name__ == "JobSaved"]
    parts = dict(saved[-1].parts)
    assert set(parts) == {"references", "the rest"} and parts["references"] > 0
    assert parts["references"] + parts["the rest"] == job.billed_usd


def test_a_disabled_entry_is_not_sent_and_following_can_be_switched_off(cast_board, run, sandbox):
    api, board, mara, _ = cast_board
    run(api.cast.enable(board, "coffee shop", False))  # names match whatever their case
    request, _, _ = run(api.cast.prepare(board, ImageRequest("a close-up", **PARAMS), api.images.registry))
    assert [r.entry for r in request.references] == ["Mara"]
    assert "Coffee shop" not in request.prompt
    run(api.images.submit(request, Placement.end("Coffee series")))
    assert [f["sha256"] for f in _edits(sandbox)[-1]["files"]] == [_sha(mara)]
    plain = ImageRequest("a close-up", **PARAMS)
    assert run(api.cast.prepare(board, plain, api.images.registry, follow=False))[0] is plain
    run(api.cast.set_options(board, follow=False))
    assert run(api.cast.prepare(board, plain, api.images.registry))[0] is plain


def test_seventeen_references_are_trimmed_to_sixteen_with_a_message(service_factory, run, tmp_path):
    api = Studio.around(service_factory())
    board = run(api.boards.id_of("Crowd"))
    files = [_picture(tmp_path / f"p{k}.png", (k * 12, 80, 200 - k * 9), (64, 64)) for k in range(17)]
    run(api.cast.add(board, "Extras", files=files[:10]))
    run(api.cast.add(board, "Band", files=files[10:]))
    request, notes, _ = run(api.cast.prepare(board, ImageRequest("a crowd", **PARAMS), api.images.registry))
    assert len(request.images) == 16
    assert notes == ["17 reference images, but gpt-image-2 takes at most 16: left out the last 1 (of 'Band')"]
    assert "Images 11-16: Band." in request.prompt  # the woven text names what is sent, not what was left


def test_a_reference_that_went_missing_is_left_out_with_its_reason(cast_board, run):
    api, board, mara, _ = cast_board
    [entry, _] = run(api.cast.entries(board))
    Path(entry["images"][0]["path"]).unlink()
    request, notes, _ = run(api.cast.prepare(board, ImageRequest("x", **PARAMS), api.images.registry))
    assert [r.entry for r in request.references] == ["Coffee shop", "Coffee shop"]
    assert len(notes) == 1 and notes[0].startswith("left out 'Mara'") and "does not exist" in notes[0]


def test_bad_input_is_refused_and_adds_nothing(cast_board, run, tmp_path):
    api, board, mara, _ = cast_board
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(RefusedError, match="broken.png"):
        run(api.cast.add(board, "Prop", files=[mara, str(broken)]))
    with pytest.raises(RefusedError, match="must not be empty"):
        run(api.cast.add(board, " \x00\x1b ", files=[mara]))
    run(api.cast.add(board, "Mara\x1b[31m\nred", files=[mara]))  # one printable line, woven as such
    assert [e["name"] for e in run(api.cast.entries(board))][-1] == "Mara [31m red"
    run(api.cast.remove(board, "Mara [31m red"))
    with pytest.raises(RefusedError, match="at least one reference image"):
        run(api.cast.add(board, "Nobody"))
    with pytest.raises(RefusedError, match="no cast entry 'Ghost'"):
        run(api.cast.enable(board, "Ghost"))
    assert [e["name"] for e in run(api.cast.entries(board))] == ["Mara", "Coffee shop"]


def test_a_model_without_edits_is_refused_with_the_way_out(cast_board, run):
    api, board, _, _ = cast_board
    sheet = run(api.cast.sheet(board))
    spec = replace(api.images.registry.get("gpt-image-2"), endpoints=("generate",))
    with pytest.raises(RefusedError, match="takes no reference images.*switch the cast off"):
        sheet.apply(ImageRequest("x"), spec)


def test_an_entry_from_a_crop_of_a_panel(cast_board, run):
    api, board, _, _ = cast_board
    outcome = run(api.images.submit(ImageRequest("a wide shot", **PARAMS), Placement.end("Coffee series")))
    assert outcome.ok
    [panel] = run(api.boards.panels(board))
    run(api.cast.add(board, "Cup", panel_ids=[panel["id"]], crop=(100, 200, 300, 240)))
    cup = run(api.cast.entries(board))[-1]
    assert (cup["images"][0]["width"], cup["images"][0]["height"]) == (300, 240)
    assert cup["images"][0]["source_panel_id"] == panel["id"]
    with pytest.raises(RefusedError, match="does not fit in the 1024x1024 panel"):
        run(api.cast.add(board, "Cup", panel_ids=[panel["id"]], crop=(900, 900, 300, 300)))


def test_continue_from_a_panel_chains_shot_to_shot(cast_board, run, sandbox):
    api, board, mara, _ = cast_board
    first = run(api.images.submit(ImageRequest("shot 1", **PARAMS), Placement.end("Coffee series")))
    [p1] = run(api.boards.panels(board))
    run(api.cast.set_options(board, continue_from=p1["id"]))
    ids = []
    for k in (2, 3):
        request, _, sheet = run(api.cast.prepare(board, ImageRequest(f"shot {k}", **PARAMS),
                                                 api.images.registry))  # fmt: skip
        assert request.references[0].entry == "previous shot" and "Image 1: previous shot" in request.prompt
        outcome = run(api.images.submit(request, Placement.end("Coffee series")))
        run(api.cast.after(board, sheet, request, outcome))
        ids.append(outcome)
    panels = run(api.boards.panels(board))
    sent = _edits(sandbox)
    # shot 2 took panel 1's picture, shot 3 took shot 2's
    assert sent[0]["files"][0]["sha256"] == first.jobs[0].images[0].sha256
    assert sent[1]["files"][0]["sha256"] == ids[0].jobs[0].images[0].sha256
    assert run(api.cast.options(board))["continue_from"] == panels[-1]["id"]
    # stopped while a call runs: its result does not bring the chain back
    request, _, sheet = run(api.cast.prepare(board, ImageRequest("shot 4", **PARAMS), api.images.registry))
    run(api.cast.set_options(board, continue_from=None))
    outcome = run(api.images.submit(request, Placement.end("Coffee series")))
    run(api.cast.after(board, sheet, request, outcome))
    assert run(api.cast.options(board))["continue_from"] is None


def test_the_hint_tells_a_panel_that_follows_the_sheet_from_one_that_does_not(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.enable(board, "Coffee shop", False))
    request, _, sheet = run(
        api.cast.prepare(board, ImageRequest("Mara waves", **PARAMS), api.images.registry)
    )
    followed = run(api.images.submit(request.with_changes(n=3), Placement.end("Coffee series")))
    check = run(api.cast.after(board, sheet, request, followed))
    plain = run(api.images.submit(ImageRequest("Mara waves", **PARAMS), Placement.end("Coffee series")))
    far = run(api.cast.check(sheet, [plain.jobs[0].images[0].path]))
    assert [line.split(" (")[0] for line in check.lines()] == [
        f"image {k}: close to 'Mara'" for k in (1, 2, 3)
    ]
    assert check.summary().startswith("3 of 3 close to 'Mara' (median 0.")
    assert min(s["Mara"] for s in check.scores) > far.scores[0]["Mara"]
    assert far.lines()[0].startswith("image 1: ")  # a hint either way, with its score


def test_the_sandbox_art_wears_the_references_colours(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.enable(board, "Mara", False))
    request, _, _ = run(api.cast.prepare(board, ImageRequest("the counter", **PARAMS), api.images.registry))
    outcome = run(api.images.submit(request, Placement.end("Coffee series")))
    with Image.open(outcome.jobs[0].images[0].path) as im:
        r, g, b = im.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert r > b + 40 and g > b  # amber, as the shop's references


def test_the_users_edit_of_the_woven_text_is_what_is_sent(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble="Keep Mara (image 1) and the shop (images 2-3) the same."))
    request, _, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert request.prompt == "Keep Mara (image 1) and the shop (images 2-3) the same.\n\nshe sits"
    assert len(request.images) == 3


def test_a_batch_uploads_each_reference_once_and_the_manifest_lists_them(cast_board, run, sandbox, tmp_path):
    from studio.core.variants import expand
    from studio.service.api import ExportOptions

    from .test_batch_route import until_fetched

    api, board, mara, shop = cast_board
    sandbox.config.batch_seconds = 0.3
    requests = [
        run(api.cast.prepare(board, ImageRequest(v.prompt, **PARAMS), api.images.registry))[0]
        for v in expand("Mara {reads|writes|sleeps} in the shop")
    ]
    [sent] = run(api.batches.submit(requests, Placement.end("Coffee series")))
    _, got = until_fetched(run, api, sent.batch_id)
    assert got.images == 3 and not got.failed
    stored = list(sandbox.sandbox.files.files.values())
    assert len([f for f in stored if f.purpose == "user_data"]) == 3  # three references, each once
    [jsonl] = [f for f in stored if f.purpose == "batch"]
    lines = [json.loads(raw) for raw in jsonl.path.read_text().splitlines()]
    orders = {tuple(i["file_id"] for i in line["body"]["images"]) for line in lines}
    assert len(orders) == 1 and len(set(next(iter(orders)))) == 3  # the same three, in the same order
    assert all(line["body"]["prompt"].startswith(HEAD) for line in lines)

    result = run(
        api.exports.export("Coffee series", tmp_path / "out", ExportOptions(formats=("png", "manifest")))
    )
    manifest = json.loads((result.folder / "manifest.json").read_text())
    for panel in manifest["panels"]:
        assert [r["entry"] for r in panel["references"]] == ["Mara", "Coffee shop", "Coffee shop"]
        assert [r["sha256"] for r in panel["references"]] == [_sha(mara), *map(_sha, shop)]
        assert "references" not in panel["params"]  # no library paths in a file handed on
    rows = list(csv.DictReader(io.StringIO((result.folder / "manifest.csv").read_text())))
    assert [r["references"] for r in rows] == ["Mara; Coffee shop; Coffee shop"] * 3


def test_a_refine_conversation_starts_with_the_cast_and_carries_it(cast_board, run, sandbox, tmp_path):
    from studio.core.responses_body import TurnSettings

    settings = TurnSettings("gpt-5.4-mini", "gpt-image-2", "low", max_output_tokens=3000)
    api, board, _, _ = cast_board
    run(api.images.submit(ImageRequest("shot 1", **PARAMS), Placement.end("Coffee series")))
    run(api.images.submit(ImageRequest("shot 2", **PARAMS), Placement.end("Coffee series")))
    one, two = (p["id"] for p in run(api.boards.panels(board)))
    sheet = run(api.cast.sheet(board))
    first = run(api.refine("make the hoodie purple", settings, PARAMS, panel_id=one, sheet=sheet))
    assert first.state.value == "saved"
    [sent] = [r for r in sandbox.sandbox.requests if r["path"] == "/v1/responses"]
    assert len(sent["input_images"]) == 4  # the panel's picture, then Mara and the shop's two
    # the second turn's quote carries them (OpenAI re-reads them): dearer than a conversation without
    with_cast = run(
        api.quote_turn("now move her left", settings, PARAMS, conversation_id=first.conversation_id)
    )
    plain = run(api.refine("make the hoodie purple", settings, PARAMS, panel_id=two))
    without = run(
        api.quote_turn("now move her left", settings, PARAMS, conversation_id=plain.conversation_id)
    )
    assert with_cast.total_usd_max > without.total_usd_max
    # the panel's new version records the references it was made with
    [row] = [r for r in run(api.jobs.rows(limit=50)) if r["id"] == first.job_id]
    snap = json.loads(row["request_json"])
    assert [r["entry"] for r in snap["references"]] == ["Mara", "Coffee shop", "Coffee shop"]
    assert "Image 2: Mara" in snap["prompt"]  # numbered after the start image
    from studio.service.api import ExportOptions

    out = run(api.exports.export("Coffee series", tmp_path / "x", ExportOptions(formats=("manifest",))))
    history = json.loads((out.folder / "manifest.json").read_text())["panels"][0]["edit_history"]
    assert [r["entry"] for r in history[-1]["references"]] == ["Mara", "Coffee shop", "Coffee shop"]


def test_a_full_disk_adds_nothing_and_says_so(cast_board, run, tmp_path, monkeypatch):
    import errno

    import studio.service.api.cast as cast_api

    api, board, _, _ = cast_board
    other = _picture(tmp_path / "prop.png", (20, 160, 90))

    def full(path, data, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cast_api, "atomic_write", full)
    with pytest.raises(RefusedError, match="No space left on device.*nothing was added"):
        run(api.cast.add(board, "Prop", files=[other]))
    assert [e["name"] for e in run(api.cast.entries(board))] == ["Mara", "Coffee shop"]


def test_a_reference_over_the_byte_limit_is_re_encoded_and_said(cast_board, run):
    api, board, _, _ = cast_board
    spec = replace(api.images.registry.get("gpt-image-2"), max_input_image_bytes=600)  # a tiny limit
    sheet = run(api.cast.sheet(board, spec=spec))
    request, notes = sheet.apply(ImageRequest("x", **PARAMS), spec)
    assert all(len(i.data) < 600 for i in request.images)
    assert notes and all("over the API's 600" in n for n in notes)
    assert notes[0].startswith("'Mara': image ")
