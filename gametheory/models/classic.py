"""Classic multi-population games with known answers, used as references.

- :func:`matching_pennies_3` - Jordan (1993), three-player matching pennies:
  no ESS, unstable interior Nash equilibrium, attracting heteroclinic cycle.
- :func:`wang2023_air_pollution` - Wang, Jia, He, Wang & Huang (2023), J. Cleaner
  Production 418:138074: enterprises / public / government; scenario 1 has the
  unique ESS (0, 0, 0).

One-population games (:meth:`~gametheory.game.Game.symmetric`):

- :func:`rock_paper_scissors` - a win earns ``w``, a loss costs ``l``: the
  interior is an ESS when ``w > l`` ("good" RPS), a centre when ``w = l``, a
  repeller when ``w < l`` (Hofbauer & Sigmund 1998, section 7.7).
- :func:`hawk_dove` - Maynard Smith & Price (1973): the mixed ESS has hawks at
  share ``V/C`` when ``V < C``.
- :func:`public_goods` - the linear public goods game in groups of ``d``:
  defection dominates when ``r < d``.
"""

from __future__ import annotations

from ..game import Game

__all__ = [
    "matching_pennies_3",
    "wang2023_air_pollution",
    "WANG2023_SCENARIO_1",
    "rock_paper_scissors",
    "hawk_dove",
    "public_goods",
]


def matching_pennies_3() -> Game:
    """Jordan (1993), Games Econ. Behav. 5:368-386: player 1 matches 2, 2 matches 3, 3 mismatches 1.

    Payoffs are ``+a`` for the player's goal met, ``-a`` otherwise.

    Examples
    --------
    >>> game = matching_pennies_3()
    >>> [p.name for p in game.populations], game.parameter_names
    (['player1', 'player2', 'player3'], ('a',))
    """
    h, t = "H", "T"
    payoffs = {}
    for s1 in (h, t):
        for s2 in (h, t):
            for s3 in (h, t):
                payoffs[(s1, s2, s3)] = (
                    "a" if s1 == s2 else "-a",
                    "a" if s2 == s3 else "-a",
                    "a" if s3 != s1 else "-a",
                )
    return Game.from_table(
        {"player1": [h, t], "player2": [h, t], "player3": [h, t]},
        payoffs,
        {"a": 1.0},
        name="Three-player matching pennies (Jordan 1993)",
    )


_WANG_PAYOFFS = {
    (1, 1, 1): (
        "(1+eta)*PA + (1-eA)*(1-gov)*Pe - eA*(1-gamma)*CA + eA*Rc + alpha*(PA + (1-eA)*(1-gov)*Pe)",
        "(1-eA)*CH + zeta*Rp - (1-epsilon)*delta*CB1",
        "(1-kappa)*(eA-1)*CE + kappa*(1-eA)*gov*Pe + (1+theta)*G1 - CG1 - alpha*(PA + (1-eA)*(1-gov)*Pe)"
        " - epsilon*delta*CB1",
    ),
    (0, 1, 1): (
        "PA + (1-gov)*Pe - beta*(PA + (1-eA)*(1-gov)*Pe)",
        "(1+lam)*CH + zeta*Rp - (1-epsilon)*delta*CB1",
        "-(1-kappa)*CE + kappa*gov*Pe + (1+theta)*G1 - CG1 + beta*(PA + (1-eA)*(1-gov)*Pe) - epsilon*delta*CB1",
    ),
    (1, 0, 1): (
        "PA + (1-eA)*(1-gov)*Pe - eA*(1-gamma)*CA + eA*Rc + alpha*(PA + (1-eA)*(1-gov)*Pe)",
        "(1-eA)*CH - CB0",
        "(1-kappa)*(eA-1)*CE + kappa*(1-eA)*gov*Pe + G1 - CG1 - alpha*(PA + (1-eA)*(1-gov)*Pe)",
    ),
    (0, 0, 1): (
        "PA + (1-gov)*Pe - beta*(PA + (1-eA)*(1-gov)*Pe)",
        "CH - CB0",
        "-(1-kappa)*CE + kappa*gov*Pe + G1 - CG1 + beta*(PA + (1-eA)*(1-gov)*Pe)",
    ),
    (1, 1, 0): (
        "(1+eta)*PA + (1-eA)*(1-gov)*Pe - eA*(1-gamma)*CA + eA*Rc",
        "(1-eA)*CH + zeta*Rp - delta*CB1",
        "(1-kappa)*(eA-1)*CE + kappa*(1-eA)*gov*Pe - (1+theta)*G0",
    ),
    (0, 1, 0): (
        "PA + (1-gov)*Pe",
        "(1+lam)*CH + zeta*Rp - delta*CB1",
        "-(1-kappa)*CE + kappa*gov*Pe - (1+theta)*G0",
    ),
    (1, 0, 0): (
        "PA + (1-eA)*(1-gov)*Pe - eA*(1-gamma)*CA + eA*Rc",
        "(1-eA)*CH - CB0",
        "(1-kappa)*(eA-1)*CE + kappa*(1-eA)*gov*Pe - G0",
    ),
    (0, 0, 0): ("PA + (1-gov)*Pe", "CH - CB0", "-(1-kappa)*CE + kappa*gov*Pe - G0"),
}

