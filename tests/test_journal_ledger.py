"""Journal, reconciliation, budget caps (including the race) and the ledger."""

from __future__ import annotations

import sqlite3
import threading
from decimal import Decimal

import pytest

from studio.core.request import ImageRequest
from studio.service import journal, ledger
from studio.service.db import MIGRATIONS, Database, SchemaTooNew, connect
from studio.service.journal import JobState, NewJob
from studio.service.ledger import OverBudget


def _job(usd: str, *, board_id=None, sandbox=False, group="g") -> NewJob:
    return NewJob(
        group_id=group,
        seq=0,
        first_index=0,
        board_id=board_id,
        endpoint="http://x/v1",
        sandbox=sandbox,
        kind="generate",
        model="gpt-image-2",
        prompt="p",
        n=1,
        request={"prompt": "p"},
        quote={},
        quote_max_usd=Decimal(usd),
    )


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "lib.sqlite3")
    yield c
    c.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path):
    path = tmp_path / "lib.sqlite3"
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew, match="newer Asset Studio"):
        connect(path)


def test_reconcile_touches_only_jobs_of_dead_processes(conn):
    with journal.transaction(conn):
        mine = journal.insert_job(conn, _job("1"))
        dead_sent = journal.insert_job(conn, _job("1"))
        dead_queued = journal.insert_job(conn, _job("1"))
        dead_received = journal.insert_job(conn, _job("1"))
    journal.mark(conn, mine, JobState.SENT)
    for job_id, state in ((dead_sent, "sent"), (dead_queued, "queued"), (dead_received, "received")):
        conn.execute("UPDATE jobs SET state = ?, owner_pid = ? WHERE id = ?", (state, 2**22 + 12345, job_id))
    changed = journal.reconcile(conn)
    states = {r["id"]: r for r in journal.list_jobs(conn)}
    assert set(changed) == {dead_sent, dead_queued, dead_received}
    assert states[mine]["state"] == "sent"  # a live process's job is left alone
    assert (
        states[dead_sent]["state"] == "unknown"
        and "may have been processed and billed" in states[dead_sent]["error_message"]
    )
    assert (
        states[dead_queued]["state"] == "failed"
        and "nothing was sent" in states[dead_queued]["error_message"]
    )
    assert (
        states[dead_received]["state"] == "unknown"
        and "it was billed" in states[dead_received]["error_message"]
    )


def test_caps_refuse_before_anything_is_sent_and_name_the_numbers(conn):
    ledger.set_cap(conn, "day", Decimal("1.00"))
    ledger.reserve(conn, [_job("0.70")])
    with pytest.raises(OverBudget) as err:
        ledger.reserve(conn, [_job("0.40")])
    assert str(err.value) == (
        "this call's quote is at most $0.4000; the daily cap is $1.00 and $0.7000 is spent or reserved "
        "today, so $0.3000 is left"
    )
    with pytest.raises(OverBudget, match="per-call cap of \\$0.10"):
        ledger.reserve(conn, [_job("0.20")], call_cap=Decimal("0.10"))
    with pytest.raises(
        OverBudget
    ) as rehearsed:  # the sandbox rehearses the caps exactly as a key would meet them
        ledger.reserve(conn, [_job("0.40", sandbox=True)])
    assert str(rehearsed.value) == (
        "the sandbox is rehearsing your caps: " + str(err.value) + " (with a key this call would be refused)"
    )
    ledger.reserve(conn, [_job("0.25", sandbox=True)])
    assert ledger.totals(conn).today == Decimal("0.70")  # sandbox calls never add to spend


def test_money_text_never_rounds_a_cap_never_shows_minus_zero_and_left_rounds_down():
    from studio.core.money import format_cap, format_usd, format_usd_left

    assert format_cap(Decimal("5")) == "$5.00" and format_cap(Decimal("4.999")) == "$4.999"
    assert format_cap(Decimal("0.125")) == "$0.125" and format_cap(Decimal("1E+1")) == "$10.00"
    assert format_usd(Decimal("-0.00001")) == "$0.0000" and format_usd(Decimal("-0.01")) == "-$0.0100"
    assert format_usd(Decimal("0.00001")) == "$0.0001"  # a quote is rounded up
    assert format_usd_left(Decimal("0.00019")) == "$0.0001" and format_usd_left(Decimal("-0.5")) == "$0.0000"


