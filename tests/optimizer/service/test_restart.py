"""Restart safety against a real server: ``kill -9`` mid-job, then start again: a done job's
result is intact, the running job is failed with the reason, queued jobs run to done, no
result is half-written, and the crashed server's worker cannot overwrite anything. A graceful
stop (SIGTERM) ends the same way."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from optimizer.service.store import STOPPED_REASON
from tests.optimizer.service.conftest import LONG_ROUTING, Server, body, wait_for

FINISHED = {"done", "failed", "cancelled"}


def stored_rows(folder: Path) -> list[tuple[str, str, str | None]]:
    """(id, state, result) of every job, read from the database file itself."""
    with sqlite3.connect(folder / "data" / "jobs.sqlite3") as conn:
        return conn.execute("SELECT id, state, result FROM jobs").fetchall()


def assert_no_half_written_result(folder: Path) -> None:
    for job_id, state, result in stored_rows(folder):
        assert (state == "done") == (result is not None), (job_id, state)
        if result is not None:
            assert isinstance(json.loads(result), dict)


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Server:
    srv = Server(tmp_path_factory.mktemp("restart"), workers=1)
    yield srv
    srv.stop()


def test_kill_9_mid_job_then_start_again(restarted: Server) -> None:
    srv = restarted.start()
    with srv.client() as client:
        finished = client.post("/v1/sourcing/jobs", json=body("sourcing")).json()
        wait_for(client, finished["id"], {"done"})
        result_before = client.get(f"/v1/jobs/{finished['id']}/result").content
        running = client.post("/v1/routing/jobs", json=body("routing", **LONG_ROUTING)).json()
        wait_for(client, running["id"], {"running"})
        queued = [client.post("/v1/sourcing/jobs", json=body("sourcing")).json(),
                  client.post("/v1/routing/jobs", json=body("routing")).json()]
        assert [client.get(f"/v1/jobs/{q['id']}").json()["state"] for q in queued] == \
            ["queued", "queued"]
    crashed_pid = srv.pid
    srv.kill9()
    assert_no_half_written_result(srv.folder)

    srv.start()
    with srv.client() as client:
        assert client.get(f"/v1/jobs/{finished['id']}").json()["state"] == "done"
        assert client.get(f"/v1/jobs/{finished['id']}/result").content == result_before
        failed = client.get(f"/v1/jobs/{running['id']}").json()
        assert failed["state"] == "failed"
        assert failed["error"] == {"code": 1, "error": STOPPED_REASON, "problems": []}
        assert failed["exit_code"] == 1
        for job in queued:
            done = wait_for(client, job["id"], FINISHED)
            assert done["state"] == "done", done
            assert int(done["worker"].rsplit(":", 1)[1]) not in (srv.pid, crashed_pid)
            assert isinstance(client.get(f"/v1/jobs/{job['id']}/result").json(), dict)
        # the crashed server's worker was stopped and wrote nothing over the failed job
        time.sleep(1.5)
        assert client.get(f"/v1/jobs/{running['id']}").json() == failed
        # a failed job can be submitted again
        again = client.post("/v1/routing/jobs", json=body("routing")).json()
        assert wait_for(client, again["id"], FINISHED)["state"] == "done"
    assert_no_half_written_result(srv.folder)


def test_a_graceful_stop_fails_the_running_job_and_keeps_the_queue(restarted: Server) -> None:
    restarted.stop()  # one server per database
    srv = restarted.start()
    with srv.client() as client:
        running = client.post("/v1/routing/jobs", json=body("routing", **LONG_ROUTING)).json()
        wait_for(client, running["id"], {"running"})
        queued = client.post("/v1/sourcing/jobs", json=body("sourcing")).json()
    assert srv.proc is not None
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    states = {job_id: state for job_id, state, _ in stored_rows(srv.folder)}
    assert states[running["id"]] == "failed" and states[queued["id"]] == "queued"
    assert_no_half_written_result(srv.folder)

    srv.start()
    with srv.client() as client:
        assert wait_for(client, queued["id"], FINISHED)["state"] == "done"
        error = client.get(f"/v1/jobs/{running['id']}").json()["error"]
        assert error["error"] == STOPPED_REASON
    # a second server on the same database is refused (both would run its queued jobs)
    second = subprocess.run([sys.executable, "-m", "optimizer", "serve", "--port", "1"],
                            cwd=srv.folder, env=srv.env, capture_output=True, text=True,
                            timeout=60)
    assert second.returncode == 2 and "one server per database" in second.stderr
