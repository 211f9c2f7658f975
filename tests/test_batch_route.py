"""The Batch route through the service API, the real SDK and the sandbox: placeholders filled in the
template's order, bills at Batch prices, caps reserved and released, failed lines, cancel, expiry, a
restart while a batch is open, edits with images uploaded once, a submit cut short."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest

from studio.core.placement import Placement
from studio.core.pricing import bill_from_usage
from studio.core.request import EditRequest, ImageRequest
from studio.core.variants import expand
from studio.service.api import OverBudget, Studio
from tests.schema import validate as schema_validate


@pytest.fixture
def api(sandbox, service_factory):
    sandbox.config.batch_seconds = 0.3
    return Studio.around(service_factory())


def requests_of(template, **fields):
    fields = {"size": "1024x1024", "quality": "low", **fields}
    return [ImageRequest(v.prompt, **fields) for v in expand(template)]


def until_fetched(run, api, batch_id, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row, got = run(api.batches.fetch(batch_id))
        if row["fetched_at"]:
            return row, got
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} did not end: {row['status']}")


def jobs_of(api, run, batch_id):
    return [j for j in run(api.jobs.rows(limit=500)) if j["group_id"] == batch_id]


def test_variants_as_a_batch_fill_their_placeholders_in_the_templates_order(api, run, registry):
    requests = requests_of("a {red|blue} kite over {dunes|sea}")
    [sent] = run(api.batches.submit(requests, Placement.end("Kites")))
    board = run(api.boards.id_of("Kites"))
    blanks = run(api.boards.panels(board))
    assert [p["path"] for p in blanks] == [None] * 4  # placeholders at once, before anything ran
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "completed" and got.images == 4 and not got.failed
    panels = run(api.boards.panels(board))
    assert [p["id"] for p in panels] == [p["id"] for p in blanks]  # filled in place, in order
    prompts = [json.loads(p["request_json"])["prompt"] for p in panels]
    assert prompts == [r.prompt for r in requests]
    spec = registry.get("gpt-image-2")
    for job in jobs_of(api, run, sent.batch_id):
        usage = json.loads(job["usage_json"])
        assert Decimal(job["billed_usd"]) == bill_from_usage(usage, spec, batch=True).usd
        assert Decimal(job["billed_usd"]) * 2 == bill_from_usage(usage, spec).usd  # half price
    assert got.billed_usd == sum(Decimal(j["billed_usd"]) for j in jobs_of(api, run, sent.batch_id))
    sidecar = json.loads(open(panels[0]["path"] + ".json", encoding="utf-8").read())
    assert sidecar["params"]["route"] == "batch" and sidecar["request_id"]
    again_row, again = run(api.batches.fetch(sent.batch_id))
    assert again is None and len(run(api.boards.panels(board))) == 4  # nothing twice


def test_caps_are_reserved_at_batch_prices_and_released_when_the_batch_fails(api, run, sandbox):
    requests = requests_of("a {red|blue|green|gold} kite")
    both = api.batches.quote_both(requests)
    assert both.batch_max is not None and both.batch_max < both.now_max
    run(api.costs.set_cap("day", both.batch_max * Decimal("1.1")))  # a batch fits; sent now would not
    with pytest.raises(OverBudget):
        run(api.batches.send_now(requests, Placement.library()))
    sandbox.sandbox.config.faults.push("batch/token_limit")
    [sent] = run(api.batches.submit(requests, Placement.library()))
    assert run(api.costs.totals()).today == both.batch_max  # the whole bound is reserved while it runs
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "failed" and "queue for this model is full" in row["message"]
    assert {f["kind"] for f in got.failed} == {"batch_failed"} and len(got.failed) == 4
    assert all("not billed" in f["message"].lower() for f in got.failed)
    assert run(api.costs.totals()).today == 0  # released
    uploads = len(sandbox.sandbox.files.files)
    with pytest.raises(OverBudget):
        run(api.batches.submit(requests * 2, Placement.library()))
    assert len(sandbox.sandbox.files.files) == uploads  # refused before anything was uploaded


def test_a_failing_line_is_explained_on_its_job_and_its_placeholder_goes(api, run, sandbox):
    sandbox.sandbox.config.faults.push("line/ok,line/moderation_input")
    [sent] = run(api.batches.submit(requests_of("a {red|blue|green} kite"), Placement.end("Mod")))
    row, got = until_fetched(run, api, sent.batch_id)
    assert got.images == 2
    [failed] = got.failed
    assert failed["kind"] == "moderation_blocked" and "safety system (input stage)" in failed["message"]
    jobs = {j["id"]: j for j in jobs_of(api, run, sent.batch_id)}
    assert jobs[failed["job_id"]]["state"] == "failed" and jobs[failed["job_id"]]["billed_usd"] is None
    board = run(api.boards.id_of("Mod"))
    assert len(run(api.boards.panels(board))) == 2  # the blank one went to the trash
    assert len(run(api.boards.trashed(board))) == 1


def test_cancel_keeps_and_bills_what_finished_and_the_rest_is_not_billed(api, run, sandbox):
    sandbox.config.batch_seconds = 4.0
    [sent] = run(api.batches.submit(requests_of("kite {1|2|3|4|5|6|7|8}"), Placement.library()))
    deadline = time.monotonic() + 30
    while run(api.batches.status(sent.batch_id))["completed"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert run(api.batches.cancel(sent.batch_id))["status"] == "cancelling"
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "cancelled"
    assert 1 <= got.images < 8 and got.images + len(got.failed) == 8
    assert {f["kind"] for f in got.failed} == {"cancelled"}
    assert all(f["message"] == "Cancelled before it ran: not billed." for f in got.failed)
    assert run(api.costs.totals()).today == got.billed_usd > 0


def test_an_expired_batch_keeps_what_finished(api, run, sandbox):
    sandbox.sandbox.config.faults.push("batch/expire")
    [sent] = run(api.batches.submit(requests_of("kite {1|2|3|4}"), Placement.library()))
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "expired" and got.images == 2
    assert [f["kind"] for f in got.failed] == ["expired", "expired"]
    assert "within 24 h" in got.failed[0]["message"]


def test_a_model_the_batch_api_refuses_reads_plainly_and_releases_its_reservation(api, run):
    requests = requests_of("{a|b}", model="gpt-image-2.6-sunburst")
    [sent] = run(api.batches.submit(requests, Placement.library()))
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "failed"
    assert "not supported by the Batch API" in row["message"] and "Images API" in row["message"]
    assert run(api.costs.totals()).today == 0


def test_a_restart_while_a_batch_is_open_resumes_polling(sandbox, service_factory, run, pinned_clock):
    sandbox.config.batch_seconds = 1.5
    first = Studio.around(service_factory())
    [sent] = run(first.batches.submit(requests_of("kite {1|2|3}"), Placement.end("Resume")))
    run(first.images.close())
    second = Studio.around(service_factory())  # the same library, a new process's view
    assert [j["state"] for j in jobs_of(second, run, sent.batch_id)] == ["sent"] * 3  # not reconciled away
    open_ids = [b["id"] for b in run(second.images.batches.open_batches())]
    assert open_ids == [sent.batch_id]
    polls = [run(second.batches.poll_due())]
    assert len(polls[0]) == 1  # due at once after the restart
    assert run(second.batches.poll_due()) == []  # then not before its backoff: a minute, growing
    deadline = time.monotonic() + 30
    while run(second.batches.open_count()) and time.monotonic() < deadline:
        pinned_clock.advance(dt.timedelta(minutes=10))
        polls.append(run(second.batches.poll_due()))
        time.sleep(0.1)
    board = run(second.boards.id_of("Resume"))
    assert [p["path"] is not None for p in run(second.boards.panels(board))] == [True] * 3


def test_edits_in_a_batch_upload_each_image_once(api, run, sandbox, png_file):
    source = png_file(1024, 1024)
    mask = png_file(1024, 1024, mode="RGBA", name="mask.png")
    requests = [
        EditRequest(p.prompt, images=(source,), mask=mask, size="1024x1024", quality="low")
        for p in expand("make the sky {pink|green|gold}")
    ]
    [sent] = run(api.batches.submit(requests, Placement.library()))
    row, got = until_fetched(run, api, sent.batch_id)
    assert got.images == 3 and not got.failed
    stored = list(sandbox.sandbox.files.files.values())
    assert sorted(f.purpose for f in stored if f.purpose == "user_data") == ["user_data", "user_data"]
    [jsonl] = [f for f in stored if f.purpose == "batch"]
    lines = [json.loads(raw) for raw in jsonl.path.read_text().splitlines()]
    ids = {line["body"]["images"][0]["file_id"] for line in lines}
    assert len(ids) == 1 and len({line["body"]["mask"]["file_id"] for line in lines}) == 1
    for line in lines:
        assert line["url"] == "/v1/images/edits"
        schema_validate(line["body"], "EditImageBodyJsonParam")


def test_a_submit_cut_short_is_found_by_its_metadata_or_said_unsent(api, run):
    [sent] = run(api.batches.submit(requests_of("kite {1|2}"), Placement.library()))
    db = api.images.db  # the crash window: OpenAI has the batch, the library never recorded its id
    db.run_sync(lambda c: c.execute("UPDATE batches SET remote_id = NULL, status = 'preparing'"))
    row = run(api.batches.status(sent.batch_id))
    assert row["remote_id"] == sent.remote_id
    row, got = until_fetched(run, api, sent.batch_id)
    assert got.images == 2


def test_a_submit_killed_before_the_upload_fails_its_lines_unbilled(api, run, monkeypatch):
    from studio.service import batch_submit

    def killed(*args, **kwargs):
        raise SystemExit("killed")  # like kill -9 here: no except clause of the app runs

    monkeypatch.setattr(batch_submit, "_upload_jsonl", killed)
    requests = requests_of("boat {1|2}")
    with pytest.raises(SystemExit):
        run(api.batches.submit(requests, Placement.end("Boats")))
    monkeypatch.undo()
    [row] = run(api.batches.listing())
    assert row["status"] == "preparing" and run(api.costs.totals()).today > 0  # reserved meanwhile
    row = run(api.batches.status(row["id"]))
    assert row["status"] == "failed" and "nothing was sent or billed" in row["message"]
    assert run(api.costs.totals()).today == 0
    assert run(api.boards.panels(run(api.boards.id_of("Boats")))) == []  # its placeholders went


def test_a_stopped_sandboxs_batch_ends_at_the_next_poll(sandbox, service_factory, run, tmp_path):
    from studio.service.endpoint import Endpoint
    from studio.service.runner import ImageService

    first = Studio.around(service_factory(is_sandbox=True))
    [sent] = run(first.batches.submit(requests_of("kite {1|2}"), Placement.end("Gone")))
    run(first.images.close())
    elsewhere = Endpoint(sandbox.base_url.replace("127.0.0.1", "localhost"), "k", is_sandbox=True)
    later = Studio.around(run(ImageService.open(elsewhere, root=tmp_path / "library", tier=5)))
    try:
        run(later.batches.poll_due())
        [row] = run(later.batches.listing())
        assert row["id"] == sent.batch_id and row["status"] == "expired" and row["fetched_at"]
        assert "sandbox that ran this batch has stopped" in row["message"]
        assert run(later.boards.panels(run(later.boards.id_of("Gone")))) == []  # its placeholders went
    finally:
        run(later.images.close())


def test_more_requests_than_a_batch_takes_are_split_into_several(api, run, monkeypatch):
    from studio.core.batch_limits import BatchLimits

    # the API's is 50,000 per input file (monkeypatch: the registry is shared, the sandbox's too)
    monkeypatch.setattr(api.images.registry, "batch_api", BatchLimits(max_requests=3))
    sent = run(api.batches.submit(requests_of("kite {1|2|3|4|5|6|7}"), Placement.end("Split")))
    assert [s.requests for s in sent] == [3, 3, 1] and all(s.remote_id for s in sent)
    for s in sent:
        until_fetched(run, api, s.batch_id)
    prompts = [
        json.loads(p["request_json"])["prompt"]
        for p in run(api.boards.panels(run(api.boards.id_of("Split"))))
    ]
    assert prompts == [f"kite {i}" for i in range(1, 8)]  # the template's order across the batches


def test_a_batch_whose_every_line_failed_is_fetched_from_its_error_file(api, run, sandbox):
    sandbox.sandbox.config.faults.push("line/moderation_input:2")
    [sent] = run(api.batches.submit(requests_of("kite {1|2}"), Placement.library()))
    row, got = until_fetched(run, api, sent.batch_id)
    assert row["status"] == "completed" and row["output_file_id"] is None  # the doc's quirk
    assert got.images == 0 and [f["kind"] for f in got.failed] == ["moderation_blocked"] * 2
    assert run(api.costs.totals()).today == 0


def test_a_split_set_that_would_not_fit_a_cap_is_refused_before_its_first_batch(
    api, run, sandbox, monkeypatch
):
    from studio.core.batch_limits import BatchLimits

    monkeypatch.setattr(api.images.registry, "batch_api", BatchLimits(max_requests=2))
    requests = requests_of("kite {1|2|3|4}")
    both = api.batches.quote_both(requests)
    run(api.costs.set_cap("day", both.batch_max * Decimal("0.75")))  # the first batch fits, not all
    with pytest.raises(OverBudget, match="in 2 batches together"):
        run(api.batches.submit(requests, Placement.library()))
    assert run(api.batches.listing()) == [] and not sandbox.sandbox.files.files


def test_a_result_no_folder_could_take_keeps_the_batch_open_and_is_saved_at_the_next_fetch(
    api, run, monkeypatch
):
    from studio.service import batch_fetch
    from studio.service.results import SaveFailed

    real, calls = batch_fetch.save_files, []

    async def full_disk(*args, **kwargs):  # the library, the recovery and the temp folders all full, once
        calls.append(1)
        if len(calls) == 1:
            raise SaveFailed(
                "could not save image 1 anywhere (No space left on device); it is still in memory"
            )
        return await real(*args, **kwargs)

    monkeypatch.setattr(batch_fetch, "save_files", full_disk)
    [sent] = run(api.batches.submit(requests_of("kite {1|2}"), Placement.end("Full")))
    deadline = time.monotonic() + 30
    while run(api.batches.status(sent.batch_id))["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    row, got = run(api.batches.fetch(sent.batch_id))
    assert len(got.unsaved) == 1 and got.images == 1
    assert row["fetched_at"] is None and "could not be saved" in row["message"]  # still open: nothing lost
    row, again = run(api.batches.fetch(sent.batch_id))
    assert again.images == 1 and row["fetched_at"] and not again.unsaved
    board = run(api.boards.id_of("Full"))
    assert [p["path"] is not None for p in run(api.boards.panels(board))] == [True, True]


def test_a_submit_refused_outright_stays_said_as_refused(api, run, monkeypatch):
    from studio.service import batch_submit

    def refused(*args, **kwargs):
        raise ValueError("the input file was refused")

    monkeypatch.setattr(batch_submit, "_upload_jsonl", refused)
    [sent] = run(api.batches.submit(requests_of("boat {1|2}"), Placement.end("Refused")))
    assert sent.remote_id is None and "was not created" in (sent.message or "")
    row = run(api.batches.status(sent.batch_id))  # a later poll does not take it up as cut short
    assert row["status"] == "failed" and row["fetched_at"] and "was not created" in row["message"]
    assert run(api.costs.totals()).today == 0
    assert run(api.boards.panels(run(api.boards.id_of("Refused")))) == []
