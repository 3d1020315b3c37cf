"""A real server whose temp folder is cleaned under it, and a low time cap: the executor's
marker folder removed does not break later jobs (nor /health); a request without a time limit
gets the kind's default lowered to the cap, not a 400 about a field it never sent."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.optimizer.service.conftest import Server, body, wait_for


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path_factory.mktemp("robust")
    tmp = folder / "tmp"
    tmp.mkdir()
    srv = Server(folder, workers=1, env={"TMPDIR": str(tmp), "OPTIMIZER_MAX_JOB_SECONDS": "2",
                                         "OPTIMIZER_SYNC_SECONDS": "60"})
    try:
        yield srv.start(), tmp
    finally:
        srv.stop()


def test_jobs_still_run_after_a_temp_cleaner_removed_the_executors_folder(
        cleaned: tuple[Server, Path]) -> None:
    server, tmp = cleaned
    with server.client() as client:
        assert client.post("/v1/sourcing/solve", json=body("sourcing")).status_code == 200
        removed = list(tmp.glob("optimizer-tasks-*"))
        assert removed, "the executor keeps its marker folder in TMPDIR"
        for folder in removed:
            shutil.rmtree(folder)
        for _ in range(2):
            response = client.post("/v1/sourcing/solve", json=body("sourcing"))
            assert response.status_code == 200, response.text
            assert str(tmp) not in response.text
        health = httpx.get(f"{server.url}/health")
        assert health.status_code == 200 and health.json()["executor_status"] == "ok"


def test_an_absent_time_limit_is_the_default_lowered_to_the_cap(
        cleaned: tuple[Server, Path]) -> None:
    server, _tmp = cleaned
    with server.client() as client:
        request = body("routing")
        del request["options"]["time_limit"]  # the default (10 s) is over the 2 s cap
        response = client.post("/v1/routing/jobs", json=request)
        assert response.status_code == 202, response.text
        job = response.json()
        assert job["options"]["time_limit"] == 2
        request["options"]["time_limit"] = None  # null: no limit, i.e. the cap
        assert client.post("/v1/routing/jobs", json=request).json()["options"][
            "time_limit"] == 2
        request["options"]["time_limit"] = 3  # asked for, over the cap: refused
        refused = client.post("/v1/routing/jobs", json=request)
        assert refused.status_code == 400 and "time_limit" in refused.json()["problems"][0]
        plan = client.post("/v1/plan/jobs", json={"instance": body("plan")["instance"]})
        assert plan.status_code == 202 and plan.json()["options"]["route_seconds"] == 2
        for queued in client.get("/v1/jobs", params={"state": "queued"}).json()["jobs"]:
            client.delete(f"/v1/jobs/{queued['id']}")
        wait_for(client, job["id"], {"done", "failed", "cancelled"})
