"""Pure statistics of the satisfaction survey: count tables in, tidy result tables out.

Every definition is in METHODOLOGY.md (§3 indices, §4 uncertainty and comparison, §5
sample size, §6 PAR points); docs/analysis.md describes the API and the table formats.
This package imports only ``questionnaires``, numpy, pandas and scipy — never Flask,
SQLAlchemy or the web application.
"""

from __future__ import annotations

from ._structure import DEFAULT_BY, DISTRICT, Structure, pool_groups, structure_of
from .change import change_from_previous, same_instrument
from .comparison import (
    MIN_RESPONDENTS,
    TOO_FEW_TO_COMPARE,
    compare_with_district,
    holm,
    units_differ,
)
from .display import MISSING, format_number, format_percent, round_half_up
from .district import combined_variance, floored_variance, satterthwaite_df
from .indices import METHODS, criterion_indices, element_indices, overall_indices
from .intervals import jeffreys_interval, logit_t_interval, mover_difference, wilson_interval
from .linearization import (
    OVERALL_TARGETS,
    effective_df,
    index_estimates,
    linearization_weights,
    linearized_intervals,
    linearized_variances,
)
from .points import competition_rank, par_points, rule_points
from .reference import (
    count_table,
    keep_valid_responses,
    moments_table,
    respondent_scores,
    respondent_table,
)
from .results import compute_results, compute_weights
from .sample_size import (
    DATA_PROBLEM,
    SAMPLE_OK,
    SAMPLE_SHORT,
    required_answers,
    sample_status,
    yamane,
)

__all__ = [
    "DATA_PROBLEM", "DEFAULT_BY", "DISTRICT", "METHODS", "MIN_RESPONDENTS", "MISSING",
    "OVERALL_TARGETS", "SAMPLE_OK", "SAMPLE_SHORT", "TOO_FEW_TO_COMPARE",
    "Structure", "change_from_previous", "combined_variance", "compare_with_district",
    "competition_rank", "compute_results", "compute_weights", "count_table",
    "criterion_indices", "effective_df", "element_indices", "floored_variance",
    "format_number", "format_percent", "holm", "index_estimates", "jeffreys_interval",
    "keep_valid_responses", "linearization_weights", "linearized_intervals",
    "linearized_variances", "logit_t_interval", "moments_table", "mover_difference",
    "overall_indices", "par_points", "pool_groups", "required_answers", "respondent_scores",
    "respondent_table", "round_half_up", "rule_points", "same_instrument", "sample_status",
    "satterthwaite_df", "structure_of", "units_differ", "wilson_interval", "yamane",
]
