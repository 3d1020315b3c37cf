"""Request limits: the body size (an ASGI middleware, before anything reads the body) and the
time cap of a job's options."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from optimizer.errors import ExitCode
from optimizer.service.errors import ServiceError, error_body

#: ASGI's types (as Starlette names them).
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(ServiceError):
    """413, code 2."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, ExitCode.INVALID_INPUT, "request body too large",
                         [f"the body may hold at most {limit} bytes (OPTIMIZER_MAX_BODY_BYTES)"])


class BodySizeLimit:
    """Refuse a request whose body exceeds ``max_bytes`` with 413 and the error object: at once
    when its Content-Length says so, else as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _send_json(send, 413, error_body(
                    ExitCode.INVALID_INPUT, "request body too large",
                    BodyTooLarge(self.max_bytes).problems))
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)  # answered by the ServiceError handler
            return message

        await self.app(scope, limited, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


def cap_time_limit(options: dict[str, Any], max_seconds: float,
                   given: set[str] | frozenset[str] | None = None,
                   max_search_workers: int | None = None) -> dict[str, Any]:
    """``options`` (validated, as JSON data) under the service's time cap ``max_seconds``
    (docs/service.md, "Limits"); ``given``: the options the request named (None: all).

    - ``time_limit`` and ``route_seconds`` given above the cap: a problem (:class:`ServiceError`
      400 naming the field);
    - not given: the kind's default, lowered to the cap if above it (silently: the client asked
      for nothing; the job's options show what runs);
    - ``time_limit`` given as null, or a kind whose default is none (no limit): the cap, so
      the solver stops with its best plan instead of being stopped;
    - routing ``workers`` (search processes) above ``max_search_workers``: a problem."""
    given = set(options) if given is None else set(given)
    problems: list[str] = []
    out = dict(options)
    for key in ("time_limit", "route_seconds"):
        if key not in out:
            continue
        value = out[key]
        if value is None:
            out[key] = max_seconds
        elif value > max_seconds:
            if key in given:
                problems.append(f"options: field {key!r}: at most {max_seconds:g} seconds on "
                                "this service (OPTIMIZER_MAX_JOB_SECONDS)")
            else:
                out[key] = max_seconds
    workers = out.get("workers")
    if max_search_workers is not None and isinstance(workers, int) and \
            workers > max_search_workers:
        problems.append(f"options: field 'workers': at most {max_search_workers} on this "
                        "service (its cores)")
    if problems:
        raise ServiceError.invalid(problems)
    return out
