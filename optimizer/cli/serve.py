"""``optimizer serve``: the solver service over HTTP (docs/service.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from optimizer.cli.common import fail
from optimizer.errors import ExitCode, InputError


def serve(
    host: Annotated[str, typer.Option(help="Address to bind. Anything but a loopback address "
                                           "needs OPTIMIZER_TOKEN.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Jobs solved at once, each in a worker process. Default: all cores.",
        show_default=False)] = None,
    cluster: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786) to run the jobs on; its workers must "
             "reach the database. Default: OPTIMIZER_CLUSTER, else local processes.",
        show_default=False)] = None,
    database_url: Annotated[str | None, typer.Option(
        help="SQLAlchemy URL of the job store. Default: OPTIMIZER_DATABASE_URL, else SQLite "
             "in OPTIMIZER_SERVICE_DIR (./optimizer-service).", show_default=False)] = None,
    log_level: Annotated[str, typer.Option(help="critical, error, warning, info, debug.")
                         ] = "info",
) -> None:
    """Start the solver service: submit jobs as JSON, poll them, get the plan JSON and the
    report; OpenAPI docs at /docs. Stop it with Ctrl-C (running jobs are failed with a
    reason; queued jobs run after the next start)."""
    from optimizer.executor import default_workers
    from optimizer.service.settings import ServiceSettings

    try:
        settings = ServiceSettings.from_env(host=host, port=port, cluster=cluster,
                                            workers=workers or default_workers(),
                                            database_url=database_url)
    except InputError as exc:
        fail(ExitCode.INVALID_INPUT, "; ".join(exc.problems))
    if not settings.loopback and not settings.token:
        fail(ExitCode.INVALID_INPUT, f"refusing to listen on {host} without a token: set "
             "OPTIMIZER_TOKEN (clients send 'Authorization: Bearer <token>'), or bind to "
             "127.0.0.1")
    import uvicorn

    from optimizer.service.app import create_app
    from optimizer.service.store import DatabaseInUse, lock_database

    try:
        lock = lock_database(settings.database_url)
    except DatabaseInUse as exc:
        fail(ExitCode.INVALID_INPUT, str(exc))
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level=log_level.lower(), timeout_graceful_shutdown=5)
    if lock is not None:
        lock.close()
