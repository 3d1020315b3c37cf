"""Bounded load test of ``optimizer serve`` (not part of the test suite).

Starts a real server (uvicorn, a temporary data folder, 127.0.0.1), then ``--clients``
concurrent clients submit ``--jobs`` small jobs between them, alternating routing
(``instances/routing/city-day-40.json``, OR-Tools, 5 solutions) and sourcing
(``instances/sourcing/starter.json``); each client waits for its job (long polling:
``GET /v1/jobs/{id}?wait=30``) and fetches the plan JSON. Reports throughput, p50/p95 latency
(submit -> plan fetched), errors (HTTP errors and jobs that did not end ``done``; target zero),
the server process's CPU time and its memory (RSS, sampled over the run and for ``--settle``
seconds after the last job; target: flat, no growth after the jobs finish), and writes a
Markdown table to ``benchmarks/results/service-load.md``.

    python -m benchmarks.service_load                      # 200 jobs, 20 clients, 2 workers
    python -m benchmarks.service_load --jobs 20 --clients 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.metadata import metadata_markdown
from optimizer.settings import REPO_ROOT

INSTANCES = REPO_ROOT / "instances"
RESULTS = REPO_ROOT / "benchmarks" / "results"

#: The two job kinds of the load, with options that keep each solve to a second or two.
JOBS: list[tuple[str, Path, dict[str, Any]]] = [
    ("routing", INSTANCES / "routing" / "city-day-40.json",
     {"engine": "ortools", "time_limit": 5, "solution_limit": 5}),
    ("sourcing", INSTANCES / "sourcing" / "starter.json", {}),
]


@dataclass
class Outcome:
    """One job as a client saw it."""

    kind: str
    seconds: float
    state: str
    error: str | None = None


@dataclass
class Memory:
    """RSS samples (MiB) of the server process and of all its descendants."""

    server: list[tuple[float, float]] = field(default_factory=list)
    children: list[tuple[float, float]] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m optimizer serve`` in a session of its own; returns it and its URL."""
    port = free_port()
    env = {**os.environ, "OPTIMIZER_SERVICE_DIR": str(folder / "data")}
    for name in ("OPTIMIZER_TOKEN", "OPTIMIZER_CLUSTER", "OPTIMIZER_DATABASE_URL"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "serve", "--port", str(port), "--workers",
         str(workers), "--log-level", "warning"], cwd=folder, env=env,
        stdout=(folder / "server.log").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {(folder / 'server.log').read_text()}")
        with contextlib.suppress(OSError):
            if call(url, "GET", "/health", timeout=2)[0] == 200:
                return proc, url
        time.sleep(0.2)
    raise SystemExit("the server did not answer /health in 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then reap everything in its session."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def sample_memory(pid: int, memory: Memory, stop: threading.Event, every: float) -> None:
    server = psutil.Process(pid)
    start = time.monotonic()
    while not stop.is_set():
        try:
            now = time.monotonic() - start
            memory.server.append((now, server.memory_info().rss / 2**20))
            total = 0.0
            for child in server.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            memory.children.append((now, total / 2**20))
        except psutil.Error:
            return
        stop.wait(every)


def call(url: str, method: str, path: str, payload: bytes | None = None,
         timeout: float = 120) -> tuple[int, Any]:
    """One HTTP request (the standard library: the harness needs no HTTP client package);
    returns the status and the parsed JSON body. Raises ``urllib.error.HTTPError`` (an
    ``OSError``) for an error status."""
    request = urllib.request.Request(url + path, data=payload, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def run_client(url: str, requests: list[tuple[str, bytes]], out: list[Outcome],
               lock: threading.Lock) -> None:
    """Submit each job, wait for it to end (long polling), fetch its plan."""
    for kind, payload in requests:
        start = time.monotonic()
        try:
            _, job = call(url, "POST", f"/v1/{kind}/jobs", payload)
            while job["state"] in ("queued", "running"):
                _, job = call(url, "GET", job["links"]["self"] + "?wait=30")
            error = None
            if job["state"] == "done":
                call(url, "GET", job["links"]["result"])
            else:
                error = json.dumps(job.get("error"))
            outcome = Outcome(kind, time.monotonic() - start, job["state"], error)
        except (OSError, ValueError, KeyError) as exc:
            detail = exc.read().decode(errors="replace")[:300] \
                if isinstance(exc, urllib.error.HTTPError) else str(exc)
            outcome = Outcome(kind, time.monotonic() - start, "http error",
                              f"{type(exc).__name__}: {detail}")
        with lock:
            out.append(outcome)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="server --workers")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds of memory sampling after the last job")
    parser.add_argument("--out", type=Path, default=RESULTS / "service-load.md")
    args = parser.parse_args(argv)
    if args.out.is_dir():  # a folder: the report goes in it under its usual name
        args.out = args.out / "service-load.md"

    payloads = []
    for kind, path, options in JOBS:
        data = {"instance": json.loads(path.read_text()), "options": options}
        payloads.append((kind, json.dumps(data).encode()))
    requests = [payloads[i % len(payloads)] for i in range(args.jobs)]
    shares: list[list[tuple[str, bytes]]] = [requests[c::args.clients]
                                             for c in range(args.clients)]

    with tempfile.TemporaryDirectory(prefix="optimizer-load-") as tmp:
        proc, url = start_server(Path(tmp), args.workers)
        memory, stop = Memory(), threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(proc.pid, memory, stop, 0.5))
        try:
            sampler.start()
            time.sleep(1.0)
            idle_rss = memory.server[-1][1] if memory.server else float("nan")
            outcomes: list[Outcome] = []
            lock = threading.Lock()
            start = time.monotonic()
            clients = [threading.Thread(target=run_client, args=(url, share, outcomes, lock))
                       for share in shares if share]
            for thread in clients:
                thread.start()
            for thread in clients:
                thread.join()
            wall = time.monotonic() - start
            end_sample = len(memory.server)
            cpu = psutil.Process(proc.pid).cpu_times()
            server_cpu = cpu.user + cpu.system
            time.sleep(args.settle)
            health = call(url, "GET", "/health", timeout=10)[1]
        finally:
            stop.set()
            sampler.join()
            stop_server(proc)

    rss = [r for _, r in memory.server]
    during, after = rss[:end_sample], rss[end_sample:]
    kids = [r for _, r in memory.children]
    latencies = [o.seconds for o in outcomes]
    errors = [o for o in outcomes if o.state != "done"]
    by_kind = {kind: [o.seconds for o in outcomes if o.kind == kind] for kind, _, _ in JOBS}
    rows = [
        ("jobs", f"{len(outcomes)} ({', '.join(f'{len(v)} {k}' for k, v in by_kind.items())})"),
        ("concurrent clients", str(args.clients)),
        ("server workers", str(args.workers)),
        ("wall time", f"{wall:.1f} s"),
        ("throughput", f"{len(outcomes) / wall:.2f} jobs/s"),
        ("latency p50 / p95 / max", f"{percentile(latencies, 0.5):.2f} / "
                                    f"{percentile(latencies, 0.95):.2f} / "
                                    f"{max(latencies, default=float('nan')):.2f} s"),
        *((f"latency p50 / p95 ({kind})", f"{percentile(v, 0.5):.2f} / "
                                           f"{percentile(v, 0.95):.2f} s")
          for kind, v in by_kind.items() if v),
        ("errors", f"{len(errors)}"),
        ("server process CPU (start to last job)", f"{server_cpu:.1f} s"),
        ("server RSS idle (before the load)", f"{idle_rss:.1f} MiB"),
        ("server RSS during the run: min / median / max",
         f"{min(during):.1f} / {statistics.median(during):.1f} / {max(during):.1f} MiB"
         if during else "n/a"),
        ("server RSS at the last job", f"{during[-1]:.1f} MiB" if during else "n/a"),
        (f"server RSS over the {args.settle:g} s after: first / last",
         f"{after[0]:.1f} / {after[-1]:.1f} MiB" if after else "n/a"),
        ("worker processes' RSS (sum): max during / last after",
         f"{max(kids[:end_sample], default=0):.1f} / {kids[-1] if kids else 0:.1f} MiB"),
        ("queue after the run", f"{health.get('queue')} queued, {health.get('running')} "
                                "running"),
    ]
    lines = ["# Service load test", "", metadata_markdown(), "| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if errors:
        lines += ["", "Errors (first 10):", ""]
        lines += [f"- {o.kind}: {o.state}: {o.error}" for o in errors[:10]]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    print(f"written to {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
