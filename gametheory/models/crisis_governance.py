"""Flagship model: tripartite crisis governance by government, NGOs and citizens.

Source: Q. Zeng, *Research on the Mode and Optimization Path of Local Government
Cooperative Governance in Sudden Public Crisis* (the seed paper).  The paper
argues (section 3, Figure 1) that a sudden public crisis is governed best when
government, non-governmental organisations (the Red Cross, private media) and
citizens cooperate, and that the outcome comes from "the cooperation and game"
among the three.  We formalise that as a three-population evolutionary game.

Populations and strategies
--------------------------
======================  ========================================================  ============================
population              first strategy (share)                                    second strategy
======================  ========================================================  ============================
``government``          ``C`` collaborative governance (x)                        ``B`` bureaucratic, top-down
``ngo``                 ``E`` engaged, transparent disclosure (y)                 ``P`` passive, opaque
``citizen``             ``A`` active: cooperate, supervise, refuse rumours (z)    ``I`` inactive
======================  ========================================================  ============================

Payoffs
-------
With indicators ``g, n, c`` in {0, 1} of the other sides' first strategies::

    U_G(C) = R_g - C_g + V_n n + V_c c - S n - W c + s_g n c
    U_G(B) = lam (V_n n + V_c c) - F_g (theta + (1 - theta) c) - L_g (1 - n)(1 - c)
    U_N(E) = R_n (mu + (1 - mu) c) - C_n (1 - tau g) + S g + s_n g c
    U_N(P) = - F_n g - K_n c
    U_C(A) = R_c (1 + b_g g + b_n n) - C_c + W g + s_c g n
    U_C(I) = - D_c (1 - g)(1 - n)

so that the replicator dynamics are ``x' = x(1-x) Dx``, ``y' = y(1-y) Dy``,
``z' = z(1-z) Dz`` with the payoff differences::

    Dx = R_g - C_g + F_g theta + L_g + (1-lam) (V_n y + V_c z) - S y - W z
         + (1-theta) F_g z - L_g (y + z - y z) + s_g y z
    Dy = R_n mu - C_n + (C_n tau + S + F_n) x + ((1-mu) R_n + K_n) z + s_n x z
    Dz = R_c - C_c + D_c + (R_c b_g + W - D_c) x + (R_c b_n - D_c) y + (s_c + D_c) x y

Parameters and calibrations
---------------------------
Every parameter, what it stands for, the section of the paper it rests on, and
the two calibrated sets.  ``STATUS_QUO`` is the "strong government - weak
society" of section 2 (bureaucratic government, weak and opaque social
organisations, passive citizens); ``OPTIMIZED`` applies the countermeasures of
section 4.  Values are in arbitrary payoff units; what matters are the signs
of the payoff differences they produce.

=========  ==========================================================  ==========================  ==========  =========
parameter  meaning                                                     paper                       STATUS_QUO  OPTIMIZED
=========  ==========================================================  ==========================  ==========  =========
``R_g``    legitimacy gain of collaborative governance                 4.1.2                       4           4
``C_g``    cost of collaborative governance (coordination, platforms)  4.1, 4.1.3                  10          10
``V_n``    value of an engaged NGO to the government                   3, Fig. 1                   3           3
``V_c``    value of active citizens to the government                  3, Fig. 1                   3           3
``lam``    share of partners' value a bureaucratic government uses     2.1 (departmentalism)       0.8         0.3
``S``      government support (subsidy) to engaged NGOs                4.1.3                       1           3
``W``      government incentive to active citizens                     4.1.3, 4.3.1                0.5         2
``s_g``    government's synergy gain of full cooperation               3                           2           2
``F_g``    accountability penalty for bureaucratic failure             2.1, 4.1.1                  3           8
``theta``  chance failure is exposed without citizens' supervision     2.1, 4.3.2                  0.2         0.5
``L_g``    escalation loss when neither NGOs nor citizens step in      2.3                         4           4
``R_n``    reputation and donations of an engaged, transparent NGO     4.2.2                       4           4
``mu``     share of that reputation realised without citizens' trust   4.2.2                       0.3         0.5
``C_n``    cost of engagement and disclosure for an NGO                4.2.1                       6           6
``tau``    share of the NGO's cost saved by shared platforms           4.1.3                       0.1         0.5
``s_n``    NGO's synergy gain of full cooperation                      3                           1           1
``F_n``    legal penalty on an opaque NGO under collaborative gov.     4.1.1, 4.2.1                1           4
``K_n``    exposure loss of an opaque NGO under active citizens        2.2 (Red Cross), 4.3.2      1           3
``R_c``    citizens' gain from containment                             4.3.1                       2           2
``b_g``    extra gain with a collaborative government                  4.3.1                       0.5         0.5
``b_n``    extra gain with an engaged NGO                              4.3.1                       0.5         0.5
``C_c``    citizens' cost of participating                             4.3.2                       4           4
``D_c``    rumour and panic loss of inactive citizens left alone       4.3.1                       1           1
``s_c``    citizens' synergy gain of full cooperation                  3                           1           1
=========  ==========================================================  ==========================  ==========  =========

The eight levers moved by section 4 are ``lam`` (4.1.2, shift from
bureaucracy), ``S`` and ``W`` (4.1.3, resources), ``F_g`` (4.1.1, penalties
for dereliction), ``theta`` (4.1.3, transparency of governance), ``mu``
(4.2.2, open information raises trust), ``tau`` (4.1.3, shared platforms),
``F_n`` (4.1.1, legal duties of NGOs) and ``K_n`` (4.3.2, citizens'
supervision).  Under ``STATUS_QUO`` every start in the interior of the cube
goes to ``(0, 0, 0)``, the unique ESS; under ``OPTIMIZED`` every start goes to
``(1, 1, 1)``, the unique ESS.
"""

