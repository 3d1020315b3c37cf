"""Times, distances and durations for people: ``HH:MM`` clocks, km and hours.

The rules live with the plan tables in :mod:`models.routing.plan_frames` (so a library user
gets the same tables without this package); this module re-exports them for the reports."""

from __future__ import annotations

from models.routing.plan_frames import (
    WEEK,
    clock,
    hours,
    is_metric,
    km,
    minutes,
    plain,
    time_text,
    window_text,
)

__all__ = ["WEEK", "clock", "hours", "is_metric", "km", "minutes", "plain", "time_text",
           "window_text"]
