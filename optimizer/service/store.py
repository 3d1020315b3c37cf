"""The job store: one ``jobs`` table (SQLAlchemy Core) in SQLite (WAL) or PostgreSQL.

Every state change is one statement in one transaction, conditional on the state it expects;
a worker's writes are also conditional on the job's ``attempt``, so a stale worker (one whose
job was re-dispatched, cancelled or failed by a restart) changes nothing. The result, the report
and the ``done`` state are written by the same statement: a reader sees all of them or none.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

#: Why a job that was running when the service stopped is failed (docs/service.md).
STOPPED_REASON = "the service stopped while this job ran; resubmit it"


class JobState(StrEnum):
    """Where a job is. ``queued`` -> ``running`` -> ``done`` | ``failed`` | ``cancelled``
    (``queued`` -> ``cancelled`` too)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


metadata = sa.MetaData()

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(32), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("instance", sa.Text, nullable=False),        # the instance's JSON text
    sa.Column("created", sa.Float, nullable=False),        # seconds since the epoch (UTC)
    sa.Column("started", sa.Float),
    sa.Column("finished", sa.Float),
    sa.Column("attempt", sa.Integer, nullable=False, default=0),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("max_seconds", sa.Float),                    # wall-clock cap of a run
    sa.Column("worker", sa.String(255)),                   # "host:pid" of the worker
    sa.Column("worker_pid", sa.Integer),
    sa.Column("progress", sa.JSON),
    sa.Column("status", sa.String(32)),
    sa.Column("exit_code", sa.Integer),
    sa.Column("objective", sa.Float),
    sa.Column("bound", sa.Float),
    sa.Column("gap", sa.Float),
    sa.Column("seconds", sa.Float),
    sa.Column("summary", sa.Text),
    sa.Column("error", sa.JSON),
    sa.Column("result", sa.Text),                          # the plan's JSON text
    sa.Column("report", sa.Text),                          # report.html
)

#: The columns of a job's record (everything but the large ones).
_RECORD = [c for c in jobs.c if c.name not in ("instance", "result", "report")]


@dataclass(frozen=True)
class JobRecord:
    """A job as stored, without its instance, result and report (see :meth:`JobStore.result`)."""

    id: str
    kind: str
    state: JobState
    options: dict[str, Any]
    created: float
    started: float | None
    finished: float | None
    attempt: int
    cancel_requested: bool
    max_seconds: float | None
    worker: str | None
    worker_pid: int | None
    progress: dict[str, Any] | None
    status: str | None
    exit_code: int | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float | None
    summary: str | None
    error: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> JobRecord:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["state"] = JobState(values["state"])
        values["cancel_requested"] = bool(values["cancel_requested"])
        return cls(**values)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets its folder created, WAL journaling (readers never
    block the writer) and a 30 s busy timeout (writers wait for each other)."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    return engine


class DatabaseInUse(Exception):
    """Another service holds the database (one server per job store)."""


