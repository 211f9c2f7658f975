"""The user's own woven text, kept honest: when the cast changes under an edit so that its "Image N" labels
no longer name the images sent, every route says so (the window's notes, `generate`, `cast list`, a refine's
quote); a refine's first turn moves the text's image numbers on after its start image; `cast woven`
prints, sets and resets the text on the command line."""

from __future__ import annotations

import json

import pytest

from studio.core.request import ImageRequest
from tests.test_cast_route import PARAMS, _picture, build_cast_board
from tests.test_cli import LOW, cli


@pytest.fixture
def cast_board(service_factory, run, tmp_path):
    return build_cast_board(service_factory, run, tmp_path)


EDITED = (
    "Reference images, in order. Keep her and the place the same:\n"
    "Image 1: Mara (the heroine, always in purple).\n"
    "Images 2-3: Coffee shop (the corner table)."
)


def test_an_edit_that_still_names_the_images_sent_is_sent_without_a_word(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble=EDITED))
    request, notes, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert request.prompt == EDITED + "\n\nshe sits" and notes == []


def test_switching_an_entry_off_under_an_edit_says_what_no_longer_matches(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble=EDITED))
    run(api.cast.enable(board, "Mara", False))
    request, notes, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert len(request.images) == 2 and request.prompt.startswith(EDITED)  # sent as the user wrote it
    [note] = notes
    assert "does not match the images sent" in note
    assert "image 1 is now 'Coffee shop' (it says 'Mara')" in note
    assert "it names image 3 ('Coffee shop'), but 2 reference image(s) go" in note
    assert "Reset it" in note
    run(api.cast.set_options(board, preamble=None))  # Reset: the entries' own text, nothing to say
    request, notes, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert notes == [] and "Images 1-2: Coffee shop" in request.prompt


def test_a_new_entry_the_edit_does_not_name_is_said(cast_board, run, tmp_path):
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble=EDITED))
    run(api.cast.add(board, "Cup", files=[_picture(tmp_path / "cup.png", (20, 160, 90))]))
    _, notes, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert len(notes) == 1 and "image 4 ('Cup') is not named in it" in notes[0]


def test_a_free_text_without_labels_is_not_second_guessed(cast_board, run):
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble="Keep Mara (image 1) and the shop (images 2-3) the same."))
    run(api.cast.enable(board, "Mara", False))
    _, notes, _ = run(api.cast.prepare(board, ImageRequest("she sits", **PARAMS), api.images.registry))
    assert notes == []


def test_a_refine_first_turn_renumbers_the_edit_after_its_start_image(cast_board, run, sandbox):
    from studio.core.placement import Placement
    from studio.core.responses_body import TurnSettings

    settings = TurnSettings("gpt-5.4-mini", "gpt-image-2", "low", max_output_tokens=3000)
    api, board, _, _ = cast_board
    run(api.cast.set_options(board, preamble=EDITED))
    run(api.images.submit(ImageRequest("shot 1", **PARAMS), Placement.end("Coffee series")))
    [panel] = [p["id"] for p in run(api.boards.panels(board))]
    sheet = run(api.cast.sheet(board))
    q = run(api.quote_turn("darker", settings, PARAMS, panel_id=panel, sheet=sheet))
    assert q.cast_notes == ()  # the labels are moved on by one: they still name what is sent
    done = run(api.refine("darker", settings, PARAMS, panel_id=panel, sheet=sheet))
    assert done.state.value == "saved"
    [row] = [r for r in run(api.jobs.rows(limit=50)) if r["id"] == done.job_id]
    prompt = json.loads(row["request_json"])["prompt"]
    assert "Image 2: Mara (the heroine, always in purple)." in prompt
    assert "Images 3-4: Coffee shop (the corner table)." in prompt and "Image 1:" not in prompt


def test_a_free_texts_image_numbers_move_on_after_a_refines_start_image(cast_board, run):
    api, board, _, _ = cast_board
    mine = "Keep Mara (image 1) and the shop (Images 2-3) the same; no imagery 1-2 changes."
    run(api.cast.set_options(board, preamble=mine))
    sheet, spec = run(api.cast.sheet(board)), api.images.registry.get("gpt-image-2")
    assert sheet.preamble(spec) == mine  # a call whose references start at image 1: as written
    assert sheet.preamble(spec, first=2) == (
        "Keep Mara (image 2) and the shop (Images 3-4) the same; no imagery 1-2 changes."
    )


