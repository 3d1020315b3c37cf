"""The FastAPI application: :func:`create_app` (docs/service.md is the contract).

Request handlers validate (the instance readers and the jobs layer's option models, in the
thread pool) and read or write the job store; solves run in worker processes handed out by the
:class:`~optimizer.service.dispatcher.Dispatcher`, never in the server's threads."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from optimizer.errors import ExitCode, InputError
from optimizer.service.dispatcher import Dispatcher
from optimizer.service.errors import ServiceError, install_error_handlers, job_error_status
from optimizer.service.limits import BodySizeLimit, cap_time_limit
from optimizer.service.schemas import REQUEST_BODY, ErrorBody, Health, JobList, JobView
from optimizer.service.settings import ServiceSettings
from optimizer.service.store import JobRecord, JobState, JobStore, dump_json

log = logging.getLogger("optimizer.service")

KINDS = ("sourcing", "routing", "network", "plan")

#: The longest ``?wait=`` of GET /v1/jobs/{id} (seconds).
MAX_WAIT = 60.0

def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses: the error object with each of ``statuses``."""
    text = {400: "Invalid input: body, options, instance or query parameter (code 2)",
            401: "Missing or wrong bearer token (code 2)",
            404: "No such job or kind (code 2)",
            405: "Method not allowed on this path (code 2; Allow lists the methods)",
            409: "Not in a state for this (code 2); or the job's error, cancelled (code 130)",
            413: "Request body too large (code 2)",
            422: "The job's error: the solve found the input invalid (code 2)",
            500: "Internal error (code 1); or the job's error (code 1 or 5)"}
    return {status: {"model": ErrorBody, "description": text[status]} for status in statuses}


#: Every /v1 operation may answer these.
_ERRORS = _errors(401, 405, 500)


