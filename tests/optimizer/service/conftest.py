"""A real ``optimizer serve`` (uvicorn) on 127.0.0.1 for the service tests, and helpers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
INSTANCES = ROOT / "instances"

#: The shipped examples and options that keep each solve to seconds.
EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "sourcing": ("sourcing/starter.json", {}),
    "routing": ("routing/city-day-40.json",
                {"engine": "ortools", "time_limit": 5, "solution_limit": 5}),
    "network": ("network/starter.json", {}),
    "plan": ("plan/starter.json", {"route_seconds": 1, "time_limit": 3}),
}

#: A routing job that runs until it is cancelled (or for a minute).
LONG_ROUTING = {"engine": "pyvrp", "time_limit": 60, "solution_limit": None}

TOKEN = "test-token-7c1e"


def example(kind: str) -> dict[str, Any]:
    """The shipped example of ``kind`` as parsed JSON."""
    return json.loads((INSTANCES / EXAMPLES[kind][0]).read_text())


def body(kind: str, **options: Any) -> dict[str, Any]:
    """A job request for the shipped example of ``kind`` with its quick options."""
    return {"instance": example(kind), "options": {**EXAMPLES[kind][1], **options}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m optimizer serve`` in a session of its own (so that :meth:`stop` can reap
    every process it started, even after a ``kill -9``)."""

    def __init__(self, folder: Path, *, token: str | None = None, workers: int = 1,
                 env: dict[str, str] | None = None) -> None:
        self.folder, self.token, self.workers = folder, token, workers
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("OPTIMIZER_CLUSTER", "OPTIMIZER_DATABASE_URL")}
        self.env.update({"OPTIMIZER_SERVICE_DIR": str(folder / "data"), **(env or {})})
        if token:
            self.env["OPTIMIZER_TOKEN"] = token
        else:
            self.env.pop("OPTIMIZER_TOKEN", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.groups: list[int] = []
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> Server:
        self.port = free_port()
        self.starts += 1
        log = (self.folder / f"server-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "optimizer", "serve", "--port", str(self.port),
             "--workers", str(self.workers), "--log-level", "warning"],
            cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.groups.append(self.proc.pid)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: "
                                   f"{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /health: {self.log()}")

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.folder.glob("server-*.log")))

    def client(self, token: str | None = None) -> httpx.Client:
        token = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def kill9(self) -> None:
        """Kill the server process alone, as a crash would (its workers are left over)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM), then reap every process of every start."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)


def wait_for(client: httpx.Client, job_id: str, states: set[str], seconds: float = 120,
             check: Any = None) -> dict[str, Any]:
    """Poll the job until its state is in ``states`` (and ``check(job)`` holds)."""
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states and (check is None or check(job)):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} never reached {states}: {job}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for a module: a token, one worker, a 1 MB body limit, an 8 s sync cap and a
    120 s time cap."""
    srv = Server(tmp_path_factory.mktemp("service"), token=TOKEN, env={
        "OPTIMIZER_MAX_BODY_BYTES": str(1024 * 1024), "OPTIMIZER_SYNC_SECONDS": "8",
        "OPTIMIZER_MAX_JOB_SECONDS": "120"})
    try:
        yield srv.start()
    finally:
        srv.stop()
