"""The cost meter and the caps tell the truth: a call's bill is compared with that call's own quote, a
refused call never shows as running, the sandbox rehearses the caps, the call-cap bar shows the current
quote, the Generate button says when the next call would be refused, and every amount agrees to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtTest import QTest

from studio.service import events as ev

from .window_helpers import generate_panels, painter_with_a_stroke, until


def test_last_call_compares_each_bill_with_its_own_quote(qapp):
    from studio.state.cost_model import CostModel
    from studio.ui.cost_meter import CostMeter

    model = CostModel()
    meter = CostMeter(model)
    assert meter.last.text() == "—"
    model.apply(ev.JobQueued("gen", "g1", 2, Decimal("0.0500")), sandbox=False)
    model.apply(ev.JobSent("gen", 1), sandbox=False)
    assert meter.last.text() == "running · quoted ≤ $0.0500"
    model.apply(ev.JobSaved("gen", ("a", "b"), Decimal("0.0400")), sandbox=False)
    assert meter.last.text() == "$0.0400 · $0.0100 under its quote"
    # an edit with a small quote: its bill is compared with the edit's quote, not the generation's
    model.apply(ev.JobQueued("edit", "g2", 1, Decimal("0.0100")), sandbox=False)
    model.apply(ev.JobSent("edit", 1), sandbox=False)
    model.apply(ev.JobSaved("edit", ("c",), Decimal("0.0080")), sandbox=False)
    assert meter.last.text() == "$0.0080 · $0.0020 under its quote"
    model.apply(ev.JobQueued("big", "g3", 1, Decimal("0.0100")), sandbox=False)
    model.apply(ev.JobSent("big", 1), sandbox=False)
    model.apply(ev.JobSaved("big", ("d",), Decimal("0.0160")), sandbox=False)
    assert meter.last.text() == "$0.0160 · $0.0060 OVER its quote"
    model.apply(ev.JobQueued("lost", "g4", 1, Decimal("0.0200")), sandbox=False)
    model.apply(ev.JobSent("lost", 1), sandbox=False)
    model.apply(ev.JobUnknown("lost", "dropped"), sandbox=False)
    assert meter.last.text() == "outcome unknown · counted at ≤ $0.0200 until settled"


def test_the_sandbox_rehearses_caps_and_the_button_meter_and_refusal_agree(studio, qloop, sandbox):
    window = studio()  # the offline sandbox
    costs = window.session.studio.costs
    qloop.run_until_complete(costs.set_cap("day", Decimal("0.0005")))
    qloop.run_until_complete(costs.set_cap("call", Decimal("1")))
    qloop.run_until_complete(window.session.cost_watch.refresh())
    window.session.prompt.load({"prompt": "x", "size": "1024x1024", "quality": "low"})
    button = window.editor.generate
    until(qloop, lambda: "over a cap" in button.text())
    predicted = button.toolTip().removeprefix("Would be refused: ")
    assert predicted.startswith("the sandbox is rehearsing your caps: this call's quote is at most $")
    assert "the daily cap is $0.0005 and $0.0000 is spent or reserved today, so $0.0005 is left" in predicted
    call_bar = window.costs.bars["call"]
    quote_max = window.session.prompt.quote.total_usd_max
    assert (
        call_bar.format()
        == f"call: this call ≤ ${quote_max.quantize(Decimal('0.0001'), 'ROUND_CEILING')} of $1.00"
    )
    assert call_bar.value() == int(quote_max / 1 * 1000)
    assert "next call would cross it" in window.costs.bars["day"].format()
    before = len(sandbox.sandbox.requests)
    window.generate()
    until(qloop, lambda: window.message.isVisible())
    refused = window.message.text()
    assert predicted in refused and "(with a key this call would be refused)" in refused  # the same amounts
    assert len(sandbox.sandbox.requests) == before  # nothing sent
    assert window.costs.last.text() == "—"  # a refused call never shows as running

    qloop.run_until_complete(costs.set_cap("day", None))
    qloop.run_until_complete(window.session.cost_watch.refresh())
    until(qloop, lambda: "over a cap" not in button.text() and not button.toolTip().startswith("Would"))
    generate_panels(window, qloop, 1)
    until(qloop, lambda: "sandbox, not charged" in window.costs.last.text())
    assert "$-" not in window.costs.last.text() and "-$0.0000" not in window.costs.last.text()


def test_a_refusal_from_the_painter_shows_in_the_painter(studio, qloop, sandbox):
    window = studio()
    board, painter = painter_with_a_stroke(window, qloop)
    qloop.run_until_complete(window.session.studio.costs.set_cap("call", Decimal("0.0001")))
    before = len(sandbox.sandbox.requests)
    QTest.keyClicks(painter.panel.prompt, "add a boat")
    painter.edit_action.trigger()
    until(qloop, lambda: "Not sent:" in painter.statusBar().currentMessage())
    text = painter.statusBar().currentMessage()
    assert "the sandbox is rehearsing your caps" in text and "per-call cap of $0.0001" in text
    assert len(sandbox.sandbox.requests) == before and not painter.controller.busy


def test_a_job_another_host_never_settled_is_resolved_in_the_jobs_panel(studio, qloop):
    window = studio(is_sandbox=False)  # real spend: a stuck job keeps its quote reserved
    board = generate_panels(window, qloop, 1)
    job_id = board.rows[0].job_id
    db = window.session.service.db  # another host's state, made by hand
    db.run_sync(
        lambda conn: conn.execute(
            "UPDATE jobs SET state = 'sent', billed_usd = NULL, owner_host = 'elsewhere' WHERE id = ?",
            (job_id,),
        )
    )
    window = studio(is_sandbox=False)  # the next start shows it, with what it keeps reserved
    panel, jobs = window.jobs, window.session.jobs
    until(qloop, lambda: any(r.job_id == job_id for r in jobs.rows))
    row = next(i for i, r in enumerate(jobs.rows) if r.job_id == job_id)
    assert jobs.rows[row].state == "stuck" and "on host 'elsewhere'" in jobs.rows[row].text()
    qloop.run_until_complete(window.session.cost_watch.refresh())
    assert window.session.costs.state.today > 0
    panel.list.setCurrentIndex(jobs.index(row))
    assert panel.resolve.isEnabled() and panel.resolve_unknown.isEnabled() and not panel.resend.isEnabled()
    panel.resolve_failed.trigger()
    until(qloop, lambda: all(r.job_id != job_id for r in jobs.rows))
    until(qloop, lambda: window.session.costs.state.today == 0)  # its reservation is released
    assert (
        db.run_sync(lambda conn: conn.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0])
        == "failed"
    )


def test_the_meter_flags_a_bill_over_its_quote_or_estimated_with_the_request_id(qapp):
    from studio.state.cost_model import CostModel
    from studio.ui.cost_meter import CostMeter

    model = CostModel()
    meter = CostMeter(model)
    model.apply(ev.JobQueued("a", "g", 1, Decimal("0.0100")), sandbox=False)
    model.apply(
        ev.JobSaved(
            "a",
            ("x",),
            Decimal("0.1501"),
            "req_over",
            "over the quote: billed $0.1501, quoted at most $0.0100 (request id req_over)",
        ),
        sandbox=False,
    )
    assert meter.last.text() == "$0.1501 · $0.1401 OVER its quote · request id req_over"
    model.apply(ev.JobQueued("b", "g", 1, Decimal("0.0100")), sandbox=False)
    model.apply(
        ev.JobSaved(
            "b",
            ("y",),
            Decimal("0.0100"),
            "req_est",
            "bill estimated: the answer's usage was unusable (no usage)",
        ),
        sandbox=False,
    )
    assert meter.last.text() == (
        "$0.0100 · $0.0000 under its quote · estimated (the answer's usage was unusable) · request id req_est"
    )


@pytest.mark.parametrize("stream", [False, True])
def test_a_partial_answer_is_kept_and_said_in_the_window(studio, qloop, sandbox, stream):
    window = studio()
    sandbox.config.faults.push("drop_after_image")  # the sandbox hangs up after image 1 of 2
    extra = {"partial_images": 1} if stream else {}
    window.session.prompt.load(
        {"prompt": "two boats", "size": "1024x1024", "quality": "low", "n": 2, **extra}
    )
    window.generate()
    board = window.session.board
    until(qloop, lambda: "Saved, but: 1 of 2 images arrived; then" in window.message.text())
    until(qloop, lambda: len(board.rows) == 1 and not board.rows[0].pending)
    assert "sandbox, not charged" in window.costs.last.text()
