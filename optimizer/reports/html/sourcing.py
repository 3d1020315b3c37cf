"""report.html of a sourcing plan: KPIs, the cost waterfall, the explanation when the rules
cannot all be met, and the plan's tables (the frames its CSVs hold). Sourcing instances have
no locations, so there is no map."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from models.solver import SolveStatus
from models.sourcing import SourcingPlan
from optimizer.reports.html.page import Kpi, Report, number


def explanation_lines(plan: SourcingPlan) -> list[str]:
    """The pre-checks that failed and the note of the least-violating plan."""
    lines = list(plan.infeasibility)
    if plan.explanation is not None:
        lines += [line for line in plan.explanation.pre_checks if line not in lines]
        if plan.explanation.note:
            lines.append(plan.explanation.note)
    return lines


def sourcing_report(plan: SourcingPlan, currency: str | None = None,
                    frames: Mapping[str, pd.DataFrame] | None = None,
                    title: str | None = None) -> Report:
    """The report of a sourcing plan; ``frames`` are the tables written beside it (default:
    :meth:`SourcingPlan.to_frames`)."""
    frames = plan.to_frames(currency) if frames is None else frames
    s = plan.solve
    report = Report(title or f"Sourcing plan: {plan.instance}", currency=currency,
                    subtitle=f"status {s.status.value} ({s.stop_reason}), solver {s.solver}"
                             + ("" if s.gap is None else f", gap {s.gap:.2%}"))
    kpis = [Kpi("Total cost" if plan.risk is None else "Objective",
                report.money(plan.objective)),
            Kpi("Suppliers used", f"{len(plan.suppliers):,}"),
            Kpi("Products", f"{len(plan.products):,}")]
    if plan.products:
        demand = sum(p.demand for p in plan.products)
        short = sum(p.shortage for p in plan.products)
        kpis.append(Kpi("Demand covered", "-" if not demand else f"{1 - short / demand:.1%}",
                        f"{number(short)} units short"))
        kpis.append(Kpi("Most concentrated product", f"HHI {max(p.hhi for p in plan.products):.3f}",
                        max(plan.products, key=lambda p: p.hhi).product))
    if plan.risk is not None:
        r = plan.risk
        kpis += [Kpi("Expected cost", report.money(r.expected_cost)),
                 Kpi(f"CVaR {r.alpha:.0%}", report.money(r.cvar))]
    if s.best_bound is not None and s.status != SolveStatus.OPTIMAL:
        kpis.append(Kpi("Best bound", report.money(s.best_bound)))
    report.add_kpis(kpis)
    lines = explanation_lines(plan)
    if lines or (plan.explanation is not None and plan.explanation.relaxations):
        report.add_explanation(lines, frames.get("explanation"),
                               title="Why the rules cannot all be met")
    if plan.cost is not None:
        report.add_waterfall([("supplier onboarding", plan.cost.onboarding),
                              ("purchase", plan.cost.purchase),
                              ("shortage penalty", plan.cost.shortage_penalty)])
    return report.add_tables(frames)
