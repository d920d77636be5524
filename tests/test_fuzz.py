"""Fuzzing the public entry points: they succeed or raise a GameError subclass, nothing else.

Sizes are bounded so that nothing can hang; hypothesis fails any example that
raises another exception type (a crash deep in numpy/sympy would show up here).
"""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.models import crisis_governance

TOKENS = [
    "a", "b", "S", "lambda", "gamma", "x1", "_a", "__import__", "os", "(", ")", "+", "-", "*", "/", "**", "^",
    "exp", "log", "sqrt", "Min", "Max", "Abs", "sin", "1", "0", "0.5", "1e308", "9" * 40, ".", ",", "[", "]",
    ":", "'", '"', "=", "==", " ", "lambda x:", "import", "if", "else", "{", "}", "@", "%", "~", "&", "|", "<<",
    "True", "None", "\\", "\n", "#", ";", "j",
]  # fmt: skip

expression_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
)


def _ok_or_game_error(call):
    try:
        return call()
    except gt.GameError:
        return None


@given(expression_text)
def test_parse_expression_fuzz(text):
    result = _ok_or_game_error(lambda: gt.parse_expression(text))
    if result is not None:
        assert isinstance(result, sympy.Expr)
        assert all(s.is_Symbol and not s.name.startswith("_") for s in result.free_symbols)


@given(st.lists(expression_text, min_size=8, max_size=8))
def test_game_from_table_fuzz(entries):
    pops = {"g": ["C", "B"], "n": ["E", "P"]}
    profiles = [("C", "E"), ("C", "P"), ("B", "E"), ("B", "P")]
    payoffs = {p: (entries[2 * k], entries[2 * k + 1]) for k, p in enumerate(profiles)}
    game = _ok_or_game_error(lambda: gt.Game.from_table(pops, payoffs))
    if game is not None:
        dyn = game.replicator()
        params = {p.name: 1.0 for p in game.parameters}
        _ok_or_game_error(lambda: dyn.vector_field([0.3, 0.6], params))


toml_scalar = st.one_of(
    st.integers(-10, 10).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda v: repr(v).replace("inf", "inf").replace("nan", "nan")
    ),
    expression_text.map(
        lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    ),
    st.sampled_from(
        ["true", "[]", '["C", "B"]', '["C"]', '["C", "C"]', "{}", "{default = 1}", '{default = "x"}']
    ),
)
toml_key = st.sampled_from(
    [
        "name",
        "populations",
        "payoffs",
        "parameters",
        "g",
        "n",
        '"C,E"',
        '"C,P"',
        '"B,E"',
        '"B,P"',
        "a",
        "b",
        "default",
        "bounds",
        "x",
    ]
)


@st.composite
def toml_documents(draw):
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        table = draw(
            st.sampled_from(["", "[populations]", "[payoffs]", "[parameters]", "[parameters.a]", "[x]"])
        )
        lines.append(table)
        for _ in range(draw(st.integers(0, 5))):
            value = draw(
                st.one_of(
                    toml_scalar, st.lists(toml_scalar, max_size=3).map(lambda v: "[" + ", ".join(v) + "]")
                )
            )
            lines.append(f"{draw(toml_key)} = {value}")
    return "\n".join(lines)


VALID = """
[populations]
g = ["C", "B"]
n = ["E", "P"]
[parameters]
a = 1.0
[payoffs]
"C,E" = ["a", "1"]
"C,P" = ["0", "a"]
"B,E" = ["2", "0"]
"B,P" = ["1", "-a"]
"""


@given(st.one_of(st.text(max_size=300), toml_documents()))
def test_loads_game_fuzz(text):
    for fmt in ("toml", "json"):
        game = _ok_or_game_error(lambda fmt=fmt: gt.loads_game(text, format=fmt))
        if game is not None:
            assert game.n_populations >= 2


json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | expression_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(TOKENS + ["(1,0)", "(0,1)"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "players": st.lists(st.sampled_from(["p", "q", "r", 1]), max_size=3) | json_value,
            "strategies": st.dictionaries(st.sampled_from(["p", "q", "all"]), json_value, max_size=2)
            | json_value,
            "parameters": st.dictionaries(st.sampled_from(["a", "b", "_x"]), json_value, max_size=2),
            "payoffs": st.dictionaries(
                st.sampled_from(["(1,1)", "(1,0)", "(0,1)", "(0,0)", "(2,1)", "x", "(1,1,1)"]),
                st.lists(expression_text | st.integers(-3, 3) | json_value, max_size=3),
                max_size=5,
            ),
        },
    )
)
def test_reference_case_json_fuzz(doc):
    import json

    _ok_or_game_error(lambda: gt.loads_game(json.dumps(doc), format="json"))


@given(st.integers(0, len(VALID) - 1), st.text(max_size=5))
def test_loads_game_mutations(position, insert):
    text = VALID[:position] + insert + VALID[position + 1 :]
    _ok_or_game_error(lambda: gt.loads_game(text))


DYN = crisis_governance.game().replicator()
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2, 2),
    st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1 - 1e-16]),
)


@given(st.lists(st.lists(numbers, max_size=4), max_size=4))
def test_vector_field_fuzz(rows):
    arr = rows[0] if len(rows) == 1 else rows
    result = _ok_or_game_error(lambda: DYN.vector_field(arr, crisis_governance.STATUS_QUO))
    if result is not None:
        assert np.all(np.isfinite(result))


@given(
    st.dictionaries(st.sampled_from(list(crisis_governance.STATUS_QUO) + ["F_x", "s"]), numbers, max_size=4)
)
def test_parameters_fuzz(params):
    result = _ok_or_game_error(lambda: DYN.jacobian_at([0.5, 0.5, 0.5], params))
    if result is not None:
        assert np.all(np.isfinite(result))


@settings(max_examples=60)
@given(
    st.lists(numbers, min_size=3, max_size=3),
    st.tuples(numbers, numbers),
    st.dictionaries(st.sampled_from(["F_g", "S", "theta", "W"]), numbers, max_size=2),
)
def test_simulate_fuzz(x0, t_span, params):
    t0, t1 = t_span
    if np.isfinite(t0) and np.isfinite(t1) and abs(t1 - t0) > 100:  # keep each example bounded in time
        t_span = (t0, t0 + 100 * np.sign(t1 - t0))
    result = _ok_or_game_error(lambda: DYN.simulate(x0, t_span, dict(crisis_governance.STATUS_QUO) | params))
    if result is not None:
        assert result.success and np.all(np.isfinite(result.y))
