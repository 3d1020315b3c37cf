"""``optimizer batch``: a folder or a manifest of instances -> results.csv and plan folders;
local worker processes and a Dask LocalCluster given by address."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from optimizer.batch import BATCH_INCOMPLETE, RESULT_COLUMNS, detect_kind
from optimizer.cli import main

REPO = Path(__file__).resolve().parent.parent.parent
SOURCING = REPO / "tests" / "fixtures" / "sourcing" / "valid_small.json"
INFEASIBLE = REPO / "instances" / "sourcing" / "infeasible"  # a CSV folder


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "results.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == RESULT_COLUMNS
        return {Path(row["instance"]).name: row for row in reader}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three small instances: a JSON plan, a CSV folder (infeasible), a malformed JSON."""
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SOURCING, source / "small.json")
    shutil.copytree(INFEASIBLE, source / "tight")
    (source / "broken.json").write_text('{"suppliers": [', encoding="utf-8")
    (source / "notes.txt").write_text("not an instance", encoding="utf-8")
    return source


def test_a_folder_gives_a_row_and_a_plan_folder_per_instance(folder: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["batch", str(folder), "--out", str(out), "--workers", "2", "--seed", "1"])
    assert code == BATCH_INCOMPLETE  # an instance failed, one is infeasible
    rows = _rows(out)
    assert sorted(rows) == ["broken.json", "small.json", "tight"]
    small, tight, broken = rows["small.json"], rows["tight"], rows["broken.json"]
    assert (small["kind"], small["state"], small["status"], small["exit_code"]) == \
        ("sourcing", "ok", "optimal", "0")
    assert float(small["objective"]) > 0 and small["attempts"] == "1"
    assert (tight["state"], tight["status"], tight["exit_code"]) == ("ok", "infeasible", "3")
    assert (broken["state"], broken["exit_code"]) == ("failed", "2")
    assert "invalid JSON" in broken["error"] and broken["folder"] == ""
    # each plan folder holds what 'optimizer sourcing solve --out' writes
    cli = tmp_path / "cli"
    assert main(["sourcing", "solve", str(SOURCING), "--out", str(cli), "--seed", "1"]) == 0
    assert sorted(p.name for p in (out / "small").iterdir()) == \
        sorted(p.name for p in cli.iterdir())
    written = json.loads((out / "small" / "plan.json").read_text())
    assert written["allocations"] == json.loads((cli / "plan.json").read_text())["allocations"]
    assert (out / "tight" / "plan.json").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "small", "tight"]


def test_a_manifest_with_kinds_and_options_per_row(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(SOURCING, tmp_path / "data" / "a.json")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("instance,kind,name,seed,time_limit\n"
                        "data/a.json,sourcing,first,1,30\n"
                        f"{SOURCING},,second,,\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "--out", str(out), "--workers", "1"]) == 0
    rows = _rows(out)
    assert [r["folder"] for r in rows.values()] == ["first", "second"]
    assert all(r["state"] == "ok" and r["exit_code"] == "0" for r in rows.values())
    assert (out / "first" / "report.html").is_file()
    # an earlier batch's folder is replaced; a bad option fails its row only
    manifest.write_text("instance,gap\ndata/a.json,2\n", encoding="utf-8")
    assert main(["batch", str(manifest), "--out", str(out), "--workers", "1"]) == \
        BATCH_INCOMPLETE
    row = _rows(out)["a.json"]
    assert row["state"] == "failed" and row["exit_code"] == "2" and "gap" in row["error"]
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]


def test_bad_batch_input_is_refused_before_any_solve(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("path\nx.json\n", encoding="utf-8")
    assert main(["batch", str(manifest), "--out", str(tmp_path / "out")]) == 2
    manifest.write_text("instance\nmissing.json\n", encoding="utf-8")
    assert main(["batch", str(manifest), "--out", str(tmp_path / "out")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["batch", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert main(["batch", str(manifest), "--out", str(other)]) == 2  # not a batch folder
    assert not (tmp_path / "out").exists()


def test_the_kind_is_told_by_the_tables() -> None:
    assert detect_kind(SOURCING) == "sourcing"
    assert detect_kind(INFEASIBLE) == "sourcing"
    assert detect_kind(REPO / "instances" / "routing" / "city-day-40.xlsx") == "routing"
    assert detect_kind(REPO / "instances" / "network" / "starter.json") == "network"
    assert detect_kind(REPO / "instances" / "plan" / "starter") == "plan"


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    """A real LocalCluster (processes, 2 non-daemonic single-thread workers)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        try:
            yield cluster.scheduler_address
        finally:
            cluster.close()


def test_a_batch_on_a_dask_cluster_given_by_address(folder: Path, tmp_path: Path,
                                                    cluster_address: str) -> None:
    out = tmp_path / "out"
    code = main(["batch", str(folder), "--out", str(out), "--cluster", cluster_address])
    assert code == BATCH_INCOMPLETE
    rows = _rows(out)
    assert [rows[n]["state"] for n in ("small.json", "tight", "broken.json")] == \
        ["ok", "ok", "failed"]
    assert (out / "small" / "plan.json").is_file()


def test_a_frontier_on_a_dask_cluster_given_by_address(tmp_path: Path,
                                                       cluster_address: str) -> None:
    out = tmp_path / "frontier"
    assert main(["sourcing", "frontier", str(SOURCING), "--out", str(out), "--points", "3",
                 "--cluster", cluster_address]) == 0
    points = json.loads((out / "frontier.json").read_text())
    assert points  # the checked plans came back from the workers


def test_sigterm_stops_a_batch_leaving_no_worker_and_no_output(tmp_path: Path) -> None:
    import signal
    import time

    from models.sourcing import generate_instance
    from optimizer.formats.sourcing import write_sourcing_instance
    from tests.optimizer.test_signals import _alive, _children, _start

    source = tmp_path / "in"
    source.mkdir()
    for seed in (0, 1):  # HiGHS needs a minute or more to prove each
        write_sourcing_instance(generate_instance(100, 400, seed=seed),
                                source / f"big-{seed}.json", "json")
    out = tmp_path / "out"
    process = _start("batch", str(source), "--out", str(out), "--workers", "2")
    children: set[int] = set()
    while process.poll() is None and len(children) < 3:  # 2 workers and the resource tracker
        children |= _children(process.pid)
        time.sleep(0.1)
    assert process.poll() is None, "the batch ended before its workers started"
    time.sleep(1.0)
    children |= _children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.stdout is not None
    rest = process.stdout.read()
    assert process.wait(timeout=120) == 130, rest[-2000:]
    assert "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no out, no staged copy
    for _ in range(300):
        if not _alive(children):
            break
        time.sleep(0.1)
    assert _alive(children) == set()
