"""MGPS prior: data squashing and the two-gamma mixture fit (openEBGM 0.9.1 method).

Under mixture component k, N | E is negative binomial with size alpha_k and
probability beta_k / (beta_k + E).  Only pairs with N >= 1 exist, so each component is
truncated at zero.  The hyperparameters theta = (alpha1, beta1, alpha2, beta2, P)
maximise the weighted truncated log-likelihood of the squashed points.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import digamma, gammaln
from threadpoolctl import threadpool_limits

FloatArray = NDArray[np.float64]

#: openEBGM vignette starting points (rows: alpha1, beta1, alpha2, beta2, P).
START_POINTS: tuple[tuple[float, float, float, float, float], ...] = (
    (0.2, 0.1, 2.0, 4.0, 1 / 3),
    (0.1, 0.1, 10.0, 10.0, 0.2),
    (0.3, 0.5, 6.0, 6.0, 0.5),
    (0.5, 0.3, 12.0, 12.0, 0.8),
    (0.2, 0.2, 5.0, 5.0, 0.4),
)
#: openEBGM ``autoHyper`` agreement tolerances on the five parameters.
TOLERANCES = np.array([0.05, 0.05, 0.2, 0.2, 0.025])
PARAM_LIMIT = 100.0
_EPS = 1e-8
BOUNDS = [(_EPS, PARAM_LIMIT)] * 4 + [(_EPS, 1 - _EPS)]
#: Threads for the independent starting points.
FIT_THREADS = min(len(START_POINTS), os.cpu_count() or 1)


@dataclass(frozen=True)
class SquashedData:
    """Points entering the likelihood: counts, expected counts and weights."""

    N: FloatArray
    E: FloatArray
    weight: FloatArray

    def prepare(self) -> None:
        """Compute the cached constants now (before the fit's threads share them)."""
        _ = self.log_e, self.n_levels, self.log_n_factorial

    @cached_property
    def log_e(self) -> FloatArray:
        """log E, constant during the fit."""
        return np.log(self.E)

    @cached_property
    def n_levels(self) -> tuple[FloatArray, NDArray[np.intp]]:
        """Distinct N values and each point's index into them (gammaln/digamma per level)."""
        values, index = np.unique(self.N, return_inverse=True)
        return values, index

    @cached_property
    def log_n_factorial(self) -> FloatArray:
        """log N!, constant during the fit."""
        return np.asarray(gammaln(self.N + 1), dtype=np.float64)


@dataclass(frozen=True)
class Hyperparameters:
    """Fitted prior and how the multi-start fit agreed."""

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    P: float
    neg_log_likelihood: float
    num_close: int
    squashed_points: int
    converged: bool = True

    def theta(self) -> FloatArray:
        """The five hyperparameters as an array (alpha1, beta1, alpha2, beta2, P)."""
        return np.array([self.alpha1, self.beta1, self.alpha2, self.beta2, self.P])


def squash_level(data: SquashedData, count: int, bin_size: int = 50, keep: int = 100) -> SquashedData:
    """openEBGM ``squashData``: bin the points with N == count by ascending E.

    The ``keep`` largest-E points stay as they are; the others are cut, in E order, into
    consecutive bins of ``bin_size`` (a final smaller bin takes the remainder), each
    replaced by one point with the mean E and weight = summed weights (its size).
    """
    sel = np.equal(data.N, count)
    n_squash = int(sel.sum()) - keep
    if n_squash < bin_size:
        return data
    e, w = data.E[sel], data.weight[sel]
    if np.any(e[1:] < e[:-1]):
        order = np.argsort(e, kind="stable")
        e, w = e[order], w[order]
    starts = np.arange(0, n_squash, bin_size)
    sizes = np.add.reduceat(np.ones(n_squash), starts)
    means = np.add.reduceat(e[:n_squash], starts) / sizes
    weights = np.add.reduceat(w[:n_squash], starts)
    return SquashedData(
        N=np.concatenate([data.N[~sel], np.full(starts.size + keep, float(count))]),
        E=np.concatenate([data.E[~sel], means, e[n_squash:]]),
        weight=np.concatenate([data.weight[~sel], weights, w[n_squash:]]),
    )


def _cap_level(e: FloatArray, w: FloatArray, cap: int) -> tuple[FloatArray, FloatArray]:
    """One level (E sorted ascending) cut to ``cap`` points: the cap // 2 largest E kept,
    the rest squashed into cap - cap // 2 bins of near-equal size (mean E, summed weight)."""
    if e.size <= cap:
        return e, w
    keep = cap // 2
    rest = e.size - keep
    starts = np.unique(np.linspace(0, rest, cap - keep, endpoint=False).astype(np.intp))
    sizes = np.diff(np.append(starts, rest))
    means = np.add.reduceat(e[:rest], starts) / sizes
    return np.concatenate([means, e[rest:]]), np.concatenate([np.add.reduceat(w[:rest], starts), w[rest:]])


def _squash_levels(data: SquashedData, cap: int) -> SquashedData:
    """Cap every level N at ``cap`` points (data sorted by N, then E, unit weights)."""
    values, starts, sizes = np.unique(data.N, return_index=True, return_counts=True)
    big = sizes > cap
    untouched = ~np.repeat(big, sizes)
    parts = [_cap_level(data.E[i:i + k], data.weight[i:i + k], cap)
             for i, k in zip(starts[big], sizes[big], strict=True)]
    return SquashedData(
        np.concatenate([data.N[untouched], np.repeat(values[big], [p[0].size for p in parts])]),
        np.concatenate([data.E[untouched], *(p[0] for p in parts)]),
        np.concatenate([data.weight[untouched], *(p[1] for p in parts)]),
    )


def _level_cap(data: SquashedData, max_points: int) -> int:
    """Largest per-level cap (halving from 8,192, at least 4) giving at most ``max_points``."""
    _, sizes = np.unique(data.N, return_counts=True)
    cap = 8192
    while cap > 4 and int(np.minimum(sizes, cap).sum()) > max_points:
        cap //= 2
    return cap


def _by_n_then_e(n: FloatArray, e: FloatArray) -> NDArray[np.intp]:
    """Permutation sorting by N, then E (two stable argsorts: faster than lexsort)."""
    if np.all((n[1:] > n[:-1]) | ((n[1:] == n[:-1]) & (e[1:] >= e[:-1]))):
        return np.arange(n.size)
    by_e = np.argsort(e, kind="stable")
    return by_e[np.argsort(n[by_e], kind="stable")]


def squash(n: FloatArray, e: FloatArray, max_points: int = 20_000) -> SquashedData:
    """Reference squashing of the N = 1 points; levels N >= 2 only if still too many.

    openEBGM refuses more than 20,000 points (``max_pts``).  When the reference squashing
    leaves more, every level N (N = 1 included) is instead capped: half its cap kept as
    the largest-E points, the rest squashed into equal-count E bins, with the largest cap
    (8,192 halved down to 4) that fits ``max_points``.  Whenever the reference squashing
    gives at most ``max_points`` points, the result is exactly openEBGM's ``squashData``.
    """
    order = _by_n_then_e(n, e)  # canonical order: the fit must not depend on row order
    units = SquashedData(n[order], e[order], np.ones_like(e))
    data = squash_level(units, 1)
    if data.N.size <= max_points:
        return data
    return _squash_levels(units, _level_cap(units, max_points))


def _component(
    alpha: float, beta: float, data: SquashedData
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Log truncated NB pmf of one component and its derivatives in alpha and beta."""
    n, e = data.N, data.E
    levels, index = data.n_levels
    log_be = np.log(beta + e)
    log_p = math.log(beta) - log_be
    a_log_p = alpha * log_p
    lg = (gammaln(alpha + levels) - gammaln(alpha))[index]
    log_f = lg - data.log_n_factorial + a_log_p + n * (data.log_e - log_be)
    one_minus_f0 = -np.expm1(a_log_p)  # 1 - f(0), exact also when f(0) is close to 1
    truncation = 1 / one_minus_f0  # 1 + f(0) / (1 - f(0))
    inv_be = 1 / (beta + e)
    d_alpha = (digamma(alpha + levels) - digamma(alpha))[index] + log_p * truncation
    d_beta = alpha * (1 / beta - inv_be) * truncation - n * inv_be
    return log_f - np.log(one_minus_f0), d_alpha, d_beta


def neg_log_likelihood(theta: FloatArray, data: SquashedData) -> tuple[float, FloatArray]:
    """Weighted truncated (N >= 1) negative log-likelihood and its gradient."""
    a1, b1, a2, b2, p = (float(x) for x in theta)
    l1, da1, db1 = _component(a1, b1, data)
    l2, da2, db2 = _component(a2, b2, data)
    t1, t2 = math.log(p) + l1, math.log1p(-p) + l2
    # log(exp(t1) + exp(t2)) and the two responsibilities from one exp and one log1p
    first_larger = t1 >= t2
    small = np.exp(-np.abs(t1 - t2))
    mix = np.maximum(t1, t2) + np.log1p(small)
    r_large = 1 / (1 + small)
    r_small = small * r_large
    r1 = np.where(first_larger, r_large, r_small)
    r2 = np.where(first_larger, r_small, r_large)
    terms = np.stack([mix, r1 * da1, r1 * db1, r2 * da2, r2 * db2, r1 / p - r2 / (1 - p)])
    sums = -(terms * data.weight).sum(axis=1)  # plain sums: no BLAS thread start-up per call
    return float(sums[0]), sums[1:]


@dataclass(frozen=True)
class _Start:
    """One optimisation run from one starting point."""

    theta: FloatArray
    value: float
    converged: bool


def _fit_one(start: tuple[float, ...] | FloatArray, data: SquashedData, ftol: float = 1e-11) -> _Start:
    """Bounded quasi-Newton (L-BFGS-B, analytic gradient) minimisation from one start."""
    res = minimize(
        neg_log_likelihood, np.array(start), args=(data,), jac=True, method="L-BFGS-B",
        bounds=BOUNDS, options={"maxiter": 2000, "ftol": ftol, "gtol": 1e-9},
    )
    theta = np.asarray(res.x, dtype=np.float64)
    inside = bool(np.all(theta[:4] < PARAM_LIMIT - 1e-6) and 1e-6 < theta[4] < 1 - 1e-6)
    return _Start(theta, float(res.fun), bool(res.success and inside and np.isfinite(res.fun)))


def _choose(runs: list[_Start]) -> tuple[_Start, int]:
    """openEBGM ``autoHyper`` rule: best converged run and how many others agree with it.

    openEBGM stops with an error when no start converges inside the bounds; here the best
    run is returned and ``Hyperparameters.converged`` is False (``num_close`` tells the rest).
    """
    converged = [r for r in runs if r.converged] or runs  # none: best of all, flagged
    best = min(converged, key=lambda r: r.value)
    close = sum(_agrees(r.theta, best.theta) for r in runs if r is not best)
    return best, close


def _agrees(theta: FloatArray, best: FloatArray) -> bool:
    """Within TOLERANCES of ``best``, as fitted or with the two components' labels swapped
    (the same mixture: openEBGM compares labels as fitted only, which can miss it)."""
    swapped = np.array([theta[2], theta[3], theta[0], theta[1], 1 - theta[4]])
    return any(bool(np.all(np.abs(t - best) < TOLERANCES)) for t in (theta, swapped))


def _hessian(theta: FloatArray, data: SquashedData, free: NDArray[np.bool_]) -> FloatArray:
    """Central differences of the analytic gradient over the free parameters (symmetrised)."""
    cols = []
    for j in np.flatnonzero(free):
        h = 1e-6 * max(abs(float(theta[j])), 1e-3)
        up, down = theta.copy(), theta.copy()
        up[j], down[j] = theta[j] + h, theta[j] - h
        cols.append((neg_log_likelihood(up, data)[1] - neg_log_likelihood(down, data)[1])[free] / (2 * h))
    hess = np.column_stack(cols)
    return np.asarray((hess + hess.T) / 2, dtype=np.float64)


def _newton_polish(theta: FloatArray, data: SquashedData, steps: int = 4) -> tuple[FloatArray, float]:
    """Newton steps on the gradient for the parameters off their bounds.

    L-BFGS-B stops on the change in the likelihood, which near the optimum is flat to
    rounding: its estimate can sit ~1e-5 from the maximum along the flattest direction,
    enough to move an EB05 across openEBGM's 0.01 grid.  Newton on the analytic gradient
    lands on the maximum itself; a step is kept only while the Hessian is positive
    definite, the step stays inside the bounds and the likelihood does not get worse.
    """
    lower, upper = np.array(BOUNDS).T
    free = (theta > lower * (1 + 1e-3)) & (theta < upper * (1 - 1e-6))
    value, grad = neg_log_likelihood(theta, data)
    for _ in range(steps):
        try:
            np.linalg.cholesky(hess := _hessian(theta, data, free))
        except np.linalg.LinAlgError:
            break
        candidate = theta.copy()
        candidate[free] -= np.linalg.solve(hess, grad[free])
        new_value, new_grad = neg_log_likelihood(candidate, data)
        if np.any(candidate <= lower) or np.any(candidate >= upper) or new_value > value + 1e-12 * abs(value):
            break
        moved = float(np.max(np.abs(candidate - theta) / np.abs(theta)))
        theta, value, grad = candidate, new_value, new_grad
        if moved < 1e-12:
            break
    return theta, value


def fit_prior(data: SquashedData) -> Hyperparameters:
    """Fit the two-gamma mixture prior from the five reference starting points.

    The five runs stop at a relative change of 1e-11 (ample for the agreement rule) and run
    side by side on ``FIT_THREADS`` threads (numpy and scipy.special release the GIL in
    their loops); the chosen one is then polished to 1e-15 and finished with Newton steps
    (:func:`_newton_polish`).  BLAS is held to one thread: L-BFGS-B's algebra is on
    5 x 10 matrices, where OpenBLAS's worker threads only spin.
    """
    data.prepare()
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(FIT_THREADS) as pool:
        runs = list(pool.map(lambda start: _fit_one(start, data), START_POINTS))
        best, close = _choose(runs)
        polished = _fit_one(best.theta, data, ftol=1e-15)  # tighten only the chosen estimate
        if polished.converged and polished.value <= best.value:
            best = polished
        theta, value = _newton_polish(best.theta, data)
    a1, b1, a2, b2, p = (float(x) for x in theta)
    return Hyperparameters(a1, b1, a2, b2, p, value, close, int(data.N.size), best.converged)