class Waiters:
    """Requests waiting for jobs to end (``?wait=``, the sync endpoint): woken from the
    dispatcher's thread when a job's task ends, or from a handler (a queued job cancelled)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, set[asyncio.Event]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop of the server (where the events live)."""
        self._loop = loop

    async def wait(self, job_id: str, seconds: float) -> None:
        """Return when ``job_id`` may have ended, or after ``seconds``."""
        event = asyncio.Event()
        self._events.setdefault(job_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            waiting = self._events.get(job_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._events[job_id]

    def notify(self, job_id: str) -> None:
        """Wake the waiters of ``job_id`` (from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, job_id)

    def _wake(self, job_id: str) -> None:
        for event in self._events.get(job_id, ()):
            event.set()


@dataclass
class Service:
    """What the handlers share: the settings, the store, the dispatcher, the executor."""

    settings: ServiceSettings
    store: JobStore
    dispatcher: Dispatcher
    executor: Any
    waiters: Waiters

    async def wait_until_finished(self, record: JobRecord, seconds: float) -> JobRecord:
        """The job once it has ended, or as it is after ``seconds`` (re-read at least every
        second, so a missed wake-up costs a second at most)."""
        deadline = time.monotonic() + seconds
        while not record.state.finished:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            await self.waiters.wait(record.id, min(left, 1.0))
            record = await run_in_threadpool(self.store.get, record.id) or record
        return record


def make_executor_for(settings: ServiceSettings) -> Any:
    """The executor of the service's jobs: the Dask cluster when one is set, else a pool of
    local worker processes (never the server's own process, even with one worker); the
    dispatcher, not the pool, limits how many run at once."""
    from optimizer.executor import LocalExecutor, make_executor
    from optimizer.service.worker import warm_worker
    from optimizer.settings import cluster_address

    if settings.cluster or cluster_address():
        return make_executor(settings.workers, settings.cluster)
    return LocalExecutor(settings.workers, initializer=warm_worker, in_process=False)


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service's application. Its lifespan opens the store, fails the jobs that were
    running when the service last stopped, starts the executor and the dispatcher; at shutdown
    running jobs are stopped and failed with the same reason (queued ones stay queued)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore(settings.database_url)
        failed = store.recover()
        if failed:
            log.warning("%d job(s) were running when the service stopped: marked failed",
                        failed)
        executor = make_executor_for(settings)
        # worker processes and their fork servers started before the first request (and
        # before /health answers): a job then costs its solve, not a process start
        try:
            await run_in_threadpool(executor.warm)
        except Exception as exc:  # the first jobs pay for the start; /health says if broken
            log.warning("the worker processes were not warmed: %s: %s", type(exc).__name__,
                        exc)
        waiters = Waiters()
        waiters.bind(asyncio.get_running_loop())
        dispatcher = Dispatcher(store, executor, settings.workers, on_finished=waiters.notify)
        dispatcher.start()
        app.state.service = Service(settings, store, dispatcher, executor, waiters)
        try:
            yield
        finally:
            dispatcher.stop()
            dispatcher.release()
            store.recover()
            try:
                executor.close()
            finally:
                store.dispose()

    app = FastAPI(
        title="optimizer service", version=version("supply-network-optimizer"),
        summary="Sourcing, routing, network design and integrated plans over HTTP.",
        description="Submit a job (the instance as JSON), poll it, get the plan JSON and the "
                    "report. The contract: docs/service.md.",
        lifespan=lifespan)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.add_exception_handler(405, _method_not_allowed)
    v1 = _v1_router(settings)
    app.include_router(v1)
    app.state.v1_routes = list(v1.routes)  # their paths and methods: the 405's Allow
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/health", response_model=Health, tags=["service"],
             responses={503: {"model": Health}})
    def health(request: Request) -> JSONResponse:
        """Version, workers, queue depth and whether the job store answers (no token)."""
        service: Service = request.app.state.service
        database = service.store.ping()
        counts = service.store.counts() if database else {}
        problem = service.executor.check() or service.dispatcher.problem
        ok = database and problem is None
        body = Health(status="ok" if ok else "unavailable",
                      version=version("supply-network-optimizer"),
                      workers=settings.workers, executor=_describe(service),
                      queue=counts.get("queued", 0), running=counts.get("running", 0),
                      database="ok" if database else "unavailable",
                      executor_status="ok" if problem is None else "broken",
                      problems=[] if problem is None else [problem])
        return JSONResponse(body.model_dump(), 200 if ok else 503)

    return app


def _v1_router(settings: ServiceSettings) -> APIRouter:
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer $OPTIMIZER_TOKEN "
                        "(required when the service has a token)")

    def authorized(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)  # noqa: B008
                   ) -> None:
        if settings.token is None:
            return
        given = credentials.credentials if credentials is not None else ""
        if not secrets.compare_digest(given.encode(), settings.token.encode()):
            raise ServiceError(401, ExitCode.INVALID_INPUT, "missing or wrong bearer token",
                               ["send the header 'Authorization: Bearer <token>' with the "
                                "service's OPTIMIZER_TOKEN"],
                               headers={"WWW-Authenticate": "Bearer"})

    router = APIRouter(prefix="/v1", dependencies=[Depends(authorized)], responses=_ERRORS)

    @router.post("/{kind}/jobs", status_code=202, response_model=JobView, tags=["jobs"],
                 openapi_extra={"requestBody": REQUEST_BODY}, responses=_errors(400, 404, 413))
    async def submit(kind: str, request: Request) -> JSONResponse:
        """Queue a job: body ``{"instance": {...}, "options": {...}}``; answers 202 with the
        job (poll ``links.self``)."""
        record = await _submit(request, kind)
        return JSONResponse(JobView.of(record).json_data(), 202,
                            headers={"Location": f"/v1/jobs/{record.id}"})

    @router.post("/{kind}/solve", tags=["jobs"], openapi_extra={"requestBody": REQUEST_BODY},
                 responses={200: {"description": "The plan JSON (as the CLI writes plan.json)",
                                  "content": {"application/json": {}}},
                            202: {"model": JobView, "description": "Not finished within the "
                                  "sync limit; the job keeps running: poll links.self"},
                            **_errors(400, 404, 409, 413, 422)})
    async def solve(kind: str, request: Request) -> Response:
        """Solve and wait (at most OPTIMIZER_SYNC_SECONDS): the plan JSON, the job's error
        object, or 202 with the still running job."""
        record = await _submit(request, kind)
        service: Service = request.app.state.service
        record = await service.wait_until_finished(record, settings.sync_seconds)
        if not record.state.finished:
            return JSONResponse(JobView.of(record).json_data(), 202,
                                headers={"Location": f"/v1/jobs/{record.id}"})
        return await _result(service, record)

    @router.get("/jobs", response_model=JobList, tags=["jobs"], responses=_errors(400))
    def list_jobs(request: Request,
                  state: Annotated[str | None, Query(
                      description="queued, running, done, failed, cancelled; empty = any",
                      json_schema_extra={"enum": [s.value for s in JobState]})] = None,
                  kind: Annotated[str | None, Query(
                      description="sourcing, routing, network, plan; empty = any",
                      json_schema_extra={"enum": list(KINDS)})] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        """Jobs, newest first, optionally of one state and kind (an empty value = any)."""
        service: Service = request.app.state.service
        problems = []
        if state and state not in {s.value for s in JobState}:
            problems.append(f"query: state {state!r}: use "
                            f"{', '.join(s.value for s in JobState)}")
        if kind and kind not in KINDS:
            problems.append(f"query: kind {kind!r}: use {', '.join(KINDS)}")
        if problems:
            raise ServiceError.invalid(problems)
        return {"jobs": [JobView.of(r).json_data() for r in service.store.list(
            JobState(state) if state else None, kind or None, limit)]}

    @router.get("/jobs/{job_id}", response_model=JobView, tags=["jobs"],
                responses=_errors(400, 404))
    async def get_job(job_id: str, request: Request,
                      wait: Annotated[float, Query(ge=0, le=MAX_WAIT, description=(
                          "Seconds to wait for the job to end before answering (long "
                          "polling); 0 = answer at once."))] = 0) -> dict[str, Any]:
        """The job: state, progress while it runs, outcome or error when finished."""
        record = await run_in_threadpool(_job, request, job_id)
        if wait > 0:
            record = await request.app.state.service.wait_until_finished(record, wait)
        return JobView.of(record).json_data()

    @router.get("/jobs/{job_id}/result", tags=["jobs"],
                responses={200: {"description": "The plan JSON", "content":
                                 {"application/json": {}}},
                           **_errors(404, 409, 422)})
    async def get_result(job_id: str, request: Request) -> Response:
        """The plan JSON of a done job (409 before; a failed job's error object after)."""
        service: Service = request.app.state.service
        record = await run_in_threadpool(_job, request, job_id)
        if not record.state.finished:
            raise ServiceError.conflict(
                f"job {job_id} is {record.state.value}; its result is not ready (poll "
                f"/v1/jobs/{job_id})")
        return await _result(service, record)

    @router.get("/jobs/{job_id}/report", response_class=HTMLResponse, tags=["jobs"],
                responses=_errors(404, 409))
    def get_report(job_id: str, request: Request) -> HTMLResponse:
        """The report.html of a done job."""
        service: Service = request.app.state.service
        record = _job(request, job_id)
        if record.state is not JobState.DONE:
            raise ServiceError.conflict(f"job {job_id} is {record.state.value}; the report is "
                                        "there when the job is done")
        html = service.store.report(job_id)
        if html is None:
            raise ServiceError.not_found(f"job {job_id} has no report ({record.kind} plans "
                                         "have none)")
        return HTMLResponse(html)

    @router.delete("/jobs/{job_id}", response_model=JobView, tags=["jobs"],
                   responses={202: {"model": JobView, "description": "Running: the solve is "
                                    "being stopped; the job becomes cancelled"},
                              **_errors(404, 409)})
    def cancel(job_id: str, request: Request) -> JSONResponse:
        """Cancel a job: a queued one at once (200), a running one by stopping its process
        (202; its state becomes cancelled within a second or two)."""
        service: Service = request.app.state.service
        before = _job(request, job_id)
        if before.state.finished:
            raise ServiceError.conflict(f"job {job_id} is already {before.state.value}")
        record = service.store.cancel(job_id)
        assert record is not None
        service.waiters.notify(job_id)
        status = 200 if record.state.finished else 202
        return JSONResponse(JobView.of(record).json_data(), status)

    @router.get("/{kind}/schema", tags=["schemas"], responses=_errors(404))
    def instance_schema(kind: str) -> dict[str, Any]:
        """The JSON Schema of the kind's instance (its native JSON form)."""
        return _instance_schema(_kind(kind))

    @router.get("/{kind}/options/schema", tags=["schemas"], responses=_errors(404))
    def options_schema(kind: str) -> dict[str, Any]:
        """The JSON Schema of the kind's options."""
        from optimizer import jobs

        models = {"sourcing": jobs.SourcingJobOptions, "routing": jobs.RoutingJobOptions,
                  "network": jobs.NetworkJobOptions, "plan": jobs.PlanJobOptions}
        return models[_kind(kind)].model_json_schema()

    async def _submit(request: Request, kind: str) -> JobRecord:
        kind = _kind(kind)
        service: Service = request.app.state.service
        body = await request.body()
        options, instance = await run_in_threadpool(_prepare, kind, body, settings)
        record = await run_in_threadpool(service.store.create, kind, options, instance,
                                         settings.job_wall_seconds)
        service.dispatcher.wake()
        return record

    return router


def _describe(service: Service) -> str:
    """Where jobs run (the local pool may have a spare process: see make_executor_for)."""
    from optimizer.executor import LocalExecutor

    if isinstance(service.executor, LocalExecutor):
        return f"local worker processes, {service.settings.workers} job(s) at once"
    return str(service.executor.describe())


async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 with ``Allow`` listing every method of the path (Starlette lists those of the first
    route only: GET, not DELETE, on /v1/jobs/{id}); a path under an unknown kind is a 404."""
    from starlette.routing import Match

    parts = request.url.path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "v1" and parts[1] != "jobs" and parts[1] not in KINDS:
        return ServiceError.not_found(f"unknown problem kind {parts[1]!r}; use "
                                      f"{', '.join(KINDS)}").response()
    allowed: set[str] = set()
    scope = {**request.scope, "method": "\0"}  # matches no route's method: path only
    routes = [*request.app.state.v1_routes,
              *(r for r in request.app.router.routes if hasattr(r, "path"))]
    for route in routes:
        match, _child = route.matches(scope)
        if match is not Match.NONE:
            allowed |= set(getattr(route, "methods", None) or ())
    allow = ", ".join(sorted(allowed)) or str((getattr(exc, "headers", None) or {}).get(
        "Allow", ""))
    return ServiceError(405, ExitCode.INVALID_INPUT, "method not allowed",
                        headers={"Allow": allow}).response()


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document without its default 422 ``HTTPValidationError`` answer, which this
    service never gives (request problems are 400 with the error object)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             description=app.description, routes=app.routes)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                body = responses.get("422", {}).get("content", {}).get(
                    "application/json", {}).get("schema", {})
                if body.get("$ref", "").endswith("/HTTPValidationError"):
                    del responses["422"]
                for status, response in responses.items():
                    # errors are JSON, also on an HTML endpoint (the report)
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" not in content and content:
                        response["content"] = {"application/json": next(iter(
                            content.values()))}
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ServiceError.not_found(f"unknown problem kind {kind!r}; use "
                                     f"{', '.join(KINDS)}")
    return kind


def _job(request: Request, job_id: str) -> JobRecord:
    record = request.app.state.service.store.get(job_id)
    if record is None:
        raise ServiceError.not_found(f"no job {job_id}")
    return record


async def _result(service: Service, record: JobRecord) -> Response:
    """A finished job's answer: the plan JSON, or its error object."""
    headers = {"X-Optimizer-Job-Id": record.id}
    if record.state is JobState.DONE:
        text = await run_in_threadpool(service.store.result, record.id)
        headers.update({"X-Optimizer-Status": str(record.status),
                        "X-Optimizer-Exit-Code": str(record.exit_code)})
        return Response(text, 200, headers=headers, media_type="application/json")
    error = record.error or {"code": 1, "error": f"job {record.state.value}", "problems": []}
    return JSONResponse(error, job_error_status(int(error.get("code", 1))), headers=headers)


def _prepare(kind: str, body: bytes, settings: ServiceSettings) -> tuple[dict[str, Any], str]:
    """Check a request body: its options (the jobs layer's models, with the time cap) and its
    instance (the kind's reader, errors labelled ``instance``). Returns the options as JSON
    data and the instance as JSON text; raises :class:`ServiceError` 400 with every problem."""
    from optimizer.executor import default_workers
    from optimizer.formats.instance_data import read_instance_data
    from optimizer.jobs import parse_options

    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError.invalid([f"body: malformed JSON: {exc}"]) from None
    except RecursionError:
        raise ServiceError.invalid(["body: JSON nested too deeply"]) from None
    if not isinstance(data, dict):
        raise ServiceError.invalid(['body: must be a JSON object {"instance": {...}, '
                                    '"options": {...}}'])
    problems = [f"body: field {key!r}: unknown; the body holds 'instance' and 'options'"
                for key in data if key not in ("instance", "options")]
    options: dict[str, Any] = {}
    try:
        parsed = parse_options(kind, data.get("options"))
        options = cap_time_limit(parsed.model_dump(mode="json"), settings.max_job_seconds,
                                 parsed.model_fields_set, default_workers())
    except InputError as exc:
        problems += exc.problems
    except ServiceError as exc:
        problems += exc.problems
    if "instance" not in data:
        problems.append(f"body: field 'instance' is missing (the {kind} instance as JSON)")
    else:
        try:
            read_instance_data(kind, data["instance"], "instance")
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise ServiceError.invalid(problems)
    return options, dump_json(data["instance"])


def _instance_schema(kind: str) -> dict[str, Any]:
    from optimizer.formats.integrated import plan_schema
    from optimizer.formats.network import network_schema
    from optimizer.formats.routing import routing_schema
    from optimizer.formats.sourcing import sourcing_schema

    return {"sourcing": sourcing_schema, "routing": routing_schema,
            "network": network_schema, "plan": plan_schema}[kind]()
