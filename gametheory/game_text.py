"""Text renderings of a game and its parameters: plain text, Markdown and HTML.

:meth:`Game.summary() <gametheory.game.Game.summary>` and the notebook renderings of
games and parameters call these; every text from the user is escaped (Markdown table
cells, HTML).
"""

from __future__ import annotations

import html

import sympy

from .game import Game, state_names
from .latex import escape_markdown_cell
from .parameters import Parameter
from .symmetric import count_names

__all__ = ["game_html", "game_markdown", "game_summary", "parameter_summary"]


def _value(v: float) -> str:
    return f"{v:g}"


def parameter_summary(p: Parameter) -> str:
    """One line: ``name = default in [lo, hi]: description (source)``.

    Examples
    --------
    >>> parameter_summary(Parameter("theta", 0.5, (0, 1), "exposure probability", "paper, section 2.1"))
    'theta = 0.5 in [0, 1]: exposure probability (paper, section 2.1)'
    >>> parameter_summary(Parameter("a"))
    'a (no default)'
    """
    text = p.name + (f" = {_value(p.default)}" if p.default is not None else " (no default)")
    if p.bounds is not None:
        text += f" in [{_value(p.bounds[0])}, {_value(p.bounds[1])}]"
    if p.description:
        text += f": {p.description}"
    if p.source:
        text += f" ({p.source})"
    return text


def game_summary(game: Game) -> str:
    """Plain-text summary of a game: populations, strategies, parameters with defaults, payoffs.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> print(game_summary(classic.matching_pennies_3()))  # doctest: +ELLIPSIS
    Game 'Three-player matching pennies (Jordan 1993)': 3 populations, 8 pure profiles
    populations (state variables):
      player1: H, T  (x)
      player2: H, T  (y)
      player3: H, T  (z)
    parameters:
      a = 1
    payoffs (player1, player2, player3):
      H,H,H: a ; a ; -a
    ...
      T,T,T: a ; a ; -a
    """
    title = f"Game {game.name!r}" if game.name else "Game"
    spec = game.symmetric_payoffs
    if spec is not None:
        pop = game.populations[0]
        states = ", ".join(state_names(game.populations))
        return "\n".join([
            f"{title}: one population, {spec.players}-player symmetric game",
            f"population (state variables): {pop.name}: {', '.join(pop.strategies)}  ({states})",
            "parameters:" if game.parameters else "parameters: none",
            *(f"  {parameter_summary(p)}" for p in game.parameters),
            "payoff matrix (row: own strategy, columns: the co-player's):" if spec.form == "matrix"
            else f"payoffs by counts of co-players ({', '.join(count_names(pop.strategies))}):",
            *(f"  {line}" for line in spec.lines()),
        ])  # fmt: skip
    lines = [f"{title}: {game.n_populations} populations, {len(game.profiles)} pure profiles"]
    if game.state_dependent:
        lines[0] += "; state-dependent payoffs (they may name the state variables)"
    lines.append("populations (state variables):")
    names = iter(state_names(game.populations))
    for pop in game.populations:
        states = ", ".join(next(names) for _ in range(pop.size - 1))
        lines.append(f"  {pop.name}: {', '.join(pop.strategies)}  ({states})")
    lines.append("parameters:" if game.parameters else "parameters: none")
    lines.extend(f"  {parameter_summary(p)}" for p in game.parameters)
    lines.append(f"payoffs ({', '.join(game.population_names)}):")
    for profile, row in game.payoffs.items():
        lines.append(f"  {','.join(profile)}: {' ; '.join(sympy.sstr(e) for e in row)}")
    return "\n".join(lines)


def game_markdown(game: Game) -> str:
    """Markdown rendering of a game: a title line, parameters, and the payoff table.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> print(game_markdown(classic.matching_pennies_3()).splitlines()[-1])
    | T | T | T | a | a | -a |
    """
    out = [
        f"**{game.name or 'Game'}**: "
        + "; ".join(f"{p.name} ({', '.join(p.strategies)})" for p in game.populations)
    ]
    if game.parameters:
        out.append("")
        out.extend(f"- {parameter_summary(p)}" for p in game.parameters)
    head, rows = _table_cells(game)
    out += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out.extend("| " + " | ".join(escape_markdown_cell(c) for c in cells) + " |" for cells in rows)
    return "\n".join(out)


def _table_cells(game: Game) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a game's payoff table: per profile, or a one-population game's matrix."""
    spec = game.symmetric_payoffs
    if spec is None:
        pops = game.population_names
        head = [*pops, *(f"payoff {p}" for p in pops)]
        return head, [[*profile, *(sympy.sstr(e) for e in row)] for profile, row in game.payoffs.items()]
    if spec.form == "matrix":
        head = ["strategy", *(f"against {s}" for s in spec.strategies)]
        return head, [[s, *(sympy.sstr(e) for e in row)] for s, row in zip(spec.strategies, spec.table)]
    head = ["strategy", f"payoff in groups of {spec.players}"]
    return head, [[s, sympy.sstr(e)] for s, e in zip(spec.strategies, spec.table)]


def game_html(game: Game) -> str:
    """HTML rendering of a game (title, parameters, payoff table), every text escaped.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> game_html(classic.matching_pennies_3()).count("<tr>")
    9
    """
    esc = html.escape
    listed = "; ".join(f"{esc(p.name)} ({esc(', '.join(p.strategies))})" for p in game.populations)
    out = [f"<p><b>{esc(game.name or 'Game')}</b>: {listed}</p>"]
    if game.parameters:
        out.append(
            "<ul>" + "".join(f"<li>{esc(parameter_summary(p))}</li>" for p in game.parameters) + "</ul>"
        )
    head_cells, rows = _table_cells(game)
    head = "".join(f"<th>{esc(c)}</th>" for c in head_cells)
    out.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for cells in rows:
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
