r"""Audit a paper's hand-derived equations against the dynamics of its payoff table.

:func:`audit` derives the dynamics of the game exactly and compares them, term by
term, with the equations a paper prints.  For a two-strategy population both
sides are first divided by :math:`x(1 - x)` and the payoff advantages
:math:`\Delta` are compared (one difference in :math:`\Delta` would otherwise show
up as several terms of the expanded equation); otherwise the expanded right-hand
sides are.  Each side is multiplied out into terms (monomials in the states and
parameters) and every term whose coefficient differs is reported with both
coefficients.  Two common slips are named: a term with the opposite sign, and a
pair of parameters swapped throughout (checked by swapping every pair).

Examples
--------
>>> from gametheory.models import classic
>>> game = classic.matching_pennies_3()
>>> report = audit(game, game.replicator().equations)
>>> report.agrees
True
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from .._checks import as_dynamics
from ..equations import advantage, parse_equations
from ..errors import SpecificationError, calls_checked, keywords_checked
from ..latex import escape_markdown_cell

__all__ = ["AuditReport", "Difference", "audit"]


@calls_checked
@dataclass(frozen=True)
class Difference:
    """One term on which the paper and the derived dynamics disagree.

    ``where`` is ``"Delta of x"`` (the advantage of a two-strategy population) or
    ``"dx/dt"``; ``term`` the monomial; the coefficients are the paper's and the
    derivation's (``0`` where a side lacks the term).

    Examples
    --------
    >>> Difference("dx/dt", "a*y", "-1", "1", "sign flipped").summary()
    'dx/dt: term a*y has coefficient -1 in the paper, 1 derived (sign flipped)'
    """

    where: str
    term: str
    paper: str
    derived: str
    note: str = ""

    def summary(self) -> str:
        """One line."""
        note = f" ({self.note})" if self.note else ""
        return f"{self.where}: term {self.term} has coefficient {self.paper} in the paper, {self.derived} derived{note}"


@calls_checked
@dataclass(frozen=True)
class AuditReport:
    """What :func:`audit` found: ``agrees``, the differing terms, and swapped parameter pairs.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> game = classic.matching_pennies_3()
    >>> eqs = list(game.replicator().equations)
    >>> eqs[0] = -eqs[0]
    >>> print(audit(game, eqs).summary().splitlines()[0])
    The paper's equations disagree with the dynamics derived from the table in 1 of 3 equations.
    """

    agrees: bool
    states: tuple[str, ...]
    equation_agrees: tuple[bool, ...]
    differences: tuple[Difference, ...]
    swapped: tuple[tuple[str, str], ...]

    def summary(self) -> str:
        """Text: the verdict, then one line per differing term and per swapped pair."""
        n_bad = self.equation_agrees.count(False)
        if self.agrees:
            return f"The paper's equations agree with the dynamics derived from the table ({len(self.states)} equations)."
        lines = [
            f"The paper's equations disagree with the dynamics derived from the table in {n_bad} of "
            f"{len(self.states)} equations."
        ]
        lines += [f"  parameters {p!r} and {q!r} appear swapped (swapping them makes every equation agree)"
                  for p, q in self.swapped]  # fmt: skip
        lines += ["  " + d.summary() for d in self.differences]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"AuditReport(agrees={self.agrees}, {len(self.differences)} differing terms, swapped={list(self.swapped)})"

    def to_frame(self) -> Any:
        """The differing terms as a :class:`pandas.DataFrame` (columns where, term, paper, derived, note)."""
        import pandas as pd

        return pd.DataFrame(
            [(d.where, d.term, d.paper, d.derived, d.note) for d in self.differences],
            columns=["where", "term", "paper", "derived", "note"],
        )

    def to_markdown(self) -> str:
        """The differing terms as a Markdown table."""
        rows = ["| where | term | paper | derived | note |", "|---|---|---|---|---|"]
        rows += [
            "| "
            + " | ".join(escape_markdown_cell(v) for v in (d.where, d.term, d.paper, d.derived, d.note))
            + " |"
            for d in self.differences
        ]
        return "\n".join(rows)

    def plot(self, ax: Any = None) -> Any:
        """Per equation, the number of differing terms (bars; 0 where the equation agrees)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(3.4, 2.2))
        counts = [sum(1 for d in self.differences if d.where.endswith(f" {s}") or d.where == f"d{s}/dt")
                  for s in self.states]  # fmt: skip
        ax.bar(range(len(self.states)), counts, color=["#009E73" if c == 0 else "#D55E00" for c in counts])
        ax.set_xticks(range(len(self.states)), [f"d{s}/dt" for s in self.states])
        ax.set_ylabel("differing terms")
        ax.set_title("agrees" if self.agrees else "disagrees")
        return ax


