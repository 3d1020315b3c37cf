"""The service's settings: command-line values over environment variables over defaults.

Environment variables (docs/service.md, "Settings"):
``OPTIMIZER_TOKEN`` (bearer token), ``OPTIMIZER_DATABASE_URL`` (the job store),
``OPTIMIZER_SERVICE_DIR`` (data folder, default ``./optimizer-service``), ``OPTIMIZER_CLUSTER``
(Dask scheduler address), ``OPTIMIZER_MAX_BODY_BYTES``, ``OPTIMIZER_SYNC_SECONDS``,
``OPTIMIZER_MAX_JOB_SECONDS``."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from optimizer.errors import InputError

#: Defaults (docs/service.md, "Limits").
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SERVICE_DIR = "optimizer-service"
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
DEFAULT_SYNC_SECONDS = 60.0
DEFAULT_MAX_JOB_SECONDS = 600.0


class ServiceSettings(BaseModel):
    """Everything the service needs to start; validated once (:meth:`from_env`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = DEFAULT_HOST
    port: Annotated[int, Field(ge=0, le=65535)] = DEFAULT_PORT
    #: Bearer token every /v1 request must carry; None = no authentication (loopback only).
    token: str | None = Field(default=None, repr=False)
    #: SQLAlchemy URL of the job store.
    database_url: str
    #: Data folder (the default SQLite database lives here).
    service_dir: Path
    #: Jobs solved at once (= executor workers).
    workers: Annotated[int, Field(ge=1)] = 1
    #: Dask scheduler address; None = local worker processes.
    cluster: str | None = None
    #: A request body larger than this is refused (413).
    max_body_bytes: Annotated[int, Field(ge=1024)] = DEFAULT_MAX_BODY_BYTES
    #: POST /v1/{kind}/solve waits at most this long, then answers 202 with where to poll.
    sync_seconds: Annotated[float, Field(gt=0)] = DEFAULT_SYNC_SECONDS
    #: A job's ``time_limit`` option may not exceed this; an unset one becomes this.
    max_job_seconds: Annotated[float, Field(gt=0)] = DEFAULT_MAX_JOB_SECONDS

    @property
    def job_wall_seconds(self) -> float:
        """A job still running this long after it started is stopped (failed, code 130):
        twice the time cap plus a minute (reading, checking and writing take time too)."""
        return 2 * self.max_job_seconds + 60.0

    @property
    def loopback(self) -> bool:
        """Whether :attr:`host` is a loopback address (no token needed)."""
        return is_loopback(self.host)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **given: Any) -> ServiceSettings:
        """Settings from ``given`` values (None = not given), else the environment, else the
        defaults. A relative SQLite path is made absolute (Dask workers elsewhere must find the
        same file). Raises :class:`InputError` naming the variable for a bad value."""
        env = dict(os.environ if env is None else env)
        values = {k: v for k, v in given.items() if v is not None}
        service_dir = Path(values.pop("service_dir", None)
                           or env.get("OPTIMIZER_SERVICE_DIR") or DEFAULT_SERVICE_DIR)
        service_dir = service_dir.expanduser().resolve()
        url = values.pop("database_url", None) or env.get("OPTIMIZER_DATABASE_URL") \
            or f"sqlite:///{service_dir / 'jobs.sqlite3'}"
        values.setdefault("token", env.get("OPTIMIZER_TOKEN") or None)
        values.setdefault("cluster", env.get("OPTIMIZER_CLUSTER") or None)
        for key, name in (("max_body_bytes", "OPTIMIZER_MAX_BODY_BYTES"),
                          ("sync_seconds", "OPTIMIZER_SYNC_SECONDS"),
                          ("max_job_seconds", "OPTIMIZER_MAX_JOB_SECONDS")):
            if key not in values and env.get(name):
                try:
                    values[key] = float(env[name]) if "seconds" in key else int(env[name])
                except ValueError:
                    raise InputError([f"{name}: {env[name]!r} is not a number"]) from None
        from pydantic import ValidationError

        try:
            return cls(database_url=absolute_sqlite_url(url), service_dir=service_dir,
                       **values)
        except ValidationError as exc:
            raise InputError([f"setting '{'.'.join(map(str, e['loc']))}': {e['msg']}"
                              for e in exc.errors(include_url=False)]) from None


def absolute_sqlite_url(url: str) -> str:
    """``url`` with a relative SQLite file path made absolute; other URLs unchanged."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith(prefix + "/"):
        return url
    path, _, query = url[len(prefix):].partition("?")
    if not path or path == ":memory:":
        return url
    return prefix + str(Path(path).expanduser().resolve()) + (f"?{query}" if query else "")


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the service on this machine."""
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