def test_reservations_settle_to_the_bill_and_failures_release(conn):
    ledger.set_cap(conn, "month", Decimal("1"))
    [a] = ledger.reserve(conn, [_job("0.9")])
    journal.mark(conn, a, JobState.SAVED, billed_usd="0.10")
    [b] = ledger.reserve(conn, [_job("0.85")])  # fits only because a settled to its bill
    journal.mark(conn, b, JobState.FAILED)
    [c] = ledger.reserve(conn, [_job("0.85")])  # b released its reservation
    journal.mark(conn, c, JobState.UNKNOWN)  # may have been billed: stays reserved
    with pytest.raises(OverBudget):
        ledger.reserve(conn, [_job("0.10")])


def test_the_cap_race_two_connections_only_one_wins(tmp_path):
    path = tmp_path / "lib.sqlite3"
    setup = connect(path)
    ledger.set_cap(setup, "day", Decimal("1.00"))
    setup.close()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def contender() -> None:
        conn = connect(path)
        barrier.wait()
        try:
            ledger.reserve(conn, [_job("0.60")])
            results.append("ok")
        except OverBudget:
            results.append("refused")
        finally:
            conn.close()

    threads = [threading.Thread(target=contender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]


def test_the_cap_race_through_the_service_sends_one_request(run, sandbox, service_factory):
    import asyncio

    service = service_factory()
    service.db.run_sync(ledger.set_cap, "day", Decimal("0.01"))
    req = ImageRequest(prompt="x", size="1024x1024", quality="low")  # quote <= $0.006: one fits, two do not

    async def both():
        return await asyncio.gather(service.submit(req), service.submit(req), return_exceptions=True)

    results = run(both())
    assert sum(isinstance(r, OverBudget) for r in results) == 1
    assert sum(1 for r in sandbox.sandbox.requests if r["path"] == "/v1/images/generations") == 1


def test_board_caps_and_totals(run, service_factory):
    from studio.service import library

    service = service_factory()
    service.db.run_sync(library.set_board_budget, "Tiny", Decimal("0.001"))
    with pytest.raises(OverBudget, match="board 'Tiny'"):
        run(service.submit(ImageRequest(prompt="x", size="1024x1024", quality="low"), board="Tiny"))
    run(service.submit(ImageRequest(prompt="x", size="1024x1024", quality="low"), board="Big"))
    totals = service.db.run_sync(ledger.totals)
    assert set(totals.by_board) == {"Big"} and totals.today == totals.by_board["Big"] > 0


def test_ledger_csv(conn):
    from studio.service import library

    bid = library.board_id(conn, "=HYPERLINK(1)")
    [a] = ledger.reserve(conn, [_job("0.5", board_id=bid)])
    journal.mark(conn, a, JobState.SAVED, billed_usd="0.25", request_id="req_1")
    text = ledger.ledger_csv(ledger.ledger_rows(conn))
    header, row = text.strip().splitlines()
    assert header.split(",") == ledger.LEDGER_COLUMNS
    assert "'=HYPERLINK(1)" in row and ",0.25,0.25,req_1," in row


def test_database_runs_off_the_event_loop_thread(tmp_path, run):
    db = Database(tmp_path / "lib.sqlite3")
    caller = threading.get_ident()

    def where(conn: sqlite3.Connection) -> int:
        return threading.get_ident()

    assert run(db.run(where)) != caller
    db.close()


def test_an_unknown_job_can_be_resolved_as_failed_and_releases_its_reservation(conn):
    from studio.core.errors import RefusedError
    from studio.service import journal

    [job_id] = ledger.reserve(conn, [_job("0.50")])
    journal.mark(conn, job_id, journal.JobState.UNKNOWN, error_kind="interrupted")
    assert ledger.totals(conn).today == Decimal("0.50")  # may have been billed: counted at its bound
    with pytest.raises(RefusedError):
        journal.resolve(conn, job_id, "unknown")  # it is unknown already
    journal.resolve(conn, job_id[:5], "failed")  # the user checked: not billed
    assert ledger.totals(conn).today == 0
    with pytest.raises(RefusedError, match="only queued, sent or received jobs can be resolved"):
        journal.resolve(conn, job_id, "unknown")