def _terms(expr: sympy.Expr) -> dict[sympy.Expr, sympy.Expr]:
    """``expr`` multiplied out: monomial -> numeric coefficient."""
    out: dict[sympy.Expr, sympy.Expr] = {}
    for term, coeff in sympy.expand(expr).as_coefficients_dict().items():
        out[term] = out.get(term, 0) + coeff
    return {t: c for t, c in out.items() if c != 0}


def _compare(where: str, paper: sympy.Expr, derived: sympy.Expr) -> list[Difference]:
    ours, theirs = _terms(derived), _terms(paper)
    out = []
    for term in sorted(set(ours) | set(theirs), key=sympy.default_sort_key):
        p, d = theirs.get(term, sympy.Integer(0)), ours.get(term, sympy.Integer(0))
        if p != d:
            note = (
                "sign flipped"
                if p == -d
                else ("missing in the paper" if p == 0 else ("not derived" if d == 0 else ""))
            )
            out.append(Difference(where, str(term), str(p), str(d), note))
    return out


def _sides(dyn: Any, paper: list[sympy.Expr]) -> list[tuple[str, sympy.Expr, sympy.Expr]]:
    """Per state, what is compared: the advantages of a two-strategy population where the paper's
    equation has the replicator form, else the right-hand sides."""
    out = []
    for r, state in enumerate(dyn.states):
        i, _ = dyn.coordinates[r]
        others = [s for s in dyn.states if s != state]
        if dyn.game.populations[i].size == 2:
            try:
                theirs = advantage(paper[r], state, others)
            except SpecificationError:
                theirs = None
            if theirs is not None:
                out.append((f"Delta of {state.name}", theirs, dyn.payoff_differences[r]))
                continue
        out.append((f"d{state.name}/dt", paper[r], dyn.equations[r]))
    return out


@keywords_checked
def audit(model: Any, equations: Any) -> AuditReport:
    """Compare a paper's equations with the replicator dynamics of its payoff table, term by term.

    Parameters
    ----------
    model
        The game (or its dynamics) built from the paper's payoff table.
    equations
        The paper's equations: a sympy matrix or list of right-hand sides in state order,
        ``{state: right-hand side}``, or ``["x' = ...", ...]`` strings (see
        :func:`gametheory.equations.parse_equations`).  State names are the game's
        (``x, y, z``...); other names are matched to the game's states in order.

    Returns
    -------
    AuditReport
        ``.agrees``, the differing terms (with a sign flip named as such) and the pairs of
        parameters whose swap makes every equation agree.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> game = classic.matching_pennies_3()
    >>> x, y, z = game.replicator().states
    >>> paper = ["x' = x*(1 - x)*(4*a*y - 2*a)", "y' = y*(1 - y)*(4*a*z - 2*a)", "z' = z*(1 - z)*(2*a - 4*a*y)"]
    >>> print(audit(game, paper).summary())
    The paper's equations disagree with the dynamics derived from the table in 1 of 3 equations.
      Delta of z: term a*x has coefficient 0 in the paper, -4 derived (missing in the paper)
      Delta of z: term a*y has coefficient -4 in the paper, 0 derived (not derived)
    """
    dyn = as_dynamics(model)
    if isinstance(equations, sympy.MatrixBase):
        equations = list(equations)
    if (
        isinstance(equations, Sequence)
        and not isinstance(equations, str)
        and all(isinstance(e, sympy.Basic) for e in equations)
    ):
        given = {s.name: e for s, e in zip(dyn.states, equations)}
        if len(equations) != dyn.dimension:
            raise SpecificationError(
                f"{len(equations)} equations given; the game's dynamics have {dyn.dimension}"
            )
    else:
        given = parse_equations(equations)
    if len(given) != dyn.dimension:
        raise SpecificationError(
            f"{len(given)} equations given ({list(given)}); the game's dynamics have {dyn.dimension} "
            f"({', '.join(dyn.state_names)})"
        )
    names = list(given)
    if set(names) == set(dyn.state_names):
        paper = [sympy.sympify(given[s]) for s in dyn.state_names]
    else:  # the paper's own state names: matched in order
        rename = {sympy.Symbol(n): s for n, s in zip(names, dyn.states)}
        paper = [sympy.sympify(e).xreplace(rename) for e in given.values()]
    sides = _sides(dyn, paper)
    per_equation = [_compare(where, theirs, ours) for where, theirs, ours in sides]
    differences = [d for found in per_equation for d in found]
    equation_agrees = tuple(not found for found in per_equation)
    swapped = []
    if differences:
        for p, q in itertools.combinations(dyn.parameters, 2):
            swap = {p: q, q: p}
            if all(sympy.expand(theirs.xreplace(swap) - ours) == 0 for _, theirs, ours in sides):
                swapped.append((p.name, q.name))
    return AuditReport(
        agrees=not differences,
        states=dyn.state_names,
        equation_agrees=equation_agrees,
        differences=tuple(differences),
        swapped=tuple(swapped),
    )