#: Scenario 1 of Wang et al. (2023): unique ESS (0, 0, 0), corner eigenvalues (-3.15, -6.5, -10).
WANG2023_SCENARIO_1 = {
    "PA": 40, "Pe": 20, "CA": 35, "eA": 0.1, "Rc": 10, "alpha": 0, "beta": 0, "gamma": 0.1,
    "CH": -30, "CB1": 30, "delta": 0.8, "CB0": 18, "epsilon": 0, "Rp": 25, "zeta": 0.1, "eta": 0.1,
    "theta": 0.1, "lam": 0.1, "CG1": 25, "CE": 30, "gov": 0.5, "G0": 10, "kappa": 0.8, "G1": 5,
}  # fmt: skip


def wang2023_air_pollution() -> Game:
    """Wang et al. (2023), doi:10.1016/j.jclepro.2023.138074: enterprises / public / government.

    Strategies: enterprise treats pollution (``T``) or not (``N``); public
    participates (``P``) or not (``N``); government regulates (``R``) or not
    (``N``).  Parameters default to :data:`WANG2023_SCENARIO_1`.

    Examples
    --------
    >>> import gametheory as gt
    >>> [e.profile for e in gt.analyze(wang2023_air_pollution()).ess]
    [('N', 'N', 'N')]
    """
    names = (("T", "N"), ("P", "N"), ("R", "N"))
    payoffs = {tuple(names[i][1 - b] for i, b in enumerate(bits)): row for bits, row in _WANG_PAYOFFS.items()}
    return Game.from_table(
        {"enterprise": list(names[0]), "public": list(names[1]), "government": list(names[2])},
        payoffs,
        {k: float(v) for k, v in WANG2023_SCENARIO_1.items()},
        name="Air-pollution control: enterprises, public, government (Wang et al. 2023)",
    )


def rock_paper_scissors(win: float = 2.0, loss: float = 1.0) -> Game:
    """Rock-paper-scissors in one population: a win earns ``w``, a loss costs ``l``, a tie 0.

    Parameters ``w`` and ``l`` (defaults ``win`` and ``loss``).  The centre
    (1/3, 1/3, 1/3) is the unique Nash equilibrium; it is an ESS exactly when
    ``w > l``.

    Examples
    --------
    >>> from gametheory.analysis.stability import analyze
    >>> [e.label for e in analyze(rock_paper_scissors()).ess]
    ['(1/3, 1/3)']
    """
    return Game.symmetric(
        ["R", "P", "S"],
        [[0, "-l", "w"], ["w", 0, "-l"], ["-l", "w", 0]],
        parameters={"w": win, "l": loss},
        name="Rock-paper-scissors",
    )


def hawk_dove(value: float = 2.0, cost: float = 3.0) -> Game:
    """Hawk-dove (Maynard Smith & Price 1973): contest value ``V``, cost of an escalated fight ``C``.

    Hawk against hawk earns ``(V - C)/2``, hawk against dove ``V``, dove against
    hawk 0, dove against dove ``V/2``.

    Examples
    --------
    >>> from gametheory.analysis.stability import analyze
    >>> [e.exact for e in analyze(hawk_dove()).ess]
    [(2/3,)]
    """
    return Game.symmetric(
        ["H", "D"],
        [["(V - C)/2", "V"], [0, "V/2"]],
        parameters={"V": value, "C": cost},
        name="Hawk-dove",
    )


def public_goods(players: int = 5, r: float = 3.0, c: float = 1.0) -> Game:
    """The linear public goods game in groups of ``players``: cooperators pay ``c``, the pot times ``r`` is shared.

    A cooperator among ``n_C`` cooperating co-players earns ``r c (n_C + 1)/d - c``, a
    defector ``r c n_C / d``; the advantage of cooperating is ``c (r/d - 1)`` at
    every state, so defection dominates when ``r < d``.

    Examples
    --------
    >>> public_goods(players=4).replicator().payoff_differences
    (c*(r - 4)/4,)
    """
    return Game.symmetric(
        ["C", "D"],
        {"C": f"r*c*(n_C + 1)/{players} - c", "D": f"r*c*n_C/{players}"},
        players=players,
        parameters={"r": r, "c": c},
        name=f"Public goods game (groups of {players})",
    )
