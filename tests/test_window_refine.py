"""The Refine panel in the window, through the real SDK against the sandbox: a panel refined in two turns
(each its next version, the second continuing the first by previous_response_id), the quote and the bill
in two parts in the panel and in the cost meter, the stages and a partial image on the tile, a restart
that continues the conversation, a fork from an earlier turn, and the Images API offered when the tool
refuses a transparent background."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from .window_helpers import until


def _one_panel(window, qloop):
    window.session.prompt.load({"prompt": "a woman in a grey hoodie", "size": "1024x1024", "quality": "low"})
    window.generate()
    board = window.session.board
    until(qloop, lambda: len(board.rows) == 1 and not board.rows[0].pending)
    window.grid.setCurrentIndex(board.index(0))
    return board.rows[0].panel_id


def _turn(window, qloop, qtbot, text: str) -> None:
    chat = window.session.refine
    before = len([t for t in chat.turns if t.get("response_id")])
    window.refine.instruction.setPlainText(text)
    until(qloop, lambda: chat.quote is not None)
    qtbot.mouseClick(window.refine.send_button, Qt.MouseButton.LeftButton)
    until(qloop, lambda: not chat.busy and len([t for t in chat.turns if t.get("response_id")]) > before)


def _responses(sandbox):
    return [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/responses"]


def test_a_panel_refined_in_two_turns_versions_it_and_bills_both_parts(studio, qloop, qtbot, sandbox):
    window = studio()
    panel_id = _one_panel(window, qloop)
    window.show_refine()
    chat = window.session.refine
    assert chat.panel_id == panel_id and "panel" in window.refine.target.text()
    chat.set_setting(partial_images=1)
    states: list[str] = []
    board = window.session.board
    board.dataChanged.connect(lambda top, *_: states.append(board.rows[top.row()].state))
    stages: list[str] = []
    chat.progress.connect(lambda stage, path: stages.append(stage))
    window.refine.instruction.setPlainText("make the hoodie purple")
    until(qloop, lambda: chat.quote is not None)
    quote = window.refine.quote.text()
    assert "at most $" in quote and "mainline ≤ $" in quote and "image ≤ $" in quote
    qtbot.mouseClick(window.refine.send_button, Qt.MouseButton.LeftButton)
    until(qloop, lambda: not chat.busy and chat.turns and chat.turns[-1].get("image_path"))
    assert "drawing…" in stages and any("partial image 1" in s for s in stages)
    assert "refining" in states and "partial" in states  # the turn showed on its panel's tile
    [turn] = chat.turns
    assert turn["state"] == "saved" and float(turn["mainline_usd"]) > 0 and float(turn["image_usd"]) > 0
    item = window.refine.turns.item(0).text()
    assert "make the hoodie purple" in item and "mainline $" in item and "image $" in item
    last = window.costs.last.text()
    assert "mainline gpt-5.4-nano $" in last and "image gpt-image-2 $" in last
    row = board.rows[board.row_of_panel(panel_id)]
    assert row.version == 2 and row.path == turn["image_path"] and row.state == "saved"
    _turn(window, qloop, qtbot, "warmer light, keep everything else")
    sent = _responses(sandbox)
    assert sent[-1]["params"]["previous_response_id"] == chat.turns[0]["response_id"]
    assert sent[0]["params"]["tools"][0]["partial_images"] == 1
    assert [t["seq"] for t in chat.turns] == [1, 2]


def test_a_restart_continues_the_conversation_and_a_fork_goes_on_from_an_earlier_turn(
    studio, qloop, qtbot, sandbox
):
    window = studio()
    _one_panel(window, qloop)
    _turn(window, qloop, qtbot, "make the hoodie purple")
    _turn(window, qloop, qtbot, "add a red scarf")
    first, second = (t["response_id"] for t in window.session.refine.turns)
    window.close()

    again = studio()  # the same library: the conversation is there, and goes on from its last answer
    again.grid.setCurrentIndex(again.session.board.index(0))
    chat = again.session.refine
    until(qloop, lambda: len(chat.turns) == 2)
    again.refine.turns.setCurrentRow(0)
    assert again.refine.fork_button.isEnabled()
    qtbot.mouseClick(again.refine.fork_button, Qt.MouseButton.LeftButton)
    until(qloop, lambda: len(chat.turns) == 1 and chat.turns[0].get("inherited"))
    assert "before the fork" in again.refine.turns.item(0).text()
    _turn(again, qloop, qtbot, "make the scarf green instead")
    assert _responses(sandbox)[-1]["params"]["previous_response_id"] == first != second
    assert [bool(t.get("inherited")) for t in chat.turns] == [True, False]


def test_transparency_the_tool_refuses_is_offered_through_the_images_api(studio, qloop, qtbot, sandbox):
    window = studio()
    panel_id = _one_panel(window, qloop)
    window.show_refine()
    chat = window.session.refine
    chat.set_setting(image_model="gpt-image-2.5-flare")
    window.refine._show_settings()
    offered = [
        window.refine.boxes["background"].itemData(i)
        for i in range(window.refine.boxes["background"].count())
    ]
    assert "transparent" not in offered  # not offered on this route for this model
    chat.set_setting(background="transparent")
    before = len(_responses(sandbox))
    window.refine.instruction.setPlainText("cut her out")
    qtbot.mouseClick(window.refine.send_button, Qt.MouseButton.LeftButton)
    until(qloop, lambda: getattr(window, "images_api_box", None) is not None)
    assert len(_responses(sandbox)) == before  # nothing went to the Responses API
    box = window.images_api_box
    assert "came back white" in box.text() and "at most $" in box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    board = window.session.board
    until(qloop, lambda: board.rows[board.row_of_panel(panel_id)].version == 2)
    edits = [r for r in list(sandbox.sandbox.requests) if r["path"] == "/v1/images/edits"]
    assert edits and edits[-1]["params"]["background"] == "transparent"


def test_a_turn_from_text_alone_and_an_empty_instruction(studio, qloop, qtbot):
    window = studio()
    chat = window.session.refine
    window.refine.from_nothing.click()
    assert "text only" in window.refine.target.text()
    window.refine.instruction.setPlainText("   ")
    qtbot.mouseClick(window.refine.send_button, Qt.MouseButton.LeftButton)
    assert not chat.busy  # nothing to send
    _turn(window, qloop, qtbot, "a paper kite over dunes, flat colours")
    [turn] = chat.turns
    assert turn["image_path"] and chat.conversation and chat.conversation.get("panel_id") is None


def test_complexity_is_offered_and_sent_only_for_an_image_model_that_takes_it(studio, qloop, qtbot, sandbox):
    window = studio()
    _one_panel(window, qloop)
    window.show_refine()
    chat, panel = window.session.refine, window.refine
    assert not panel.boxes["complexity"].isEnabled() and chat.params["complexity"] is None  # gpt-image-2
    chat.set_setting(image_model="gpt-image-2.6-flare")
    panel._show_settings()
    box = panel.boxes["complexity"]
    assert box.isEnabled() and [box.itemData(i) for i in range(box.count())] == ["low", "medium", "high"]
    box.setCurrentIndex(0)
    box.activated.emit(0)
    _turn(window, qloop, qtbot, "simpler shapes")
    assert _responses(sandbox)[-1]["params"]["tools"][0]["complexity"] == "low"


def test_ctrl_return_in_the_instruction_refines_and_elsewhere_still_generates(studio, qloop, qtbot):
    from PySide6.QtTest import QTest

    window = studio()
    _one_panel(window, qloop)
    window.show_refine()
    chat = window.session.refine
    window.refine.instruction.setPlainText("make the hoodie purple")
    until(qloop, lambda: chat.quote is not None)
    window.refine.instruction.setFocus()
    QTest.keyClick(window.refine.instruction, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    until(qloop, lambda: not chat.busy and chat.turns and chat.turns[-1].get("image_path"))
    assert len(window.session.board.rows) == 1  # a turn, not a generation
    window.editor.prompt.setFocus()  # and in the prompt, Ctrl+Return still generates
    QTest.keyClick(window.editor.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    until(qloop, lambda: len(window.session.board.rows) == 2 and not window.session.board.rows[1].pending)
