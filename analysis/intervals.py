"""Confidence intervals for proportions and for differences of them (METHODOLOGY §4).

All functions work on fractions (0..1) and are vectorised over numpy arrays or pandas
Series; callers convert to percent.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]


def normal_quantile(confidence: float = 0.95) -> float:
    """Two-sided standard-normal critical value, e.g. 1.959964 for 95%."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
                    ) -> tuple[FloatArray, FloatArray]:
    r"""Wilson score interval for a binomial proportion (METHODOLOGY §4, criteria).

    .. math::

        \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n}
        + \frac{z^2}{4n^2}}}{1 + z^2/n}, \qquad \hat p = s/n

    ``n`` may be fractional: :func:`effective_wilson_interval` uses it with an
    effective sample size.

    Parameters
    ----------
    successes, n : array_like
        Number of satisfied answers and of valid answers. ``n = 0`` gives NaN.
    confidence : float
        Two-sided level, 0.95 by default.

    Returns
    -------
    (low, high) : tuple of ndarray
        Bounds as fractions, clipped to [0, 1].

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22:209–212. Newcombe, R. G. (1998). Two-sided confidence intervals for
    the single proportion: comparison of seven methods. Stat Med 17:857–872 (method 3).
    """
    s = np.asarray(successes, dtype=float)
    size = np.asarray(n, dtype=float)
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / size
        denominator = 1 + z * z / size
        centre = (p + z * z / (2 * size)) / denominator
        half = z * np.sqrt(p * (1 - p) / size + z * z / (4 * size * size)) / denominator
    undefined = ~(size > 0)
    low = np.where(undefined, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(undefined, np.nan, np.clip(centre + half, 0.0, 1.0))
    # Exact bounds at the edges, free of rounding noise (Newcombe 1998, Table I: 0/20 → 0).
    low = np.where((s == 0) & ~undefined, 0.0, low)
    high = np.where((s == size) & ~undefined, 1.0, high)
    return low, high


def effective_wilson_interval(estimate: ArrayLike, variance: ArrayLike,
                              n_respondents: ArrayLike, confidence: float = 0.95,
                              df: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
    r"""Wilson interval on the effective sample size of a survey estimate (METHODOLOGY §4).

    An index ``T`` (a fraction) with design-based variance ``V`` estimated from ``m``
    respondents is treated as a binomial proportion observed on Kish's effective sample
    size :math:`n_{eff} = T(1-T)/V` and given the Wilson score interval, with the normal
    quantile replaced by Student's :math:`t_{m-1}` because ``V`` is itself estimated from
    ``m`` respondents (``m - 1`` degrees of freedom). Since the Wilson interval depends on
    ``z`` and ``n`` only through :math:`z^2/n`, this is :func:`wilson_interval` on

    .. math:: n^* = n_{eff}\,igl(z_{1-lpha/2}/t_{m-1,\,1-lpha/2}igr)^2 .

    The interval stays inside [0, 1] and is asymmetric near 0 and 100%, where SIPAS
    indices often are; for a single item answered once per respondent it is close to the
    plain Wilson interval.

    When ``V = 0`` (for instance every answer satisfied, ``T = 1``) or cannot be estimated
    (NaN, e.g. a single respondent) the effective size is undefined; the number of
    respondents is used instead, i.e. as if each person's answers were a single
    observation (the most conservative reading of perfectly correlated items).

    Parameters
    ----------
    estimate : array_like
        Point estimates as fractions (NaN allowed).
    variance : array_like
        Variance estimates of the fractions (NaN: unknown, see above).
    n_respondents : array_like
        Respondents behind each estimate (``m``); 0 gives a NaN interval.
    confidence : float
        Two-sided level.
    df : array_like, optional
        Degrees of freedom of the variance estimate; ``m - 1`` by default (at least 1).
        The district row passes :math:`\sum_h m_h - H` (groups as strata).

    References
    ----------
    Kish, L. (1965). Survey Sampling, §8.2 (design effect, effective sample size).
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. Survey Methodology
    24:193–201 (binomial intervals on a degrees-of-freedom-adjusted effective sample size).
    Dean, N. & Pagano, M. (2015). Evaluating confidence interval methods for binomial
    proportions in clustered surveys. J Surv Stat Methodol 3:484–503.
    """
    t = np.asarray(estimate, dtype=float)
    v = np.asarray(variance, dtype=float)
    m = np.asarray(n_respondents, dtype=float)
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(v > 0, t * (1 - t) / v, m)
        freedom = m - 1 if df is None else np.asarray(df, dtype=float)
        t_quantile = stats.t.ppf(0.5 + confidence / 2, np.maximum(freedom, 1))
        n_star = np.where(m > 0, n_eff * (z / t_quantile) ** 2, np.nan)
    return wilson_interval(t * n_star, n_star, confidence)


def mover_difference(estimate_1: ArrayLike, low_1: ArrayLike, high_1: ArrayLike,
                     estimate_2: ArrayLike, low_2: ArrayLike, high_2: ArrayLike
                     ) -> tuple[FloatArray, FloatArray]:
    r"""Interval for the difference of two independent estimates from their intervals.

    Method of variance estimates recovery (MOVER), which with Wilson intervals is
    Newcombe's hybrid score interval ("method 10"):

    .. math::

        L = d - \sqrt{(\hat\theta_1 - l_1)^2 + (u_2 - \hat\theta_2)^2}, \quad
        U = d + \sqrt{(u_1 - \hat\theta_1)^2 + (\hat\theta_2 - l_2)^2}, \quad
        d = \hat\theta_1 - \hat\theta_2

    It inherits the asymmetry of the two intervals near 0 and 100% (METHODOLOGY §4,
    year-over-year change).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 17:873–890 (method 10).
    Zou, G. Y. & Donner, A. (2008). Construction of confidence limits about effect measures:
    a general approach. Stat Med 27:1693–1702.
    """
    t1, l1, u1 = (np.asarray(x, dtype=float) for x in (estimate_1, low_1, high_1))
    t2, l2, u2 = (np.asarray(x, dtype=float) for x in (estimate_2, low_2, high_2))
    difference = t1 - t2
    low = difference - np.sqrt((t1 - l1) ** 2 + (u2 - t2) ** 2)
    high = difference + np.sqrt((u1 - t1) ** 2 + (t2 - l2) ** 2)
    return low, high
