"""The service on a Dask cluster (a real ``LocalCluster`` of one non-daemonic worker process,
in a process of its own): a job is solved on the cluster, reports progress and is cancelled
through the job store, as with local worker processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.optimizer.service.conftest import LONG_ROUTING, Server, body, wait_for

CLUSTER = """
import sys, time, dask
from distributed import LocalCluster
if __name__ == "__main__":
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the test closes stdin
        cluster.close()
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("cluster")
    script = folder / "cluster.py"
    script.write_text(CLUSTER)
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        assert address.startswith("tcp://"), address
        yield address
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_jobs_run_on_the_dask_cluster(cluster: str, tmp_path: Path) -> None:
    srv = Server(tmp_path, env={"OPTIMIZER_CLUSTER": cluster})
    try:
        srv.start()
        with srv.client() as client:
            assert "Dask" in client.get("/health").json()["executor"]
            solved = client.post("/v1/sourcing/solve", json=body("sourcing"))
            assert solved.status_code == 200, solved.text
            assert solved.headers["x-optimizer-status"] == "optimal"
            job = client.post("/v1/routing/jobs", json=body("routing", **LONG_ROUTING)).json()
            job = wait_for(client, job["id"], {"running"}, seconds=60,
                           check=lambda j: j["progress"] is not None)
            assert int(job["worker"].rsplit(":", 1)[1]) != srv.pid
            started = time.monotonic()
            assert client.delete(f"/v1/jobs/{job['id']}").status_code == 202
            job = wait_for(client, job["id"], {"cancelled", "failed", "done"}, seconds=30)
            assert job["state"] == "cancelled" and time.monotonic() - started < 30
    finally:
        srv.stop()
