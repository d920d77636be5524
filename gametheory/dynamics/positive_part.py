r"""The positive part :math:`[u]_+ = \max(0, u)` of the pairwise-comparison dynamics, and its derivative.

The Brown-von Neumann-Nash and Smith dynamics are built from positive parts of
payoff differences.  Their right-hand sides are Lipschitz but not differentiable
where an argument :math:`u` crosses zero (a *kink*).  Their Jacobian
(:meth:`~gametheory.dynamics.base.Dynamics.jacobian`, sympy's exact derivative) is
exact away from kinks and uses the step :math:`H(u) = \partial[u]_+/\partial u` with
sympy's convention :math:`H(0) = 1/2` (:mod:`gametheory.codegen` compiles
``Heaviside(u)`` as ``1.0*(u > 0) + 0.5*(u == 0)`` in both flavours).  Since
:math:`[u]_+ = (u + |u|)/2`, this takes the derivative of :math:`|u|` at 0 as 0:
at a state on a single switching surface :math:`u = 0` the Jacobian is the
*average of the two one-sided derivatives* across it (the limit of central
differences), not either one-sided derivative.  Where several switching surfaces
meet (at an interior Nash equilibrium every payoff difference that matters
vanishes) the field is not differentiable, and linear stability read from this
matrix is not a verdict.
"""

from __future__ import annotations

import sympy

__all__ = ["positive_part"]


def positive_part(u: sympy.Expr) -> sympy.Expr:
    r"""The positive part :math:`[u]_+ = \max(0, u)` as a sympy expression; its derivative is ``Heaviside(u)``.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> positive_part(x - 1), positive_part(sympy.Integer(-2))
    (Max(0, x - 1), 0)
    >>> sympy.diff(positive_part(x - 1), x), sympy.Heaviside(0)
    (Heaviside(x - 1), 1/2)
    """
    return sympy.Max(sympy.Integer(0), u)
