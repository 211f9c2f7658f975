"""The Cast panel in the window, through the real SDK against the sandbox: a cast set up from a file and
from a panel, a ten-panel generation that follows it (the quote and the meter name the references' part,
the sandbox gets the references as input images, the hint shows), the woven text edited and sent as
edited, an entry switched off with its check box, a crop, "Continue from this panel", a re-roll of a cast
panel, and variants that follow the cast."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt

from .window_helpers import generate_panels, until


def _edits(sandbox):
    return [r for r in list(sandbox.sandbox.requests) if r["path"].endswith("/images/edits")]


def _accept_name(window, name):
    dialog = window.input_dialog
    dialog.setTextValue(name)
    dialog.accept()


def _with_mara(window, qloop, tmp_path):
    picture = tmp_path / "mara.png"
    Image.new("RGB", (300, 300), (120, 40, 170)).save(picture)
    cast = window.session.cast
    qloop.run_until_complete(cast.add("Mara", files=(str(picture),), description="purple hoodie"))
    until(qloop, lambda: len(cast.entries) == 1 and cast.active)
    return cast


def test_a_ten_panel_board_follows_the_cast_and_says_what_the_references_cost(
    studio, qloop, sandbox, tmp_path
):
    window = studio()
    cast = _with_mara(window, qloop, tmp_path)
    panel = window.cast_panel
    assert panel.entries.item(0).text().startswith("Mara — purple hoodie")
    assert panel.entries.item(0).checkState() == Qt.CheckState.Checked
    assert panel.woven.toPlainText().endswith("Image 1: Mara (purple hoodie).")
    window.session.prompt.load({"prompt": "she reads", "size": "1024x1024", "quality": "low", "n": 10})
    until(qloop, lambda: "cast references" in window.costs.quote.text())
    assert panel.final.toPlainText() == panel.woven.toPlainText() + "\n\nshe reads"
    assert window.session.prompt.references_usd[1] > 0
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 10 and all(not r.pending for r in board.rows), timeout=40)
    sent = _edits(sandbox)
    assert sum(int(r["params"].get("n", 1)) for r in sent) == 10
    assert all([f["field"] for f in r["files"]] == ["image"] for r in sent)  # one image, no mask
    until(qloop, lambda: "Continuity hint" in panel.hint.text())
    assert "'Mara'" in panel.hint.text()
    until(qloop, lambda: "references $" in window.costs.last.text())  # the bill in its two parts
    window.grid.setCurrentIndex(board.index(3))  # the panel says what it was made with
    assert window.details.references.text() == "the cast: Mara (1 reference image)"
    assert window.details._form.isRowVisible(window.details.references)
    # the user's edit of the woven text is what is sent
    panel.woven.setFocus()
    panel.woven.setPlainText("Keep Mara from image 1.")
    until(qloop, lambda: cast.options.get("preamble") == "Keep Mara from image 1.")
    assert panel.reset.isEnabled()
    window.session.prompt.load({"prompt": "she waves", "size": "1024x1024", "quality": "low", "n": 1})
    window.generate()
    until(qloop, lambda: len(board.rows) == 11 and all(not r.pending for r in board.rows))
    assert _edits(sandbox)[-1]["params"]["prompt"] == "Keep Mara from image 1.\n\nshe waves"


def test_switch_off_add_a_panel_and_a_crop_continue_and_reroll(studio, qloop, qtbot, sandbox, tmp_path):
    window = studio()
    cast = _with_mara(window, qloop, tmp_path)
    panel = window.cast_panel
    panel.entries.item(0).setCheckState(Qt.CheckState.Unchecked)  # the check box: off
    until(qloop, lambda: not cast.active and not cast.entries[0]["enabled"])
    board = generate_panels(window, qloop, 1, prompt="the shop")
    assert _edits(sandbox) == []  # nothing followed: a plain generation

    window.grid.setCurrentIndex(board.index(0))
    window.cast_add_action.trigger()
    _accept_name(window, "Shop")
    until(qloop, lambda: [e["name"] for e in cast.entries] == ["Mara", "Shop"])
    window.cast_crop_action.trigger()
    window.crop_dialog.view.set_box(100, 100, 400, 300)
    window.crop_dialog.accept()
    _accept_name(window, "Counter")
    until(qloop, lambda: len(cast.entries) == 3)
    crop = cast.entries[2]["images"][0]
    assert (crop["width"], crop["height"]) == (400, 300)

    window.continue_action.trigger()  # Continue from this panel
    until(qloop, lambda: cast.chained_number() == 1 and panel.chain.isVisible())
    window.session.prompt.load({"prompt": "shot 2", "size": "1024x1024", "quality": "low"})
    window.generate()
    until(qloop, lambda: len(board.rows) == 2 and not board.rows[1].pending)
    first = _edits(sandbox)[-1]
    assert len(first["files"]) == 3  # previous shot + Shop + Counter
    assert "Image 1: previous shot" in first["params"]["prompt"]
    until(qloop, lambda: cast.chained_number() == 2)  # the chain moved on to the new panel

    window.grid.setCurrentIndex(board.index(1))
    window.reroll()  # a cast panel re-rolls with the cast as it is now, from the user's own prompt
    assert "with 3 reference image(s)" in window.reroll_box.text()
    window.reroll_box.accept()
    until(qloop, lambda: len(board.rows) == 3 and all(not r.pending for r in board.rows))
    again = _edits(sandbox)[-1]
    assert again["params"]["prompt"].endswith("\n\nshot 2") and again["params"]["prompt"].count("shot 2") == 1
    panel.stop_chain.click()
    until(qloop, lambda: cast.chained_number() is None and not panel.chain.isVisible())


def test_variants_follow_the_cast(studio, qloop, sandbox, tmp_path):
    window = studio()
    _with_mara(window, qloop, tmp_path)
    window.session.prompt.load({"prompt": "Mara {reads|sleeps}", "size": "1024x1024", "quality": "low"})
    until(qloop, lambda: window.session.variants.active)
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 2 and all(not r.pending for r in board.rows))
    prompts = [r["params"]["prompt"] for r in _edits(sandbox)]
    assert [p.rsplit("\n\n", 1)[1] for p in prompts] == ["Mara reads", "Mara sleeps"]


def test_a_refine_conversation_on_the_board_starts_with_the_cast(studio, qloop, qtbot, sandbox, tmp_path):
    from .test_window_refine import _responses, _turn

    window = studio()
    _with_mara(window, qloop, tmp_path)
    board = generate_panels(window, qloop, 1, prompt="she reads")
    window.grid.setCurrentIndex(board.index(0))
    window.show_refine()
    window.refine.instruction.setPlainText("make the hoodie darker")
    until(qloop, lambda: "with the board's cast (1 reference image)" in window.refine.quote.text())
    _turn(window, qloop, qtbot, "make the hoodie darker")
    [first] = _responses(sandbox)
    assert len(first["input_images"]) == 2  # the panel's picture, then Mara
    _turn(window, qloop, qtbot, "now she smiles")
    assert len(_responses(sandbox)[-1]["input_images"]) == 0  # OpenAI holds them in the conversation


def test_the_entry_menu_describes_and_removes_one_image_or_the_entry(studio, qloop, tmp_path):
    window = studio()
    cast = window.session.cast
    files = []
    for k, colour in enumerate(((120, 40, 170), (100, 30, 150))):
        files.append(str(tmp_path / f"m{k}.png"))
        Image.new("RGB", (200 + k * 40, 200), colour).save(files[-1])
    qloop.run_until_complete(cast.add("Mara", files=tuple(files)))
    until(qloop, lambda: len(cast.entries) == 1 and len(cast.entries[0]["images"]) == 2)
    panel = window.cast_panel
    rect = panel.entries.visualItemRect(panel.entries.item(0))
    panel._menu(rect.center())
    menu = panel._open_menu
    actions = {a.text(): a for a in menu.actions()}
    remove_one = {a.text(): a for a in actions["Remove one image"].menu().actions()}
    assert list(remove_one) == ["1: 200×200", "2: 240×200"]
    remove_one["1: 200×200"].trigger()
    until(qloop, lambda: [i["width"] for i in cast.entries[0]["images"]] == [240])
    panel.describe_requested.emit("Mara", "")  # what double-click asks: the window's dialog
    window.input_dialog.setTextValue("woman, purple hoodie")
    window.input_dialog.accept()
    until(qloop, lambda: cast.entries[0]["description"] == "woman, purple hoodie")
    until(qloop, lambda: "Image 1: Mara (woman, purple hoodie)." in panel.woven.toPlainText())
    panel._menu(panel.entries.visualItemRect(panel.entries.item(0)).center())
    {a.text(): a for a in panel._open_menu.actions()}["Remove from the cast"].trigger()
    until(qloop, lambda: cast.entries == [] and not cast.active)


def test_another_board_never_sends_the_last_boards_cast(studio, qloop, sandbox, tmp_path):
    window = studio()
    cast = _with_mara(window, qloop, tmp_path)
    s = window.session
    qloop.run_until_complete(s.boards.select("Another board"))
    assert not cast.active and cast.entries == []  # at once, before the new board's sheet is read
    until(qloop, lambda: s.boards.board_name == "Another board")
    generate_panels(window, qloop, 1, prompt="a plain panel")
    assert _edits(sandbox) == []
    qloop.run_until_complete(s.boards.select("Untitled board"))
    until(qloop, lambda: cast.active and [e["name"] for e in cast.entries] == ["Mara"])


def test_a_batch_from_the_window_follows_the_cast(studio, qloop, sandbox, tmp_path):
    sandbox.config.batch_seconds = 0.3
    window = studio()
    _with_mara(window, qloop, tmp_path)
    window.session.prompt.load({"prompt": "Mara {reads|sleeps|waves}", "size": "1024x1024", "quality": "low"})
    until(qloop, lambda: window.session.variants.active)
    window.send_batch()
    board, watch = window.session.board, window.session.batch_watch
    until(qloop, lambda: bool(watch.rows) and bool(watch.rows[0]["fetched_at"]), timeout=60)
    until(qloop, lambda: len(board.rows) == 3 and all(r.path and not r.waiting for r in board.rows))
    stored = list(sandbox.sandbox.files.files.values())
    assert len([f for f in stored if f.purpose == "user_data"]) == 1  # Mara, uploaded once for 3 lines
    window.grid.setCurrentIndex(board.index(0))
    assert window.details.references.text() == "the cast: Mara (1 reference image)"


def test_an_edited_woven_text_the_cast_changed_under_is_flagged_until_reset(studio, qloop, tmp_path):
    window = studio()
    cast = _with_mara(window, qloop, tmp_path)
    shop = tmp_path / "shop.png"
    Image.new("RGB", (300, 300), (210, 140, 40)).save(shop)
    qloop.run_until_complete(cast.add("Shop", files=(str(shop),)))
    until(qloop, lambda: len(cast.sheet.images) == 2)
    board = generate_panels(window, qloop, 1, prompt="she reads")
    panel = window.cast_panel
    panel.woven.setFocus()
    panel.woven.setPlainText("Image 1: Mara, our lead.\nImage 2: Shop, at dusk.")
    until(qloop, lambda: cast.options.get("preamble") is not None)
    assert not panel.notes.isVisible() or "does not match" not in panel.notes.text()
    panel.entries.item(0).setCheckState(Qt.CheckState.Unchecked)  # Mara off: image 1 is now the shop
    until(qloop, lambda: "does not match the images sent" in panel.notes.text())
    assert "image 1 is now 'Shop' (it says 'Mara, our lead')" in panel.notes.text()
    window.grid.setCurrentIndex(board.index(0))  # a refine's first turn says so beside its quote
    window.show_refine()
    window.refine.instruction.setPlainText("warmer light")
    until(qloop, lambda: "does not match the images sent" in window.refine.quote.text())
    panel.reset.click()
    until(qloop, lambda: cast.options.get("preamble") is None)
    until(qloop, lambda: "does not match" not in panel.notes.text())
    assert panel.woven.toPlainText().endswith("Image 1: Shop.")
