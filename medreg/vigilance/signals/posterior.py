"""MGPS posterior: EBGM and the EB05/EB95 quantiles, vectorised over all pairs.

Given N = n and E, lambda is a mixture Q Gamma(alpha1+n, rate beta1+E) +
(1-Q) Gamma(alpha2+n, rate beta2+E) with Q from the untruncated negative binomials.
Quantiles are found by a safeguarded Newton iteration on the mixture CDF for all pairs
at once (bracketed by the two component quantiles), then optionally mapped onto
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

    def log_slope(self, x: FloatArray) -> FloatArray:
        """Derivative of the CDF with respect to log x (x times the density)."""
        y1, y2 = self.r1 * x, self.r2 * x
        d1 = np.exp(self.s1 * np.log(y1) - y1 - self.lg1)
        d2 = np.exp(self.s2 * np.log(y2) - y2 - self.lg2)
        return np.asarray(self.q * d1 + (1 - self.q) * d2, dtype=np.float64)


def _wilson_hilferty(prob: float, shape: FloatArray, rate: FloatArray) -> FloatArray:
    """Wilson-Hilferty approximation of a gamma quantile (used only to bracket)."""
    z = float(ndtri(prob))
    cube = np.maximum(1 - 1 / (9 * shape) + z * np.sqrt(1 / (9 * shape)), 0.05)
    return np.asarray(shape * cube**3 / rate, dtype=np.float64)


def _bracket(prob: float, post: _Posterior) -> tuple[FloatArray, FloatArray]:
    """[lo, hi] with F(lo) < prob <= F(hi), widened by factors of 4 until it holds."""
    w1, w2 = _wilson_hilferty(prob, post.s1, post.r1), _wilson_hilferty(prob, post.s2, post.r2)
    lo, hi = 0.5 * np.minimum(w1, w2), 2.0 * np.maximum(w1, w2)
    for _ in range(200):
        bad_lo, bad_hi = post.cdf(lo) >= prob, post.cdf(hi) < prob
        if not (bad_lo.any() or bad_hi.any()):
            break
        lo, hi = np.where(bad_lo, lo / 4, lo), np.where(bad_hi, hi * 4, hi)
    return lo, hi


def _solve(prob: float, post: _Posterior, lo: FloatArray, hi: FloatArray,
           start: FloatArray) -> FloatArray:
    """Newton in log x, falling back to geometric bisection when it leaves [lo, hi].

    A pair is done when its Newton step stays inside the bracket and is below 1e-10
    relative (quadratic convergence makes the stepped value exact to rounding).
    """
    x = np.clip(start, lo, hi)
    idx = np.arange(x.size)
    for _ in range(200):
        sub, xi = post.take(idx), x[idx]
        err = sub.cdf(xi) - prob
        lo[idx] = np.where(err < 0, xi, lo[idx])
        hi[idx] = np.where(err < 0, hi[idx], xi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new = xi * np.exp(np.clip(-err / sub.log_slope(xi), -30, 30))
        inside = np.isfinite(new) & (new >= lo[idx]) & (new <= hi[idx])
        done = (inside & (np.abs(new - xi) <= 1e-10 * xi)) | (hi[idx] <= lo[idx] * (1 + 1e-14))
        x[idx] = np.where(inside, new, np.sqrt(lo[idx] * hi[idx]))
        idx = idx[~done]
        if idx.size == 0:
            break
    return x


def posterior_quantile(prob: float, theta: FloatArray, n: FloatArray, e: FloatArray,
                       q: FloatArray) -> FloatArray:
    """Exact ``prob`` quantile of each pair's posterior mixture (relative error ~1e-13)."""
    post = _Posterior.build(theta, n, e, q)
    lo, hi = _bracket(prob, post)
    w1, w2 = _wilson_hilferty(prob, post.s1, post.r1), _wilson_hilferty(prob, post.s2, post.r2)
    return _solve(prob, post, lo, hi, np.where(q >= 0.5, w1, w2))


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
