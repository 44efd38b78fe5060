"""One tidy result table per group and the district: the web application's entry point.

Steps for a caller (METHODOLOGY §3–4; docs/analysis.md):

1. pass 1 in the database → count table and respondent table;
2. :func:`compute_weights` → weights table, written to the database;
3. pass 2 in the database → moments table;
4. :func:`compute_results` → the result table below.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from questionnaires import HEADLINE_METHODS

from ._structure import (
    DEFAULT_BY,
    DISTRICT,
    By,
    StructureLike,
    by_columns,
    group_keys,
    pool_groups,
    require_columns,
    structure_of,
)
from .district import combined_variance, floored_variance, satterthwaite_df, with_weights
from .indices import criterion_indices, overall_indices
from .intervals import logit_t_interval
from .linearization import index_estimates, linearization_weights, linearized_intervals

RESULT_COLUMNS = ("target", "level", "code", "element", "n_valid", "n", "n_respondents", "index",
                  "ci_low", "ci_high", "se", "variance", "df", "mean_score", "n_elements")


def compute_weights(counts: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY
                    ) -> pd.DataFrame:
    """Weights table for pass 2 (see :func:`analysis.linearization.linearization_weights`)."""
    return linearization_weights(counts, instrument, by)


def _criteria(counts: pd.DataFrame, instrument: StructureLike, by: By, confidence: float,
              groups: pd.DataFrame | None) -> pd.DataFrame:
    table = criterion_indices(counts, instrument, by, confidence, groups)
    p = table["index"] / 100
    return table.assign(target="criterion:" + table["item"], level="criterion",
                        code=table["item"], n_respondents=table["n"],
                        variance=p * (1 - p) / table["n"].where(table["n"] > 0),
                        df=(table["n"] - 1).where(table["n"] >= 2),
                        n_elements=table["index"].notna().astype("int64"))


def _with_interval(rows: pd.DataFrame, confidence: float) -> pd.DataFrame:
    low, high = logit_t_interval(rows["index"] / 100, rows["variance"], rows["df"],
                                 rows["n_respondents"], confidence)
    return rows.assign(ci_low=100 * low, ci_high=100 * high, se=100 * np.sqrt(rows["variance"]))


def _district(counts: pd.DataFrame, instrument: StructureLike, by: By, confidence: float,
              groups: pd.DataFrame, label: object, within: Sequence[str] = ()
              ) -> pd.DataFrame:
    """District rows weighted by respondents: estimates from pooled counts, variances combined.

    ``within``: group columns kept apart, one district per value of them (the others hold
    ``label``); none: one district of every group.
    """
    columns = by_columns(by)
    within = list(within)
    pooled_columns = [column for column in columns if column not in within]
    if within:
        pooled = pool_groups(counts, pooled_columns, label)
        # A row for each value of ``within`` with any group, even with no answer.
        keys = groups[within].drop_duplicates().sort_values(within, na_position="last")
        keys = keys.assign(**dict.fromkeys(pooled_columns, label)).reset_index(drop=True)
        pooled, keys = pooled[[*columns, "item", "value", "count"]], keys[columns]
    else:
        pooled = pool_groups(counts, by, label)
        keys = pd.DataFrame({column: [label] for column in columns})  # a row even with no answer
    estimates = index_estimates(pooled, instrument, by, keys)
    combined = combined_variance(groups.loc[groups["level"] != "criterion"], by, within)
    estimates = estimates.merge(combined[[*within, "target", "variance", "n_respondents",
                                          "df"]],
                                on=[*within, "target"], how="left")
    estimates["n_respondents"] = estimates["n_respondents"].fillna(0).astype("int64")
    criteria = _criteria(pooled, instrument, by, confidence, keys)
    rows = pd.concat([_with_interval(estimates, confidence), criteria], ignore_index=True)
    return rows.assign(**dict.fromkeys(pooled_columns, label))


def _weighted_district(groups: pd.DataFrame, weights: pd.DataFrame, by: By, confidence: float,
                       label: object, within: Sequence[str] = ()) -> pd.DataFrame:
    r"""District rows weighted by dossiers: :math:`T_d = \sum_h W_h T_h`, :math:`W_h = N_h/\sum N`.

    Every target (criteria too) is the N-weighted mean of the groups where it is defined,
    its variance :math:`\sum_h W_h^2 \hat V_h` (floored) with Satterthwaite's degrees of
    freedom (METHODOLOGY §3, weighting). ``within``: as for :func:`_district`.
    """
    columns = by_columns(by)
    within = list(within)
    keys = [*within, "target"]
    defined = with_weights(groups.loc[groups["index"].notna() & (groups["n"] > 0)], columns,
                           weights)
    defined = defined.assign(share=defined["weight"] / defined.groupby(keys, dropna=False)
                             ["weight"].transform("sum"),
                             floored=floored_variance(defined["index"], defined["variance"],
                                                      defined["n_respondents"]))
    rows = []
    for key, part in defined.groupby(keys, sort=False, dropna=False):
        share = part["share"]
        rows.append({**dict(zip(keys, key, strict=True)),
                     "index": float((share * part["index"]).sum()),
                     "mean_score": float((share * part["mean_score"]).sum(min_count=1)),
                     "variance": float((share**2 * part["floored"]).sum()),
                     "df": satterthwaite_df(share**2 * part["floored"],
                                            part["df"]),
                     "n": int(part["n"].sum()), "n_respondents": int(part["n_respondents"].sum())})
    found = pd.DataFrame(rows, columns=[*keys, "index", "mean_score", "variance", "df", "n",
                                        "n_respondents"])
    shape = groups.drop_duplicates(keys)[[*keys, "level", "code", "element"]]
    table = shape.merge(found, on=keys, how="left")
    table["n"] = table["n"].fillna(0).astype("int64")
    table["n_respondents"] = table["n_respondents"].fillna(0).astype("int64")
    element_rows = (table["level"] == "element") & table["index"].notna()
    if within:
        defined_elements = (element_rows.groupby([table[column] for column in within],
                                                 dropna=False).transform("sum"))
    else:
        defined_elements = int(element_rows.sum())
    table["n_elements"] = np.where(table["level"] == "criterion", table["index"].notna(),
                                   np.where(table["level"] == "element", table["index"].notna(),
                                            defined_elements)).astype("int64")
    return _with_interval(table, confidence).assign(
        **dict.fromkeys([column for column in columns if column not in within], label))


def _ordered(rows: pd.DataFrame, method: str, sort_by: list[str]) -> pd.DataFrame:
    """Add the headline rows and the element column; order headline → criteria."""
    headline = rows.loc[rows["target"] == f"overall:{method}"].assign(target="overall",
                                                                    level="headline")
    rows = pd.concat([headline, rows], ignore_index=True)
    in_element = rows["code"].where(rows["level"] == "element")
    rows["element"] = rows["element"].where(rows["level"] == "criterion", in_element)
    order = {"headline": 0, "overall": 1, "element": 2, "criterion": 3}
    rows = rows.assign(_level=rows["level"].map(order), _row=np.arange(len(rows)))
    return rows.sort_values([*sort_by, "_level", "_row"], kind="stable", na_position="last")


def compute_results(counts: pd.DataFrame, respondents: pd.DataFrame, moments: pd.DataFrame,
                    instrument: StructureLike, method: str = "mean-of-elements",
                    by: By = DEFAULT_BY, confidence: float = 0.95, district: bool = True,
                    district_label: object = DISTRICT, weights: pd.DataFrame | None = None,
                    district_within: Sequence[str] = ()) -> pd.DataFrame:
    r"""Every index of every group (and the district) with n, interval and mean score.

    Criteria: :math:`P = 100 s/n` with a Jeffreys interval; elements and overall (every
    method): METHODOLOGY §3 definitions with the respondent-level linearised interval
    (:func:`analysis.linearization.linearized_intervals`); the headline row repeats the
    overall index of the campaign's ``method``. District rows (every group column equal to
    ``district_label``) pool the counts (respondent weighting) or average the groups' indices
    weighted by their dossiers (``weights``); their variance combines the groups' variances
    (:mod:`analysis.district`).

    Parameters
    ----------
    counts : DataFrame
        Count table ``[*by, "item", "value", "count"]`` (pass 1).
    respondents : DataFrame
        ``[*by, "n_respondents"]``: valid responses per group.
    moments : DataFrame
        ``[*by, "target", "sum_z2", "n_respondents"]`` (pass 2).
    instrument : Instrument or mapping item → element
    method : {"mean-of-elements", "pooled", "mean-of-criteria"}
        Headline method of the campaign.
    by : str or list of str
    confidence : float
    district : bool
        Append the district rows.
    district_label : object
        Group value of the district rows.
    weights : DataFrame, optional
        ``[*by, "weight"]``, the groups' dossier counts N for ``dossier`` weighting of the
        district rows; None weights every valid response alike (``respondent``).
    district_within : sequence of str
        Group columns that keep their value in the district rows: one district per value
        of them, over the other group columns (e.g. ``["field"]`` with ``by=["field",
        "unit"]``: each field's total over its units — what computing each field's table
        on its own would give, in one call). None: one district of every group.

    Returns
    -------
    DataFrame
        ``[*by, "target", "level", "code", "element", "n_valid", "n", "n_respondents",
        "index", "ci_low", "ci_high", "se", "variance", "mean_score"]``:

        - ``target``: ``"overall"`` (headline), ``"overall:<method>"``, ``"element:<code>"``,
          ``"criterion:<item>"``; ``level``: headline / overall / element / criterion;
          ``code``: method, element or item code; ``element``: element of the row;
        - ``n_valid``: valid responses of the group; ``n``: valid answers behind the index;
          ``n_respondents``: respondents behind it (m);
        - ``index``, ``ci_low``, ``ci_high``, ``se`` in percent (NaN when undefined);
          ``variance`` of the fraction and ``df`` its effective degrees of freedom;
          ``mean_score`` on the 1–5 scale;
        - ``n_elements``: elements of the instrument with data behind the row (for the
          overall and headline rows: how many elements the index is built from).
    """
    if method not in HEADLINE_METHODS:
        raise ValueError(f"method must be one of {HEADLINE_METHODS}, got {method!r}")
    columns = by_columns(by)
    require_columns(respondents, [*columns, "n_respondents"], "respondent table")
    structure = structure_of(instrument)
    keys = group_keys([counts, respondents], by)
    linear = linearized_intervals(counts, moments, structure, by, confidence, keys)
    criteria = _criteria(counts, structure, by, confidence, keys)
    table = pd.concat([linear, criteria], ignore_index=True)
    valid = respondents.groupby(columns, dropna=False)["n_respondents"].sum().rename("n_valid")
    table = table.merge(valid.reset_index(), on=columns, how="left")
    table["n_valid"] = table["n_valid"].fillna(0).astype("int64")
    parts = [_ordered(table, method, columns)]
    if district:
        within = list(district_within)
        if weights is None:
            rows = _district(counts, structure, by, confidence, linear, district_label,
                             within)
        else:
            rows = _weighted_district(table, weights, by, confidence, district_label, within)
        if within:
            valid = (respondents.groupby(within, dropna=False)["n_respondents"].sum()
                     .rename("n_valid").reset_index())
            rows = rows.merge(valid, on=within, how="left")
            rows["n_valid"] = rows["n_valid"].fillna(0).astype("int64")
        else:
            rows = rows.assign(n_valid=int(respondents["n_respondents"].sum()))
        parts.append(_ordered(rows, method, within))
    table = pd.concat(parts, ignore_index=True)
    return table[[*columns, *RESULT_COLUMNS]].reset_index(drop=True)


def headline_indices(counts: pd.DataFrame, instrument: StructureLike,
                     method: str = "mean-of-elements", by: By = DEFAULT_BY,
                     district: bool = True, district_label: object = DISTRICT,
                     weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """The headline index of every group (and the district) without its interval: the
    ``index`` of :func:`compute_results`' headline rows, for callers that need no more (the
    validity rule of METHODOLOGY §3 compares headlines counted with and without the
    invalid responses). Nothing of pass 2 is needed, and no variance is computed.

    The district follows :func:`compute_results`: with ``weights`` None its index comes from
    the groups' counts pooled; with ``weights`` (``[*by, "weight"]``) it is the dossier-
    weighted mean of the groups' headlines, over the groups where the headline is defined
    and the weight positive. Returns ``[*by, "index"]``, the district row last.
    """
    if method not in HEADLINE_METHODS:
        raise ValueError(f"method must be one of {HEADLINE_METHODS}, got {method!r}")
    columns = by_columns(by)
    structure = structure_of(instrument)

    def headlines(table: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
        rows = overall_indices(table, structure, by, keys)
        return rows.loc[rows["method"] == method, [*columns, "n", "index"]]

    groups = headlines(counts, group_keys([counts], by))
    parts = [groups[[*columns, "index"]]]
    if district:
        label = pd.DataFrame({column: [district_label] for column in columns})
        if weights is None:
            parts.append(headlines(pool_groups(counts, by, district_label), label)
                         [[*columns, "index"]])
        else:
            defined = with_weights(groups.loc[groups["index"].notna() & (groups["n"] > 0)],
                                   columns, weights)
            share = defined["weight"] / defined["weight"].sum()
            index = float((share * defined["index"]).sum()) if len(defined) else np.nan
            parts.append(label.assign(index=index))
    return pd.concat(parts, ignore_index=True)


def combined_totals(counts: pd.DataFrame, table: pd.DataFrame, instrument: StructureLike,
                    members: dict, method: str = "mean-of-elements", by: str = "unit",
                    confidence: float = 0.95, weights: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    r"""Several totals at once, each over its own groups, exactly as the district row is
    made over all of them (e.g. a merged commune's previous figure over its predecessors).

    ``members`` maps a group (a value of ``by``) to the label of its total; a group maps to
    one total at most. With ``weights`` None (respondent weighting) each total's indices come
    from its groups' counts pooled and its variance combines their variances as strata
    (:func:`analysis.district.combined_variance` with one district per total); with
    ``weights`` (``[by, "weight"]``, dossier counts N) each total is the N-weighted mean of
    its groups' indices. ``counts`` is the count table of the groups, ``table`` their result
    table (:func:`compute_results`). Returns the result-table rows of every total that has
    a group in ``table``, with ``by`` holding the total's label.
    """
    if method not in HEADLINE_METHODS:
        raise ValueError(f"method must be one of {HEADLINE_METHODS}, got {method!r}")
    structure = structure_of(instrument)
    labels = counts[by].map(members)
    kept = counts.loc[labels.notna()].assign(**{by: labels[labels.notna()]})
    rows_of = table.loc[table[by].isin(list(members)) & (table["level"] != "headline")]
    rows_of = rows_of.assign(_total=rows_of[by].map(members))
    totals = list(dict.fromkeys(rows_of["_total"]))
    if not totals:
        return table.iloc[0:0][[by, *RESULT_COLUMNS]]
    n_valid = rows_of.drop_duplicates(by).groupby("_total")["n_valid"].sum()
    if weights is None:
        pooled = kept.groupby([by, "item", "value"], dropna=False, sort=True)["count"].sum()
        pooled = pooled.reset_index()
        keys = pd.DataFrame({by: totals})
        estimates = index_estimates(pooled, structure, by, keys)
        combined = combined_variance(rows_of.loc[rows_of["level"] != "criterion"], by,
                                     within=["_total"]).rename(columns={"_total": by})
        estimates = estimates.merge(combined[[by, "target", "variance", "n_respondents", "df"]],
                                    on=[by, "target"], how="left")
        estimates["n_respondents"] = estimates["n_respondents"].fillna(0).astype("int64")
        criteria = _criteria(pooled, structure, by, confidence, keys)
        rows = pd.concat([_with_interval(estimates, confidence), criteria], ignore_index=True)
    else:
        rows = pd.concat([_weighted_district(part.drop(columns="_total"), weights, by,
                                             confidence, total)
                          for total, part in rows_of.groupby("_total", sort=False)],
                         ignore_index=True)
    rows = rows.assign(n_valid=rows[by].map(n_valid).fillna(0).astype("int64"))
    ordered = _ordered(rows, method, [by])
    return ordered[[by, *RESULT_COLUMNS]].reset_index(drop=True)
