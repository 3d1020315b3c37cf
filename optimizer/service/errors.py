"""Every error the service answers is one JSON object ``{"code", "error", "problems"}`` with the
CLI's exit codes, never a stack trace. The HTTP status goes with the code (docs/service.md,
"Errors"):

====== ==== ===================================================================
HTTP   code when
====== ==== ===================================================================
400    2    malformed JSON, a body that is not ``{"instance", "options"}``, an instance
            or options with problems (each naming the record and the field)
401    2    missing or wrong bearer token
404    2    no such job, unknown problem kind, unknown path
405    2    method not allowed on this path
409    2    the job is not in a state for this (result not ready, job finished)
413    2    request body larger than the limit
422    2    (a job's error) the solve found the input invalid
409    130  (a job's error) the job was cancelled or stopped at the time cap
500    1/5  internal error; (a job's error) the plan failed the independent check
503    1    the job store does not answer
====== ==== ===================================================================
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from optimizer.errors import ExitCode, InputError

log = logging.getLogger("optimizer.service")


def error_body(code: int, error: str, problems: list[str] | None = None) -> dict[str, Any]:
    """The error object."""
    return {"code": int(code), "error": error, "problems": list(problems or [])}


class ServiceError(Exception):
    """An error answer: HTTP ``status`` with the error object."""

    def __init__(self, status: int, code: int, error: str, problems: list[str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.code, self.error = status, int(code), error
        self.problems = list(problems or [])
        self.headers = headers

    def response(self) -> JSONResponse:
        """The JSON response."""
        return JSONResponse(error_body(self.code, self.error, self.problems), self.status,
                            headers=self.headers)

    @classmethod
    def invalid(cls, problems: list[str], error: str = "invalid input") -> ServiceError:
        """400, code 2."""
        return cls(400, ExitCode.INVALID_INPUT, error, problems)

    @classmethod
    def not_found(cls, what: str) -> ServiceError:
        """404, code 2."""
        return cls(404, ExitCode.INVALID_INPUT, what)

    @classmethod
    def conflict(cls, what: str) -> ServiceError:
        """409, code 2."""
        return cls(409, ExitCode.INVALID_INPUT, what)


def job_error_status(code: int) -> int:
    """The HTTP status that carries a failed job's error object."""
    if code == ExitCode.INVALID_INPUT:
        return 422
    if code == ExitCode.INTERRUPTED:
        return 409
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Turn every error into the error object (FastAPI's own, Starlette's 404/405, a bug)."""

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError) -> JSONResponse:
        return ServiceError.invalid(exc.problems).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                    for e in exc.errors()]
        return ServiceError.invalid(problems).response()

    async def _http(_request: Request, exc: Exception) -> JSONResponse:
        status = int(getattr(exc, "status_code", 500))
        messages = {404: "not found", 405: "method not allowed"}
        detail = getattr(exc, "detail", None)
        error = messages.get(status, detail if isinstance(detail, str) else "request refused")
        code = ExitCode.INTERNAL_ERROR if status >= 500 else ExitCode.INVALID_INPUT
        return JSONResponse(error_body(code, error), status,
                            headers=getattr(exc, "headers", None))

    # Starlette's HTTPException (the router's 404 and 405) by status code: handlers keyed by
    # an int catch every HTTPException with that status
    for status in (*range(400, 419), *range(421, 432), *range(500, 512)):
        app.add_exception_handler(status, _http)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.error("internal error on %s %s (incident %s): %s: %s", request.method,
                  request.url.path, incident, type(exc).__name__, exc, exc_info=exc)
        return JSONResponse(error_body(ExitCode.INTERNAL_ERROR, "internal error", [
            f"incident {incident}: the details are in the service's log"]), 500)
