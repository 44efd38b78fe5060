"""Pure statistics of the satisfaction survey: count tables in, tidy result tables out.

Every definition is in METHODOLOGY.md (§3 indices, §4 uncertainty and comparison, §5
sample size, §6 PAR points); docs/analysis.md describes the API and the table formats.
This package imports only ``questionnaires``, numpy, pandas and scipy — never Flask,
SQLAlchemy or the web application — and each of them only when a name that needs it is
first used.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Each public name → the submodule defining it. Imported on first use (PEP 562): the web
#: application imports ``analysis.sample_size`` at start-up without numpy, pandas or scipy.
_SOURCES = {
    "DEFAULT_BY": "_structure",
    "DISTRICT": "_structure",
    "Structure": "_structure",
    "pool_groups": "_structure",
    "structure_of": "_structure",
    "change_from_previous": "change",
    "same_instrument": "change",
    "MIN_RESPONDENTS": "comparison",
    "TOO_FEW_TO_COMPARE": "comparison",
    "compare_with_district": "comparison",
    "holm": "comparison",
    "units_differ": "comparison",
    "MISSING": "display",
    "format_number": "display",
    "format_percent": "display",
    "round_half_up": "display",
    "combined_variance": "district",
    "floored_variance": "district",
    "satterthwaite_df": "district",
    "METHODS": "indices",
    "criterion_indices": "indices",
    "element_indices": "indices",
    "overall_indices": "indices",
    "jeffreys_interval": "intervals",
    "logit_t_interval": "intervals",
    "mover_difference": "intervals",
    "wilson_interval": "intervals",
    "OVERALL_TARGETS": "linearization",
    "effective_df": "linearization",
    "index_estimates": "linearization",
    "linearization_weights": "linearization",
    "linearized_intervals": "linearization",
    "linearized_variances": "linearization",
    "competition_rank": "points",
    "par_points": "points",
    "rule_points": "points",
    "count_table": "reference",
    "keep_valid_responses": "reference",
    "moments_table": "reference",
    "respondent_scores": "reference",
    "respondent_table": "reference",
    "combined_totals": "results",
    "compute_results": "results",
    "headline_indices": "results",
    "compute_weights": "results",
    "DATA_PROBLEM": "sample_size",
    "SAMPLE_OK": "sample_size",
    "SAMPLE_SHORT": "sample_size",
    "required_answers": "sample_size",
    "sample_status": "sample_size",
    "yamane": "sample_size",
}


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{source}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DATA_PROBLEM", "DEFAULT_BY", "DISTRICT", "METHODS", "MIN_RESPONDENTS", "MISSING",
    "OVERALL_TARGETS", "SAMPLE_OK", "SAMPLE_SHORT", "TOO_FEW_TO_COMPARE",
    "Structure", "change_from_previous", "combined_totals", "combined_variance",
    "compare_with_district",
    "competition_rank", "compute_results", "compute_weights", "count_table",
    "criterion_indices", "effective_df", "element_indices", "floored_variance",
    "format_number", "format_percent", "headline_indices", "holm", "index_estimates",
    "jeffreys_interval",
    "keep_valid_responses", "linearization_weights", "linearized_intervals",
    "linearized_variances", "logit_t_interval", "moments_table", "mover_difference",
    "overall_indices", "par_points", "pool_groups", "required_answers", "respondent_scores",
    "respondent_table", "round_half_up", "rule_points", "same_instrument", "sample_status",
    "satterthwaite_df", "structure_of", "units_differ", "wilson_interval", "yamane",
]
