"""Symbolic eigenvalues and ESS conditions at the vertices: corner_conditions, CornerTable, CornerEntry."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .._checks import as_dynamics, keywords_checked
from ..dynamics.base import Dynamics
from ..errors import SpecificationError, calls_checked
from ..game import Game
from ..latex import escape_markdown_cell as _escape_markdown_cell
from ..latex import latex_name as _latex_name
from ._text import _conditions_text, _html, _latex_escape, _pandas
from .equilibria import _exact_payoffs, exact_parameter_values
from .ess import is_strict, vertex_deviation_gains
from .faces import state_dependent_replicator
from .feasibility import Feasibility, ess_feasibility

__all__ = ["CornerEntry", "CornerTable", "corner_conditions"]


def _simplify(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.expand(expr))


@calls_checked
@dataclass(frozen=True)
class CornerEntry:
    """Symbolic stability data of one vertex.

    Attributes
    ----------
    profile : tuple of str
        The pure profile.
    state : tuple of int
        Its reduced state (1 = first strategy for 2-strategy populations).
    deviations : tuple of (str, str)
        For each eigenvalue: the population and the strategy it deviates to.
    eigenvalues : tuple of sympy.Expr
        Exact eigenvalues of the Jacobian at the vertex, as expressions in the
        parameters: the payoff differences :math:`\\pi_i(j, s_{-i}) - \\pi_i(s)`.
    conditions : tuple of sympy Boolean
        ESS (strict Nash) conditions: ``eigenvalue < 0`` for each; ``True`` /
        ``False`` when an eigenvalue is a constant.

    A vertex is named by :attr:`profile` and :attr:`state`, as is an
    :class:`~gametheory.analysis.stability_report.Equilibrium`.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> entry = corner_conditions(crisis_governance.game())[(0, 0, 0)]
    >>> entry.profile, entry.state
    (('B', 'P', 'I'), (0, 0, 0))
    >>> entry.deviations[1], entry.eigenvalues[1], entry.conditions[1]
    (('ngo', 'E'), -C_n + R_n*mu, -C_n + R_n*mu < 0)
    """

    profile: tuple[str, ...]
    state: tuple[int, ...]
    deviations: tuple[tuple[str, str], ...]
    eigenvalues: tuple[sympy.Expr, ...]
    conditions: tuple[Any, ...]

    @property
    def never_ess(self) -> bool:
        """An eigenvalue is a non-negative constant: this vertex is an ESS for no parameters."""
        return any(c is sympy.false for c in self.conditions)

    def summary(self) -> str:
        """One line: the vertex, its eigenvalues and its ESS conditions."""
        eig = "; ".join(f"λ{k} = {sympy.sstr(v)}" for k, v in enumerate(self.eigenvalues, start=1))
        cond = _conditions_text(self.conditions, "markdown", {})
        return f"{_state_text(self.state)} = {self.profile}: {eig}; ESS iff {cond}"

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())


@calls_checked
class CornerTable(Mapping):
    """Symbolic eigenvalues and ESS conditions at every vertex (immutable mapping).

    Keys: the vertices' reduced states ``(1, 0, 1)`` when every population has
    two strategies (1 = first strategy), otherwise profiles of strategy names.
    Both forms are accepted for lookup whenever they apply.  Values and
    :meth:`ess_at` give :class:`CornerEntry` objects, which name their vertex
    by ``.state`` and ``.profile``.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> table = corner_conditions(crisis_governance.game())
    >>> len(table), table[(1, 1, 1)].profile
    (8, ('C', 'E', 'A'))
    >>> [e.state for e in table.ess_at(crisis_governance.OPTIMIZED)]
    [(1, 1, 1)]
    >>> table.to_frame().shape
    (8, 5)
    """

    def __init__(self, game: Game, entries: Sequence[CornerEntry]) -> None:
        init = super().__setattr__
        init("_game", game)
        init("_binary", all(pop.size == 2 for pop in game.populations))
        init("_entries", tuple(entries))
        init("_by_profile", {e.profile: e for e in entries})
        init("_by_state", {e.state: e for e in entries})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"CornerTable is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CornerTable is immutable (cannot delete {name!r})")

    @property
    def game(self) -> Game:
        return self._game

    def _key(self, e: CornerEntry) -> tuple[Any, ...]:
        return e.state if self._binary else e.profile

    def _lookup(self, key: Any) -> CornerEntry:
        if isinstance(key, CornerEntry):
            return key
        try:
            key = tuple(key)
        except TypeError:
            raise SpecificationError(f"a vertex key must be a tuple, got {key!r}") from None
        if key and all(isinstance(k, str) for k in key):
            if key in self._by_profile:
                return self._by_profile[key]
            self._game.profile_indices(key)  # raises a clear error
        else:
            try:
                state = tuple(int(v) for v in key)
            except (TypeError, ValueError):
                state = None
            if state is not None and state == tuple(key) and state in self._by_state:
                return self._by_state[state]
        examples = ", ".join(str(self._key(e)) for e in self._entries[:3])
        raise SpecificationError(
            f"{key!r} is not a vertex of the game; use reduced states or profiles of strategy names, "
            f"e.g. {examples}"
        )

    def __getitem__(self, key: Any) -> CornerEntry:
        return self._lookup(key)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._key(e) for e in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"CornerTable({len(self)} vertices of {self._game.name or 'a game'})"

    # --------------------------------------------------------- numbers
    def eigenvalues_at(self, key: Any, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """The eigenvalues of one vertex at numeric parameters (defaults fill the rest)."""
        entry = self._lookup(key)
        subs = _float_subs(self._game, params)
        return np.array([float(sympy.sympify(v).xreplace(subs)) for v in entry.eigenvalues])

    def ess_at(self, params: Mapping[str, Any] | None = None) -> tuple[CornerEntry, ...]:
        """The vertices whose ESS conditions all hold at ``params`` (exact rational check).

        Returns :class:`CornerEntry` objects, as
        :attr:`~gametheory.analysis.stability_report.StabilityReport.ess` returns
        :class:`~gametheory.analysis.stability_report.Equilibrium` objects: both
        name a vertex by ``.profile`` (strategy names) and ``.state`` (reduced
        state of 0/1 ints).

        Examples
        --------
        >>> from gametheory.models import crisis_governance
        >>> table = corner_conditions(crisis_governance.game())
        >>> [(e.state, e.profile) for e in table.ess_at(crisis_governance.STATUS_QUO)]
        [((0, 0, 0), ('B', 'P', 'I'))]
        """
        exact = exact_parameter_values(self._game.replicator(), params)
        payoffs, _ = _exact_payoffs(self._game, exact)
        return tuple(
            e for e in self._entries if is_strict(vertex_deviation_gains(self._game, payoffs, e.profile)[1])
        )

    # ------------------------------------------------------ feasibility
    def can_be_ess_together(
        self,
        *keys: Any,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        n_samples: int = 4000,
        seed: int = 0,
    ) -> Feasibility:
        """Decide whether the given vertices can all be ESS for one admissible parameter set.

        The conjunction of their conditions :math:`\\lambda_k(p) < 0` is tested
        within the parameters' declared bounds (or ``bounds``):

        * **linear** conditions: exact rational linear program (sympy's simplex)
          maximising a margin :math:`t` with :math:`\\lambda_k(p) + t \\le 0`,
          :math:`t \\le 1`: feasible iff :math:`t^* > 0`.  Exact both ways.
        * **nonlinear** conditions: first the linear relaxation (every monomial
          of degree > 1 replaced by a new variable bounded by interval
          arithmetic); if it is infeasible, so is the original (a proof).
          Otherwise a numeric search for a witness: ``n_samples`` seeded
          uniform samples in the box (declared bounds; an unbounded side is
          cut at ``default +- 10 max(1, |default|)``), then SLSQP from the best
          samples; a witness found is verified with exact rational arithmetic.
          No witness: ``feasible=None`` (undecided), never a silent "no".
        """
        entries = [self._lookup(k) for k in keys]
        if not entries:
            raise SpecificationError("can_be_ess_together needs at least one vertex")
        conditions = [(self._key(e), e.conditions, e.eigenvalues) for e in entries]
        return ess_feasibility(self._game, conditions, bounds=bounds, n_samples=n_samples, seed=seed)

    def ess_combinations(self, *, max_size: int | None = None, **options: Any) -> tuple[Feasibility, ...]:
        """Every set of vertices that can be ESS together (``feasible`` True or undecided).

        Sets are explored by increasing size; a set is tried only when all its
        subsets one smaller are possible (infeasibility is inherited by supersets).
        Vertices that differ in one population's strategy are never both strict
        (their conditions contradict), so they are skipped at once.
        """
        keys = [self._key(e) for e in self._entries]
        max_size = max_size or len(keys)
        possible: dict[frozenset[Any], Feasibility] = {}
        results = []
        level = [(k,) for k in keys]
        size = 1
        while level and size <= max_size:
            next_level = set()
            for combo in level:
                fs = frozenset(combo)
                if size > 1 and any(fs - {k} not in possible for k in combo):
                    continue
                if size > 1 and any(
                    _adjacent(self._lookup(a).profile, self._lookup(b).profile)
                    for a, b in itertools.combinations(combo, 2)
                ):
                    continue
                res = self.can_be_ess_together(*combo, **options)
                if res.feasible is not False:
                    possible[fs] = res
                    results.append(res)
                    for k in keys:
                        if k not in combo and keys.index(k) > max(keys.index(c) for c in combo):
                            next_level.add((*combo, k))
            level = sorted(next_level, key=lambda c: [keys.index(k) for k in c])
            size += 1
        return tuple(results)

    # ----------------------------------------------------------- output
    def summary(self) -> str:
        """Plain text: one line per vertex with its eigenvalues and ESS conditions."""
        title = f"Corner conditions of {self._game.name or 'the game'} ({len(self)} vertices)"
        return "\n".join([title, *(f"  {e.summary()}" for e in self._entries)])

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return _html(self.to_markdown())

    def to_frame(self) -> Any:
        """One row per vertex as a :class:`pandas.DataFrame`; needs pandas.

        Columns: ``state``, ``profile``, ``deviations``, ``eigenvalues`` and
        ``conditions`` (the last two as text).
        """
        pd = _pandas()
        records = [
            {
                "state": e.state,
                "profile": e.profile,
                "deviations": e.deviations,
                "eigenvalues": tuple(sympy.sstr(v) for v in e.eigenvalues),
                "conditions": _conditions_text(e.conditions, "markdown", {}),
            }
            for e in self._entries
        ]
        return pd.DataFrame.from_records(
            records, columns=["state", "profile", "deviations", "eigenvalues", "conditions"]
        )

    def _names(self) -> dict[sympy.Symbol, str]:
        return {p.symbol: _latex_name(p.name) for p in self._game.parameters}

    def to_markdown(self) -> str:
        """Markdown table: vertex, profile, eigenvalues (exact), ESS conditions."""
        lines = ["| Vertex | Profile | Eigenvalues | ESS conditions |", "|---|---|---|---|"]
        for e in self._entries:
            eig = "; ".join(f"λ{k} = {sympy.sstr(v)}" for k, v in enumerate(e.eigenvalues, start=1))
            cond = _conditions_text(e.conditions, "markdown", {})
            profile = _escape_markdown_cell(", ".join(e.profile))
            lines.append(
                f"| {_state_text(e.state)} | {profile} | {_escape_markdown_cell(eig)} | {_escape_markdown_cell(cond)} |"
            )
        return "\n".join(lines) + "\n"

    def to_latex(self, *, caption: str | None = None, label: str | None = None) -> str:
        """Booktabs LaTeX table: vertex, eigenvalues (exact), ESS conditions."""
        names = self._names()
        cap = caption or f"Eigenvalues and ESS conditions at the vertices of {self._game.name or 'the game'}"
        lines = ["\\begin{table}[htbp]", "\\centering", f"\\caption{{{_latex_escape(cap)}}}"]
        if label:
            lines.append(f"\\label{{{label}}}")
        lines += [
            "\\begin{tabular}{lll}",
            "\\toprule",
            "Equilibrium & Eigenvalues & ESS conditions \\\\",
            "\\midrule",
        ]
        for k, e in enumerate(self._entries, start=1):
            eig = "; ".join(
                f"$\\lambda_{{{m}}} = {sympy.latex(v, symbol_names=names)}$"
                for m, v in enumerate(e.eigenvalues, start=1)
            )
            cond = _conditions_text(e.conditions, "latex", names)
            lines.append(f"$E_{{{k}}}\\,{_state_text(e.state)}$ & {eig} & {cond} \\\\")
        lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return "\n".join(lines) + "\n"


def _state_text(state: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in state) + ")"


def _adjacent(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return sum(x != y for x, y in zip(a, b)) == 1


def _float_subs(game: Game, params: Mapping[str, Any] | None) -> dict[sympy.Symbol, sympy.Rational]:
    exact = exact_parameter_values(game.replicator(), params)
    return {p.symbol: exact[p.name] for p in game.parameters}


@functools.lru_cache(maxsize=64)
def _corner_entries(game: Game) -> tuple[CornerEntry, ...]:
    dyn = game.replicator()
    entries = []
    for profile, x in dyn.vertices():
        idx = game.profile_indices(profile)
        eigs, devs, conds = [], [], []
        for i, pop in enumerate(game.populations):
            arr = game.payoff_array(i)
            for j in range(pop.size):
                if j == idx[i]:
                    continue
                alt = list(idx)
                alt[i] = j
                e = arr[tuple(alt)] - arr[tuple(idx)]
                if game.state_dependent:  # payoffs at the vertex's own state (see corner_conditions)
                    e = e.xreplace({s: sympy.Integer(round(v)) for s, v in zip(dyn.states, x)})
                e = _simplify(e)
                eigs.append(e)
                devs.append((pop.name, pop.strategies[j]))
                conds.append(sympy.StrictLessThan(e, 0))
        entries.append(
            CornerEntry(
                profile=tuple(profile),
                state=tuple(int(round(v)) for v in x),
                deviations=tuple(devs),
                eigenvalues=tuple(eigs),
                conditions=tuple(conds),
            )
        )
    return tuple(entries)


@keywords_checked
def corner_conditions(model: Game | Dynamics) -> CornerTable:
    """Exact eigenvalues and ESS conditions at every vertex of the game.

    At the vertex of pure profile :math:`s` the Jacobian's eigenvalues are the
    payoff differences :math:`\\lambda = \\pi_i(j, s_{-i}) - \\pi_i(s)` for every
    population :math:`i` and strategy :math:`j \\ne s_i`, and the vertex is an
    ESS (strict Nash equilibrium, asymptotically stable) iff all are negative.

    State-dependent payoffs (the replicator dynamics of ``Game(..., state_dependent=True)``):
    the payoffs are taken at the vertex's own state, :math:`\\pi_i(j, s_{-i}; x = s) -
    \\pi_i(s; x = s)`; these are still the Jacobian's eigenvalues there, so "all negative"
    means a hyperbolic sink (the ESS theorems for constant payoffs do not apply).

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (coerced to its replicator dynamics)
        or any :class:`~gametheory.dynamics.base.Dynamics` whose vertex
        eigenvalues are the payoff differences.

    Returns
    -------
    CornerTable
        Indexed by reduced state (``table[(1, 0, 1)]``) when every population
        has two strategies, by profile of strategy names in general.

    Raises
    ------
    AnalysisError
        For a dynamics whose vertex eigenvalues are not the payoff differences
        (``facts.vertex_eigenvalues_are_payoff_differences``).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> table = corner_conditions(classic.matching_pennies_3())
    >>> len(table), table.ess_at()  # a cyclic game: no vertex is an ESS
    (8, ())
    """
    dyn = as_dynamics(model)
    if not state_dependent_replicator(dyn):
        dyn.facts.require("vertex_eigenvalues_are_payoff_differences", dyn, "corner_conditions")
    g = dyn.game
    return CornerTable(g, _corner_entries(g))
