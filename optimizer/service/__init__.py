"""The solver service (``optimizer serve``): an HTTP API over the job runner.

Public API: :class:`ServiceSettings` (settings.py), :func:`create_app` (app.py),
:class:`JobStore` and :class:`JobState` (store.py), :func:`execute_job` (worker.py).
The contract is docs/service.md."""

from __future__ import annotations

from optimizer.service.settings import ServiceSettings
from optimizer.service.store import JobState, JobStore

__all__ = ["JobState", "JobStore", "ServiceSettings"]
