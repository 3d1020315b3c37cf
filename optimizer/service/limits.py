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


def cap_time_limit(options: dict[str, Any], max_seconds: float) -> dict[str, Any]:
    """``options`` (validated, as JSON data) with the service's time cap: a ``time_limit``
    above ``max_seconds`` is a problem (:class:`ServiceError` 400), an unset one becomes
    ``max_seconds`` (the solver then stops with its best plan instead of being stopped)."""
    if "time_limit" not in options:
        return options
    limit = options["time_limit"]
    if limit is None:
        return {**options, "time_limit": max_seconds}
    if limit > max_seconds:
        raise ServiceError.invalid([f"options: field 'time_limit': at most {max_seconds:g} "
                                    "seconds on this service (OPTIMIZER_MAX_JOB_SECONDS)"])
    return options