from __future__ import annotations

from types import MappingProxyType

from ..game import Game
from ..parameters import Parameter

__all__ = [
    "game",
    "dynamic_accountability_game",
    "PARAMETERS",
    "STATUS_QUO",
    "OPTIMIZED",
    "LEVERS",
    "POPULATIONS",
]

#: Populations and strategies, in state order.
POPULATIONS = {"government": ["C", "B"], "ngo": ["E", "P"], "citizen": ["A", "I"]}

_INF = float("inf")

#: (name, meaning, paper section, bounds, STATUS_QUO, OPTIMIZED)
_TABLE = (
    ("R_g", "legitimacy gain of collaborative governance", "4.1.2", (0, _INF), 4, 4),
    ("C_g", "cost of collaborative governance (coordination, platforms)", "4.1, 4.1.3", (0, _INF), 10, 10),
    ("V_n", "value of an engaged NGO to the government", "3, Fig. 1", (0, _INF), 3, 3),
    ("V_c", "value of active citizens to the government", "3, Fig. 1", (0, _INF), 3, 3),
    ("lam", "share of partners' value a bureaucratic government still uses", "2.1", (0, 1), 0.8, 0.3),
    ("S", "government support (subsidy) to engaged NGOs", "4.1.3", (0, _INF), 1, 3),
    ("W", "government incentive to active citizens", "4.1.3, 4.3.1", (0, _INF), 0.5, 2),
    ("s_g", "government's synergy gain of full cooperation", "3", (0, _INF), 2, 2),
    ("F_g", "accountability penalty for bureaucratic failure", "2.1, 4.1.1", (0, _INF), 3, 8),
    ("theta", "probability failure is exposed without citizens' supervision", "2.1, 4.3.2", (0, 1), 0.2, 0.5),
    ("L_g", "escalation loss when neither NGOs nor citizens step in", "2.3", (0, _INF), 4, 4),
    ("R_n", "reputation and donations of an engaged, transparent NGO", "4.2.2", (0, _INF), 4, 4),
    ("mu", "share of that reputation realised without citizens' trust", "4.2.2", (0, 1), 0.3, 0.5),
    ("C_n", "cost of engagement and disclosure for an NGO", "4.2.1", (0, _INF), 6, 6),
    ("tau", "share of the NGO's cost saved by shared information platforms", "4.1.3", (0, 1), 0.1, 0.5),
    ("s_n", "NGO's synergy gain of full cooperation", "3", (0, _INF), 1, 1),
    ("F_n", "legal penalty on an opaque NGO under collaborative government", "4.1.1, 4.2.1", (0, _INF), 1, 4),
    ("K_n", "exposure loss of an opaque NGO under active citizens", "2.2, 4.3.2", (0, _INF), 1, 3),
    ("R_c", "citizens' gain from containment", "4.3.1", (0, _INF), 2, 2),
    ("b_g", "citizens' extra gain with a collaborative government", "4.3.1", (0, _INF), 0.5, 0.5),
    ("b_n", "citizens' extra gain with an engaged NGO", "4.3.1", (0, _INF), 0.5, 0.5),
    ("C_c", "citizens' cost of participating", "4.3.2", (0, _INF), 4, 4),
    ("D_c", "rumour and panic loss of inactive citizens left alone", "4.3.1", (0, _INF), 1, 1),
    ("s_c", "citizens' synergy gain of full cooperation", "3", (0, _INF), 1, 1),
)

