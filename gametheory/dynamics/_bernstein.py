r"""Bernstein bounds of polynomials on boxes: the range check of state-dependent payoffs.

A polynomial :math:`p(x) = \sum_a c_a x^a` of degree :math:`n_k` in each variable
:math:`x_k \in [l_k, h_k]` is, after the substitution :math:`x_k = l_k + (h_k - l_k) t_k`,
:math:`p = \sum_I b_I \prod_k \binom{n_k}{I_k} t_k^{I_k} (1 - t_k)^{n_k - I_k}` with the
Bernstein coefficients

.. math::  b_I = \sum_{a \le I} \prod_k \frac{\binom{I_k}{a_k}}{\binom{n_k}{a_k}}\, \tilde c_a ,

(:math:`\tilde c` the coefficients in :math:`t`).  The basis functions are non-negative and
sum to one, so :math:`\min_I b_I \le p \le \max_I b_I` on the box, with equality at the
corners :math:`b_{0\dots0}, b_{n}`, ... (Farouki 2012, *The Bernstein polynomial basis*).
For a polynomial of degree at most 1 in each variable the coefficients are exactly its
values at the box's corners, so the bound is exact; otherwise it is conservative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import comb
from typing import Any

import numpy as np
import sympy


def dense_coefficients(
    poly: Mapping[tuple[int, ...], Any], degrees: Sequence[int], dtype: Any = float
) -> np.ndarray:
    """Coefficients ``{exponent tuple: c}`` as a dense array of shape ``(n_1 + 1, ..., n_d + 1)``.

    Examples
    --------
    >>> dense_coefficients({(1, 0): 2.0, (0, 0): 1.0}, (1, 0)).tolist()
    [[1.0], [2.0]]
    """
    out = np.zeros(tuple(n + 1 for n in degrees), dtype=dtype)
    if dtype is object:
        out[...] = sympy.Integer(0)
    for exponent, c in poly.items():
        out[tuple(exponent)] = c
    return out


def bernstein_coefficients(coeffs: np.ndarray, lo: Sequence[float], hi: Sequence[float]) -> np.ndarray:
    r"""Bernstein coefficients on the box :math:`\prod_k [l_k, h_k]` of the dense coefficients ``coeffs``.

    ``coeffs[a]`` multiplies :math:`x^a`; an object array (sympy entries) gives exact coefficients.

    Examples
    --------
    >>> c = dense_coefficients({(2,): 1.0}, (2,))  # x**2 on [0, 1]: coefficients 0, 0, 1
    >>> bernstein_coefficients(c, [0.0], [1.0]).tolist()
    [0.0, 0.0, 1.0]
    >>> c = dense_coefficients({(1, 1): 1.0, (0, 0): -0.5}, (1, 1))  # x y - 1/2: the corner values
    >>> bernstein_coefficients(c, [0.0, 0.0], [1.0, 1.0]).tolist()
    [[-0.5, -0.5], [-0.5, 0.5]]
    """
    out = coeffs
    for k, (l, h) in enumerate(zip(lo, hi)):
        n = out.shape[k] - 1
        w = h - l
        # x = l + w t: x**a = sum_b C(a, b) l**(a - b) w**b t**b
        shift = np.zeros((n + 1, n + 1), dtype=out.dtype)
        basis = np.zeros((n + 1, n + 1), dtype=out.dtype)
        for a in range(n + 1):
            for b in range(a + 1):
                shift[b, a] = comb(a, b) * l ** (a - b) * w**b
        for i in range(n + 1):
            for a in range(i + 1):
                exact = sympy.Rational(comb(i, a), comb(n, a))
                basis[i, a] = exact if out.dtype == object else float(exact)
        matrix = basis.dot(shift)
        out = np.moveaxis(np.tensordot(matrix, out, axes=([1], [k])), 0, k)
    return out


def numeric_coefficients(expr: sympy.Expr, states: Sequence[sympy.Symbol]) -> np.ndarray:
    """Dense float coefficients of a polynomial in ``states`` with numeric coefficients.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> numeric_coefficients(2 * x * y - 1, (x, y)).tolist()
    [[-1.0, 0.0], [0.0, 2.0]]
    """
    poly = sympy.Poly(sympy.expand(expr), *states)
    degrees = [max(poly.degree(s), 0) for s in states]
    return dense_coefficients({m: float(v) for m, v in poly.terms()}, degrees)


def polynomial_range_bound(
    coeffs: np.ndarray, lo: Sequence[float], hi: Sequence[float]
) -> tuple[float, float]:
    """Lower and upper bounds on a box of a polynomial given by dense float coefficients (Bernstein).

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> polynomial_range_bound(numeric_coefficients(x * (1 - x) - y, (x, y)), (0, 0), (1, 1))
    (-1.0, 0.5)
    """
    b = bernstein_coefficients(coeffs, [float(v) for v in lo], [float(v) for v in hi])
    return float(b.min()), float(b.max())