def lock_database(url: str) -> IO[bytes] | None:
    """Hold an exclusive lock beside a SQLite database for the life of this process (the
    returned file; None for other databases): two servers on one job store would both hand out
    its queued jobs. Raises :class:`DatabaseInUse` when another process holds it."""
    if not url.startswith("sqlite"):
        return None
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        return None
    import fcntl

    path = Path(database + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseInUse(f"another optimizer serve uses the job store {database} "
                            "(one server per database)") from None
    return handle


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


class JobStore:
    """The jobs of one database. Safe to use from several threads and processes."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    # ---- the service's side --------------------------------------------------------------

    def create(self, kind: str, options: dict[str, Any], instance_json: str,
               max_seconds: float | None = None) -> JobRecord:
        """A new queued job (id: a uuid4 hex)."""
        job_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(jobs.insert().values(
                id=job_id, kind=kind, state=JobState.QUEUED.value, options=options,
                instance=instance_json, created=time.time(), attempt=0,
                cancel_requested=False, max_seconds=max_seconds))
        record = self.get(job_id)
        assert record is not None
        return record

    def get(self, job_id: str) -> JobRecord | None:
        """The job's record, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_RECORD).where(jobs.c.id == job_id)).mappings().first()
        return JobRecord.from_row(row) if row else None

    def list(self, state: JobState | None = None, kind: str | None = None,
             limit: int = 100) -> list[JobRecord]:
        """Jobs, newest first."""
        query = sa.select(*_RECORD).order_by(jobs.c.seq.desc()).limit(limit)
        if state is not None:
            query = query.where(jobs.c.state == state.value)
        if kind is not None:
            query = query.where(jobs.c.kind == kind)
        with self.engine.connect() as conn:
            return [JobRecord.from_row(r) for r in conn.execute(query).mappings()]

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        query = sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
        with self.engine.connect() as conn:
            found = {state: count for state, count in conn.execute(query)}
        return {s.value: int(found.get(s.value, 0)) for s in JobState}

    def result(self, job_id: str) -> str | None:
        """The plan's JSON text of a done job (None otherwise)."""
        return self._column(job_id, jobs.c.result)

    def report(self, job_id: str) -> str | None:
        """The report.html of a done job (None otherwise, or when its kind has none)."""
        return self._column(job_id, jobs.c.report)

    def instance(self, job_id: str) -> str | None:
        """The instance's JSON text."""
        return self._column(job_id, jobs.c.instance)

    def _column(self, job_id: str, column: sa.Column[Any]) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(column).where(jobs.c.id == job_id)).scalar()

    def cancel(self, job_id: str) -> JobRecord | None:
        """Cancel a job: a queued one at once (state ``cancelled``), a running one by setting
        its cancel flag (its worker stops the solve and records ``cancelled``). A finished job
        is left as it is. Returns the record after the change (None: no such job)."""
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id,
                                             jobs.c.state == JobState.QUEUED.value).values(
                state=JobState.CANCELLED.value, finished=now, cancel_requested=True,
                exit_code=130,
                error={"code": 130, "error": "cancelled before it started", "problems": []}))
            conn.execute(jobs.update().where(jobs.c.id == job_id,
                                             jobs.c.state == JobState.RUNNING.value).values(
                cancel_requested=True))
        return self.get(job_id)

    def next_queued(self, limit: int, skip: Iterable[str] = ()) -> list[str]:
        """The ids of the oldest queued jobs not in ``skip`` (at most ``limit``)."""
        skip = set(skip)
        query = (sa.select(jobs.c.id).where(jobs.c.state == JobState.QUEUED.value)
                 .order_by(jobs.c.seq).limit(limit + len(skip)))
        with self.engine.connect() as conn:
            found = conn.execute(query).scalars().all()
        return [job_id for job_id in found if job_id not in skip][:limit]

    def claim(self, job_id: str) -> int | None:
        """Take a queued job for a new attempt: its attempt number, or None if it is no longer
        queued."""
        with self.engine.begin() as conn:
            return conn.execute(
                jobs.update().where(jobs.c.id == job_id, jobs.c.state == JobState.QUEUED.value)
                .values(attempt=jobs.c.attempt + 1).returning(jobs.c.attempt)).scalar()

    def release(self, job_id: str, attempt: int) -> bool:
        """A claimed job that did not start stays queued, under a new attempt number (so the
        task that was to run ``attempt`` will not)."""
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(
                jobs.c.id == job_id, jobs.c.attempt == attempt,
                jobs.c.state == JobState.QUEUED.value).values(
                attempt=jobs.c.attempt + 1)).rowcount == 1

    def recover(self, reason: str = STOPPED_REASON) -> int:
        """After a restart (or at shutdown): every running job is failed with ``reason``.
        Queued jobs stay queued and run again. Returns how many jobs were failed."""
        with self.engine.begin() as conn:
            return conn.execute(
                jobs.update().where(jobs.c.state == JobState.RUNNING.value).values(
                    state=JobState.FAILED.value, finished=time.time(), exit_code=1,
                    error={"code": 1, "error": reason, "problems": []})).rowcount

    def lost(self, job_id: str, attempt: int, problem: str, worker_lost: bool = True) -> bool:
        """The task of this attempt raised (``worker_lost``: its worker process died): the job
        fails unless it already finished."""
        error = "the worker running this job was lost" if worker_lost else "internal error"
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(
                jobs.c.id == job_id, jobs.c.attempt == attempt,
                jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])).values(
                state=JobState.FAILED.value, finished=time.time(), exit_code=1,
                error={"code": 1, "error": error, "problems": [problem]})).rowcount == 1

    def ping(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    # ---- a worker's side (every write conditional on the attempt) -------------------------

    def start(self, job_id: str, attempt: int, worker: str, pid: int) -> bool:
        """Mark the attempt running (a retried attempt may already be running). False: the
        job was cancelled, finished or re-dispatched meanwhile; do not run it."""
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(
                jobs.c.id == job_id, jobs.c.attempt == attempt, ~jobs.c.cancel_requested,
                jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])).values(
                state=JobState.RUNNING.value, started=time.time(), worker=worker,
                worker_pid=pid, progress=None)).rowcount == 1

    def should_stop(self, job_id: str, attempt: int) -> bool:
        """Whether the attempt must stop: cancel requested, or the job is no longer this
        attempt's running job (failed by a restart, re-dispatched)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(jobs.c.state, jobs.c.attempt, jobs.c.cancel_requested)
                               .where(jobs.c.id == job_id)).first()
        return (row is None or row.state != JobState.RUNNING.value or row.attempt != attempt
                or bool(row.cancel_requested))

    def progress(self, job_id: str, attempt: int, progress: dict[str, Any]) -> bool:
        """Record the attempt's progress (non-finite numbers become null)."""
        clean = {k: _finite(v) if isinstance(v, float) else v for k, v in progress.items()}
        return self._finish_or_update(job_id, attempt, {"progress": clean})

    def done(self, job_id: str, attempt: int, *, status: str, exit_code: int,
             objective: float | None, bound: float | None, gap: float | None, seconds: float,
             summary: str, result_json: str, report_html: str | None) -> bool:
        """The attempt's outcome, its plan and its report, and the state ``done``: one
        statement. False (nothing written) if the attempt is stale."""
        return self._finish_or_update(job_id, attempt, {
            "state": JobState.DONE.value, "finished": time.time(), "status": status,
            "exit_code": exit_code, "objective": _finite(objective), "bound": _finite(bound),
            "gap": _finite(gap), "seconds": seconds, "summary": summary,
            "result": result_json, "report": report_html, "error": None})

    def failed(self, job_id: str, attempt: int, error: dict[str, Any],
               state: JobState = JobState.FAILED) -> bool:
        """The attempt ended without an outcome (``failed``, or ``cancelled``) with ``error``
        (``{"code", "error", "problems"}``). False if the attempt is stale."""
        return self._finish_or_update(job_id, attempt, {
            "state": state.value, "finished": time.time(), "error": error,
            "exit_code": int(error.get("code", 1))})

    def _finish_or_update(self, job_id: str, attempt: int, values: dict[str, Any]) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(
                jobs.c.id == job_id, jobs.c.attempt == attempt,
                jobs.c.state == JobState.RUNNING.value).values(**values)).rowcount == 1


def dump_json(data: Any) -> str:
    """Compact JSON text."""
    return json.dumps(data, separators=(",", ":"))
