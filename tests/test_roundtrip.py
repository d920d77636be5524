"""Every game round-trips through ``to_toml``/``to_json`` and ``loads_game`` exactly, whatever its names."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.models import classic, crisis_governance
from gametheory.testing import games

# Names with Unicode letters, commas, quotes, backslashes, spaces and control characters.
NAME_CHARS = st.characters(
    categories=("L", "N", "P", "S", "Zs", "Cc"), exclude_characters="\r\x00"
) | st.sampled_from([",", '"', "'", "\\", " ", "é", "α", "中", "\n", "\t", "[", "]", "=", "#"])
NAMES = st.text(NAME_CHARS, min_size=1, max_size=8).filter(lambda s: s.strip() != "")


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def defaults_and_bounds(draw):
    """Any finite default (or none) and bounds (or none) holding it, either side possibly infinite."""
    default = draw(st.none() | FINITE)
    if draw(st.booleans()):
        return default, None
    lo = draw(st.just(-math.inf) | st.floats(allow_nan=False, allow_infinity=False, max_value=default))
    floor = default if default is not None else (lo if math.isfinite(lo) else None)
    hi = draw(st.just(math.inf) | st.floats(allow_nan=False, allow_infinity=False, min_value=floor))
    return default, (lo, hi)


def assert_same_game(read: gt.Game, game: gt.Game) -> None:
    """Equal games (``==``), and equal in every stored detail: names, payoff expressions, parameters."""
    assert read == game
    assert read.name == game.name
    assert read.populations == game.populations
    assert list(read.payoffs) == list(game.payoffs)
    assert all(read.payoffs[k] == game.payoffs[k] for k in game.payoffs)  # structurally, not only expanded
    assert read.parameters == game.parameters  # name, default, bounds, description, source


def from_json(text: str) -> gt.Game:
    return gt.loads_game(text, format="json")


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
        gt.Parameter(p.name, *draw(defaults_and_bounds()), draw(st.none() | NAMES), draw(st.none() | NAMES))
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


# ---------------------------------------------------------------------- JSON
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(renamed_games())
def test_random_games_round_trip_through_json(game):
    text = game.to_json()
    assert_same_game(from_json(text), game)
    assert from_json(text).to_json() == text  # a fixed point: the same game, the same text


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(renamed_games())
def test_random_games_round_trip_toml_json_toml(game):
    via_toml = gt.loads_game(game.to_toml())
    via_json = from_json(via_toml.to_json())
    assert_same_game(via_json, game)
    assert via_json.to_toml() == game.to_toml()
    assert gt.loads_game(via_json.to_toml()).to_json() == game.to_json()


@settings(max_examples=20, deadline=None, database=None)
@given(games(max_populations=4, symbolic=True))
def test_testing_games_round_trip_through_json(game):
    assert_same_game(from_json(game.to_json()), game)


@pytest.mark.parametrize("game", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_named_games_round_trip_through_json(game):
    assert_same_game(from_json(game.to_json()), game)
    assert_same_game(gt.loads_game(game.to_toml()), game)


MODELS = {
    "crisis-governance": crisis_governance.game,
    "matching-pennies-3": classic.matching_pennies_3,
    "wang2023": classic.wang2023_air_pollution,
}


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_models_round_trip_through_json_exactly(make):
    game = make()
    text = game.to_json()
    assert_same_game(from_json(text), game)
    assert text == make().to_json() and text.endswith("}\n")  # deterministic


def _strict(text: str):
    """Parse as strict JSON: no Infinity or NaN."""

    def refuse(constant):
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_flagship_json_is_strict_and_keeps_every_parameter_field():
    game = crisis_governance.game()
    doc = _strict(game.to_json())
    assert list(doc) == ["name", "populations", "parameters", "payoffs"]
    assert list(doc["populations"]) == ["government", "ngo", "citizen"]
    assert list(doc["parameters"]) == list(game.parameter_names)
    assert doc["parameters"]["R_g"] == {
        "default": 4.0,
        "bounds": [0.0, None],
        "description": "legitimacy gain of collaborative governance",
        "source": "Zeng, section 4.1.2",
    }
    assert doc["parameters"]["lam"]["bounds"] == [0.0, 1.0]
    assert list(doc["payoffs"]) == [",".join(p) for p in game.profiles]


def test_null_bounds_read_as_unbounded():
    text = """{"populations": {"row": ["H", "T"], "col": ["H", "T"]},
      "parameters": {"a": {"default": 1, "bounds": [null, 2]}, "b": {"bounds": [null, null]}},
      "payoffs": {"H,H": ["a", "b"], "H,T": ["0", "0"], "T,H": ["0", "0"], "T,T": ["0", "0"]}}"""
    game = from_json(text)
    assert [p.bounds for p in game.parameters] == [(-math.inf, 2.0), (-math.inf, math.inf)]
    assert _strict(game.to_json())["parameters"]["b"] == {"bounds": [None, None]}


def test_exact_payoffs_survive_json():
    game = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {
            ("H", "H"): ("1/3", "0.10000000000000000001*a"),
            ("H", "T"): ("sqrt(2)*a", "-a**2/7"),
            ("T", "H"): ("Max(a, 1/2)", "exp(-a)"),
            ("T", "T"): ("12345678901234567890123", "0"),
        },
        [gt.Parameter("a", 0.1, (-math.inf, 1e300), "x\ny", "\\input{/etc/hostname}")],
    )
    doc = _strict(game.to_json())
    assert doc["payoffs"]["H,H"] == ["1/3", "10000000000000000001*a/100000000000000000000"]
    assert doc["payoffs"]["T,T"][0] == "12345678901234567890123"
    assert_same_game(from_json(game.to_json()), game)


def test_hostile_names_survive_json():
    game = _pennies(
        row=('a,"b"\\c', "中\n\\input{x}"), col=("é\t", " T "), param="θ", name="\\input{/etc/passwd}"
    )
    text = game.to_json()
    doc = _strict(text)
    assert doc["populations"]["row"] == ['a,"b"\\c', "中\n\\input{x}"]
    assert doc["payoffs"][0] == {"profile": ['a,"b"\\c', "é\t"], "payoffs": ["theta", "0"]}
    assert "中" in text  # non-ASCII kept readable
    assert_same_game(from_json(text), game)


def test_comma_free_games_keep_the_comma_keys_in_json():
    doc = _strict(_pennies().to_json())
    assert doc["payoffs"] == {"H,H": ["a", "0"], "H,T": ["0", "1"], "T,H": ["0", "1"], "T,T": ["1", "a"]}


def test_load_game_reads_a_written_json_file(tmp_path):
    for name, make in MODELS.items():
        path = tmp_path / f"{name}.json"
        path.write_text(make().to_json(), encoding="utf-8")
        assert_same_game(gt.load_game(path), make())
    hostile = CASES[-1][1]
    path = tmp_path / "hostile.JSON"
    path.write_text(hostile.to_json(), encoding="utf-8")
    assert_same_game(gt.load_game(path), hostile)


def test_game_to_json_is_io_to_json():
    from gametheory.io import to_json

    game = classic.matching_pennies_3()
    assert game.to_json() == to_json(game)