def test_a_refine_first_turn_says_what_the_start_image_left_no_room_for(service_factory, run, tmp_path):
    from studio.core.placement import Placement
    from studio.core.responses_body import TurnSettings
    from studio.service.api import Studio

    settings = TurnSettings("gpt-5.4-mini", "gpt-image-2", "low", max_output_tokens=3000)
    api = Studio.around(service_factory())
    board = run(api.boards.id_of("Crowd"))
    files = [_picture(tmp_path / f"p{k}.png", (k * 14, 80, 200 - k * 9), (64, 64)) for k in range(16)]
    run(api.cast.add(board, "Extras", files=files))
    run(api.images.submit(ImageRequest("a crowd", **PARAMS), Placement.end("Crowd")))
    [panel] = [p["id"] for p in run(api.boards.panels(board))]
    q = run(api.quote_turn("wider", settings, PARAMS, panel_id=panel, sheet=run(api.cast.sheet(board))))
    assert q.cast_notes == ("the start image takes one of the 16: left out 1 more reference(s)",)
    assert q.to_json()["cast_notes"] == list(q.cast_notes)


def test_cast_woven_prints_sets_warns_and_resets(tmp_path):
    mara = _picture(tmp_path / "mara.png", (120, 40, 170))
    shop = _picture(tmp_path / "shop.png", (210, 140, 40))
    assert cli("cast", "add", "W", "Mara", "--image", mara, "--description", "purple hoodie").returncode == 0
    assert cli("cast", "add", "W", "Shop", "--image", shop).returncode == 0
    shown = cli("cast", "woven", "W")
    assert shown.returncode == 0 and "Image 1: Mara (purple hoodie).\nImage 2: Shop." in shown.stdout
    mine = "Image 1: Mara, our lead.\nImage 2: Shop, at dusk."
    set_ = cli("cast", "woven", "W", mine)
    assert set_.returncode == 0 and set_.stdout.strip() == mine and set_.stderr == ""
    assert json.loads(cli("cast", "list", "W", "--json").stdout)["woven_text_edited"] is True
    assert cli("cast", "disable", "W", "Mara").returncode == 0
    listed = json.loads(cli("cast", "list", "W", "--json").stdout)
    assert listed["woven_text"] == mine and "image 1 is now 'Shop'" in listed["woven_text_stale"][0]
    warned = cli("cast", "woven", "W")
    assert "does not match the images sent" in warned.stderr
    both = cli("cast", "woven", "W", "x", "--reset")
    assert both.returncode == 2 and "not both" in both.stderr
    reset = cli("cast", "woven", "W", "--reset")
    assert reset.returncode == 0 and reset.stdout.strip().endswith("Image 1: Shop.") and reset.stderr == ""
    assert json.loads(cli("cast", "list", "W", "--json").stdout)["woven_text_edited"] is False
    # the entries' own text given back as TEXT is the entries' text again: it follows them from then on
    assert cli("cast", "woven", "W", reset.stdout.strip()).returncode == 0
    assert json.loads(cli("cast", "list", "W", "--json").stdout)["woven_text_edited"] is False


def test_generate_on_the_command_line_warns_of_a_stale_edit(served, tmp_path):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    mara = _picture(tmp_path / "mara.png", (120, 40, 170))
    shop = _picture(tmp_path / "shop.png", (210, 140, 40))
    cli("cast", "add", "G", "Mara", "--image", mara, env=env)
    cli("cast", "add", "G", "Shop", "--image", shop, env=env)
    cli("cast", "woven", "G", "Image 1: Mara.\nImage 2: Shop.", env=env)
    cli("cast", "remove", "G", "Mara", env=env)
    r = cli("generate", "--prompt", "p", *LOW, "--board", "G", env=env)
    assert r.returncode == 0, r.stderr
    assert "image 1 is now 'Shop' (it says 'Mara')" in r.stderr