#: Every parameter with meaning, paper section and bounds (defaults: STATUS_QUO).
PARAMETERS: tuple[Parameter, ...] = tuple(
    Parameter(name, float(sq), bounds, meaning, f"Zeng, section {section}")
    for name, meaning, section, bounds, sq, _ in _TABLE
)

#: Section 2, "strong government - weak society": unique ESS (0, 0, 0).
STATUS_QUO = MappingProxyType({row[0]: float(row[4]) for row in _TABLE})
#: Section 4 countermeasures: unique ESS (1, 1, 1).
OPTIMIZED = MappingProxyType({row[0]: float(row[5]) for row in _TABLE})
#: The policy levers section 4 moves (parameters that differ between the two sets).
LEVERS = tuple(name for name in STATUS_QUO if STATUS_QUO[name] != OPTIMIZED[name])

_U_G_C = "R_g - C_g + V_n*n + V_c*c - S*n - W*c + s_g*n*c"
_U_G_B = "lam*(V_n*n + V_c*c) - F_g*(theta + (1 - theta)*c) - L_g*(1 - n)*(1 - c)"
_U_N_E = "R_n*(mu + (1 - mu)*c) - C_n*(1 - tau*g) + S*g + s_n*g*c"
_U_N_P = "-F_n*g - K_n*c"
_U_C_A = "R_c*(1 + b_g*g + b_n*n) - C_c + W*g + s_c*g*n"
_U_C_I = "-D_c*(1 - g)*(1 - n)"


def _fill(template: str, g: int, n: int, c: int) -> str:
    """Substitute the 0/1 indicators into a payoff template (as text, so it stays readable)."""
    out = template
    for name, value in (("g", g), ("n", n), ("c", c)):
        out = _replace_name(out, name, str(value))
    return out


def _replace_name(text: str, name: str, value: str) -> str:
    import re

    return re.sub(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", value, text)


def payoff_table() -> dict[tuple[str, str, str], tuple[str, str, str]]:
    """The payoff table: profile -> (government, NGO, citizen) payoff strings."""
    table = {}
    for gs, g in (("C", 1), ("B", 0)):
        for ns, n in (("E", 1), ("P", 0)):
            for cs, c in (("A", 1), ("I", 0)):
                table[(gs, ns, cs)] = (
                    _fill(_U_G_C if g else _U_G_B, g, n, c),
                    _fill(_U_N_E if n else _U_N_P, g, n, c),
                    _fill(_U_C_A if c else _U_C_I, g, n, c),
                )
    return table


def dynamic_accountability_game() -> Game:
    """The §4.1.1 variant with a dynamic accountability penalty ``F_g*(1 - x)``.

    The penalty a bureaucratic government pays falls as the share ``x`` of collaborative
    governments grows (state-dependent payoffs, ``Game(..., state_dependent=True)``);
    everything else is :func:`game`.  Its dynamics are derived exactly; ``analyze`` runs
    numerically (see :mod:`gametheory.analysis.general`).

    Examples
    --------
    >>> g = dynamic_accountability_game()
    >>> g.state_dependent, g.payoff(("B", "P", "I"), "government")
    (True, -F_g*theta*(1 - x) - L_g)
    """
    table = {
        profile: (_replace_name(row[0], "F_g", "F_g*(1 - x)"), *row[1:])
        for profile, row in payoff_table().items()
    }
    return Game.from_table(
        POPULATIONS,
        table,
        PARAMETERS,
        name="Crisis governance with dynamic accountability F_g (1 - x)",
        state_dependent=True,
    )


def game() -> Game:
    """The crisis-governance game; parameter defaults are :data:`STATUS_QUO`.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = game()
    >>> [p.strategies for p in g.populations]
    [('C', 'B'), ('E', 'P'), ('A', 'I')]
    >>> [e.profile for e in gt.analyze(g, OPTIMIZED).ess]
    [('C', 'E', 'A')]
    """
    return Game.from_table(
        POPULATIONS,
        payoff_table(),
        PARAMETERS,
        name="Crisis governance: government, NGOs, citizens (Zeng)",
    )
