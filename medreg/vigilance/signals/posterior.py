"""MGPS posterior: EBGM and the EB05/EB95 quantiles, vectorised over all pairs.

Given N = n and E, lambda is a mixture Q Gamma(alpha1+n, rate beta1+E) +
(1-Q) Gamma(alpha2+n, rate beta2+E) with Q from the untruncated negative binomials.
Quantiles are found by a safeguarded Halley iteration on the mixture CDF for all pairs
at once (the bracket shrinking with every evaluation), then optionally mapped onto
openEBGM's ``quantBisect`` grid so that the published two-decimal values are reproduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma, gammainc, gammaln, ndtri

FloatArray = NDArray[np.float64]


def _log_nb(alpha: float, beta: float, n: FloatArray, e: FloatArray) -> FloatArray:
    """Log negative binomial pmf, size alpha and probability beta / (beta + E)."""
    log_be = np.log(beta + e)
    out = (
        gammaln(alpha + n) - gammaln(alpha) - gammaln(n + 1)
        + alpha * (math.log(beta) - log_be) + n * (np.log(e) - log_be)
    )
    return np.asarray(out, dtype=np.float64)


def posterior_q(theta: FloatArray, n: FloatArray, e: FloatArray) -> FloatArray:
    """Posterior probability Q that lambda comes from the first prior component."""
    a1, b1, a2, b2, p = theta
    t1 = math.log(p) + _log_nb(a1, b1, n, e)
    t2 = math.log1p(-p) + _log_nb(a2, b2, n, e)
    return np.asarray(np.exp(t1 - np.logaddexp(t1, t2)), dtype=np.float64)


def ebgm(theta: FloatArray, n: FloatArray, e: FloatArray, q: FloatArray) -> FloatArray:
    """Empirical Bayes geometric mean exp(E[log lambda | N, E])."""
    a1, b1, a2, b2, _ = theta
    log1 = digamma(a1 + n) - np.log(b1 + e)
    log2 = digamma(a2 + n) - np.log(b2 + e)
    return np.asarray(np.exp(q * log1 + (1 - q) * log2), dtype=np.float64)


@dataclass(frozen=True)
class _Posterior:
    """Per-pair posterior mixture: shapes, rates, log-gamma of the shapes, weight Q."""

    s1: FloatArray
    s2: FloatArray
    r1: FloatArray
    r2: FloatArray
    q: FloatArray
    lg1: FloatArray
    lg2: FloatArray

    @classmethod
    def build(cls, theta: FloatArray, n: FloatArray, e: FloatArray, q: FloatArray) -> _Posterior:
        """Posterior parameters from the prior and each pair's N and E."""
        a1, b1, a2, b2, _ = theta
        s1, s2 = a1 + n, a2 + n
        return cls(s1, s2, b1 + e, b2 + e, q, gammaln(s1), gammaln(s2))

    def take(self, idx: NDArray[np.intp]) -> _Posterior:
        """The posteriors of a subset of the pairs."""
        return _Posterior(self.s1[idx], self.s2[idx], self.r1[idx], self.r2[idx], self.q[idx],
                          self.lg1[idx], self.lg2[idx])

    def cdf(self, x: FloatArray) -> FloatArray:
        """Mixture CDF at x > 0."""
        out = self.q * gammainc(self.s1, self.r1 * x) + (1 - self.q) * gammainc(self.s2, self.r2 * x)
        return np.asarray(out, dtype=np.float64)

    def log_slopes(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """First and second derivatives of the CDF with respect to log x.

        The first is x times the density; for one gamma component with shape s and rate r
        the second is that times (s - r x), so neither needs another special function.
        """
        y1, y2 = self.r1 * x, self.r2 * x
        d1 = self.q * np.exp(self.s1 * np.log(y1) - y1 - self.lg1)
        d2 = (1 - self.q) * np.exp(self.s2 * np.log(y2) - y2 - self.lg2)
        return d1 + d2, d1 * (self.s1 - y1) + d2 * (self.s2 - y2)


def _wilson_hilferty(prob: float, shape: FloatArray, rate: FloatArray) -> FloatArray:
    """Wilson-Hilferty approximation of a gamma quantile (the starting point)."""
    z = float(ndtri(prob))
    cube = np.maximum(1 - 1 / (9 * shape) + z * np.sqrt(1 / (9 * shape)), 0.05)
    return np.asarray(shape * cube**3 / rate, dtype=np.float64)


#: A pair is done once its Newton step is below this (relative): the Halley step taken
#: from there leaves an error of order its cube, i.e. the root to rounding.
_STEP_DONE = 1e-5


def _steps(post: _Posterior, x: FloatArray, err: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Newton's step in log x for F(x) - prob = err, and the step to take.

    The step taken is Halley's (cubic convergence) where the Newton step is small enough
    for the curvature correction to be trusted, else Newton's; both are NaN/inf when the
    CDF is flat at x (the caller then bisects).
    """
    slope, curve = post.log_slopes(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        newton = -err / slope
        correction = 1 + 0.5 * newton * curve / slope
        halley = newton / correction
    trusted = (np.abs(newton) < 0.5) & (correction > 0.5)
    return newton, np.where(trusted, halley, newton)


def _solve(prob: float, post: _Posterior, start: FloatArray) -> FloatArray:
    """Safeguarded Halley iteration in log x for all pairs at once.

    The bracket starts as (0, inf) and shrinks with every CDF evaluation (F is
    increasing); a step that is not finite or leaves the bracket is replaced by geometric
    bisection (or a factor of 4 while one side is still open).  A pair is done when its
    Newton step is below ``_STEP_DONE`` relative (the Halley step is then taken), or its bracket has closed to rounding.
    From the Wilson-Hilferty start this takes two CDF evaluations for nearly every pair.
    """
    x = start.copy()
    lo, hi = np.zeros_like(x), np.full_like(x, np.inf)
    idx = np.arange(x.size)
    for _ in range(300):
        sub = post if idx.size == x.size else post.take(idx)
        xi = x[idx]
        err = sub.cdf(xi) - prob
        below = err < 0
        lo_i, hi_i = np.where(below, xi, lo[idx]), np.where(below, hi[idx], xi)
        lo[idx], hi[idx] = lo_i, hi_i
        newton, step = _steps(sub, xi, err)
        with np.errstate(over="ignore", invalid="ignore"):
            new = xi * np.exp(np.clip(step, -30, 30))
        inside = np.isfinite(new) & (new > lo_i) & (new < hi_i)
        fallback = np.where(lo_i == 0, hi_i / 4, np.where(np.isinf(hi_i), lo_i * 4, np.sqrt(lo_i * hi_i)))
        x[idx] = np.where(inside, new, fallback)
        closed = hi_i <= lo_i * (1 + 1e-14)
        done = (inside & (np.abs(newton) <= _STEP_DONE)) | (err == 0) | closed
        x[idx[err == 0]] = xi[err == 0]
        idx = idx[~done]
        if idx.size == 0:
            break
    return x


def posterior_quantile(prob: float, theta: FloatArray, n: FloatArray, e: FloatArray,
                       q: FloatArray) -> FloatArray:
    """Exact ``prob`` quantile of each pair's posterior mixture (relative error ~1e-12)."""
    post = _Posterior.build(theta, n, e, q)
    w1, w2 = _wilson_hilferty(prob, post.s1, post.r1), _wilson_hilferty(prob, post.s2, post.r2)
    return _solve(prob, post, np.where(q >= 0.5, w1, w2))


def openebgm_grid(root: FloatArray, digits: int = 2, limit: float = 100_000.0) -> FloatArray:
    """The value openEBGM ``quantBisect`` returns for a posterior quantile ``root``.

    quantBisect starts from [-limit, 1] (root < 1) or [1, limit], halves until the half
    width is below 0.5 * 10**-digits, and returns the last midpoint rounded to ``digits``.
    Its midpoints are a dyadic grid, so the result follows from the exact root.
    """
    tol = 0.5 * 10.0 ** (-digits)
    left = np.where(root < 1, -limit, 1.0)
    width = np.where(root < 1, 1 + limit, limit - 1)
    halvings = max(0, math.ceil(math.log2(float(width.max()) / (2 * tol)) - 1e-12))
    while float(width.max()) / 2 ** (halvings + 1) >= tol:
        halvings += 1
    h = width / 2.0**halvings
    cell = np.ceil((root - left) / h) - 1
    return np.round(left + (cell + 0.5) * h, digits)
