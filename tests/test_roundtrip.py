"""Every game round-trips through ``to_toml``/``loads_game`` with ``==`` equality, whatever its names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.testing import games

# Names with Unicode letters, commas, quotes, backslashes, spaces and control characters.
NAME_CHARS = st.characters(
    categories=("L", "N", "P", "S", "Zs", "Cc"), exclude_characters="\r\x00"
) | st.sampled_from([",", '"', "'", "\\", " ", "é", "α", "中", "\n", "\t", "[", "]", "=", "#"])
NAMES = st.text(NAME_CHARS, min_size=1, max_size=8).filter(lambda s: s.strip() != "")


@st.composite
def renamed_games(draw):
    game = draw(games(max_populations=3, symbolic=True))
    pop_names = draw(st.lists(NAMES, min_size=game.n_populations, max_size=game.n_populations, unique=True))
    populations = {}
    renames = []
    for new, pop in zip(pop_names, game.populations):
        strategies = draw(st.lists(NAMES, min_size=pop.size, max_size=pop.size, unique=True))
        populations[new] = strategies
        renames.append(dict(zip(pop.strategies, strategies)))
    payoffs = {
        tuple(renames[i][s] for i, s in enumerate(profile)): tuple(str(e) for e in row)
        for profile, row in game.payoffs.items()
    }
    params = [
        gt.Parameter(p.name, p.default, p.bounds, draw(st.none() | NAMES), draw(st.none() | NAMES))
        for p in game.parameters
    ]
    return gt.Game.from_table(populations, payoffs, params, name=draw(st.text(NAME_CHARS, max_size=10)))


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(renamed_games())
def test_random_games_round_trip_through_toml(game):
    assert gt.loads_game(game.to_toml()) == game


@settings(max_examples=20, deadline=None, database=None)
@given(games(max_populations=4, symbolic=True))
def test_testing_games_round_trip_through_toml(game):
    assert gt.loads_game(game.to_toml()) == game


def _pennies(row=("H", "T"), col=("H", "T"), param="a", **kw):
    (h, t), (h2, t2) = row, col
    return gt.Game.from_table(
        {"row": list(row), "col": list(col)},
        {(h, h2): (param, "0"), (h, t2): ("0", "1"), (t, h2): ("0", "1"), (t, t2): ("1", param)},
        [gt.Parameter(param, 1.5, (0.0, 3.0), kw.get("description"), kw.get("source"))],
        name=kw.get("name", ""),
    )


CASES = [
    ("comma-strategy", _pennies(row=("H,x", "T"))),
    ("comma-both", _pennies(row=("a,b", "a"), col=("b", "a,b"))),
    ("edge-spaces", _pennies(row=(" H", "T "))),
    ("unicode-parameter", _pennies(param="θ_g")),
    ("cjk-parameter", _pennies(param="中")),
    ("quotes", _pennies(row=('"H"', "T'"), name='say "hi"')),
    ("backslash", _pennies(row=("\\H", "T\\"), description="C:\\path\\")),
    ("newline-tab", _pennies(row=("H\nx", "T\tx"), description="two\nlines")),
    ("control", _pennies(row=("H\x01", "T\x7f"), source="\x1b[31m")),
    ("hostile-latex", _pennies(row=("\\input{/etc/hostname}", "T"), name="\\input{/etc/hostname}")),
]


@pytest.mark.parametrize("game", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_named_games_round_trip(game):
    assert gt.loads_game(game.to_toml()) == game


def test_plain_games_keep_the_comma_keys():
    text = _pennies().to_toml()
    assert '"H,H" = ["a", "0"]' in text and "[[payoffs]]" not in text


def test_comma_strategies_use_payoff_tables():
    text = _pennies(row=("H,x", "T")).to_toml()
    assert '[[payoffs]]\nprofile = ["H,x", "H"]' in text
