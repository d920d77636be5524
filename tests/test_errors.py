"""Bad input: a table of cases, each raising our own exception with a message that says what to fix."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gametheory as gt
from gametheory import (
    GameError,
    IntegrationError,
    ParameterError,
    ParseError,
    SpecificationError,
    StateError,
)
from gametheory.models import crisis_governance

PD_POPS = {"row": ["C", "D"], "col": ["C", "D"]}
PD = {("C", "C"): ("R", "R"), ("C", "D"): ("S", "T"), ("D", "C"): ("T", "S"), ("D", "D"): ("P", "P")}
PD_PARAMS = {"R": 3, "S": 0, "T": 5, "P": 1}


def table(**changes):
    return {**PD, **changes}


def flagship():
    return crisis_governance.game().replicator()


def sim(x0=(0.5, 0.5, 0.5), t_span=(0, 10), params=None, **kw):
    return flagship().simulate(
        list(x0), t_span, crisis_governance.STATUS_QUO if params is None else params, **kw
    )


# (id, callable, exception type, regex the message must match)
CASES = [
    # ---- payoff expressions
    ("unsafe call", lambda: gt.parse_expression("__import__('os').system('ls')"), ParseError, "calling"),
    ("attribute", lambda: gt.parse_expression("a.real"), ParseError, "attribute access"),
    ("lambda", lambda: gt.parse_expression("lambda: 0"), ParseError, "cannot parse"),
    ("dunder name", lambda: gt.parse_expression("__builtins__"), ParseError, "may not start with '_'"),
    (
        "unknown function",
        lambda: gt.parse_expression("sin(a)"),
        ParseError,
        r"calling 'sin'.*allowed functions",
    ),
    ("huge expression", lambda: gt.parse_expression("a" * 10_000_000), ParseError, "longer than the limit"),
    ("huge exponent", lambda: gt.parse_expression("2**100000"), ParseError, "exponent"),
    ("string literal", lambda: gt.parse_expression("'a'"), ParseError, "literal"),
    ("bytes payoff", lambda: gt.parse_expression(b"a"), ParseError, "must be a string"),
    ("nan payoff", lambda: gt.parse_expression(math.nan), ParseError, "not finite"),
    ("bool payoff", lambda: gt.parse_expression(True), ParseError, "number or an expression"),
    ("syntax error", lambda: gt.parse_expression("a +* b"), ParseError, "cannot parse 'a \\+\\* b'"),
    (
        "payoff location",
        lambda: gt.Game.from_table(PD_POPS, table(**{}) | {("C", "C"): ("R", "R.x")}),
        ParseError,
        r"payoff of 'col' at \('C', 'C'\)",
    ),
    # ---- game specification
    (
        "missing profile",
        lambda: gt.Game.from_table(PD_POPS, {k: v for k, v in PD.items() if k != ("D", "D")}),
        SpecificationError,
        r"misses 1 of 4 strategy profiles: \('D', 'D'\)",
    ),
    (
        "unknown strategy",
        lambda: gt.Game.from_table(PD_POPS, PD | {("C", "d"): ("R", "R")}),
        SpecificationError,
        r"no strategy 'd' \(did you mean 'D'\?\)",
    ),
    (
        "short payoff tuple",
        lambda: gt.Game.from_table(PD_POPS, PD | {("C", "C"): ("R",)}),
        SpecificationError,
        "have 1 entries, expected 2",
    ),
    (
        "long payoff tuple",
        lambda: gt.Game.from_table(PD_POPS, PD | {("C", "C"): ("R", "R", "R")}),
        SpecificationError,
        "have 3 entries, expected 2",
    ),
    (
        "profile too short",
        lambda: gt.Game.from_table(PD_POPS, PD | {("C",): ("R", "R")}),
        SpecificationError,
        "must name one strategy for each of the 2 populations",
    ),
    (
        "duplicate string profile",
        lambda: gt.Game.from_table(PD_POPS, {"C,C": (1, 1), "C, C": (1, 1)}),
        SpecificationError,
        "given twice",
    ),
    (
        "duplicate strategy",
        lambda: gt.Game.from_table({"row": ["C", "C"], "col": ["C", "D"]}, PD),
        SpecificationError,
        r"population 'row' repeats strategy name\(s\) \['C'\]",
    ),
    (
        "one strategy",
        lambda: gt.Game.from_table({"row": ["C"], "col": ["C", "D"]}, PD),
        SpecificationError,
        "population 'row' has 1 strategy",
    ),
    (
        "strategies as string",
        lambda: gt.Population("row", "CD"),
        SpecificationError,
        "must be a sequence of names",
    ),
    (
        "one population",
        lambda: gt.Game.from_table({"row": ["C", "D"]}, {("C",): (1,), ("D",): (1,)}),
        SpecificationError,
        "at least 2 populations",
    ),
    (
        "duplicate population",
        lambda: gt.Game([gt.Population("a", ["x", "y"])] * 2, {}),
        SpecificationError,
        r"population name\(s\) \['a'\] are used more than once",
    ),
    ("empty population name", lambda: gt.Population(" ", ["x", "y"]), SpecificationError, "non-empty string"),
    ("payoffs not a mapping", lambda: gt.Game(PD_POPS, [1, 2, 3]), SpecificationError, "must be a mapping"),
    (
        "undeclared parameter",
        lambda: gt.Game.from_table(PD_POPS, PD, {"R": 3, "S": 0, "T": 5}),
        SpecificationError,
        "payoffs use 'P', which is not declared",
    ),
    (
        "unused parameter named beside an undeclared one",
        lambda: gt.Game.from_table(PD_POPS, PD, {k: v for k, v in PD_PARAMS.items() if k != "T"} | {"Q": 1}),
        SpecificationError,
        "'Q' is declared but no payoff uses it",
    ),
    (
        "payoff names a state variable",
        lambda: gt.Game.from_table(PD_POPS, {**PD, ("C", "D"): ("1 - F*(1-y)", "T")}),
        SpecificationError,
        r"payoff of 'row' at \('C', 'D'\) uses 'y', which is the name of a state variable",
    ),
    (
        "parameter typo",
        lambda: gt.Game.from_table(PD_POPS, PD, {"R": 3, "S": 0, "T": 5, "p": 1}),
        SpecificationError,
        "did you mean 'P'",
    ),
    ("bad default", lambda: gt.Parameter("a", "high"), SpecificationError, "default 'high' is not a number"),
    ("inf default", lambda: gt.Parameter("a", math.inf), SpecificationError, "not finite"),
    (
        "reversed bounds",
        lambda: gt.Parameter("a", None, (2, 1)),
        SpecificationError,
        r"bounds \(2.0, 1.0\) are reversed",
    ),
    ("default out of bounds", lambda: gt.Parameter("a", 3, (0, 1)), SpecificationError, "outside its bounds"),
    (
        "bad parameter name",
        lambda: gt.Parameter("_a"),
        SpecificationError,
        "identifier not starting with '_'",
    ),
    (
        "too many profiles",
        lambda: gt.Game({f"p{i}": ["a", "b", "c"] for i in range(11)}, {}),
        SpecificationError,
        "more than the limit",
    ),
    (
        "unknown population",
        lambda: gt.Game.from_table(PD_POPS, PD).population("rwo"),
        SpecificationError,
        "did you mean 'row'",
    ),
    (
        "unknown parameter lookup",
        lambda: gt.Game.from_table(PD_POPS, PD).parameter("t"),
        SpecificationError,
        "did you mean 'T'",
    ),
    ("profile of wrong length", lambda: flagship().vertex(("C", "E")), SpecificationError, "has 2 entries"),
    (
        "strategy index out of range",
        lambda: flagship().vertex((0, 5, 0)),
        SpecificationError,
        "no strategy index 5",
    ),
    # ---- parameters at evaluation
    (
        "missing parameter values",
        lambda: gt.Game.from_table(PD_POPS, PD).replicator().parameter_vector({"R": 1}),
        ParameterError,
        r"no value given for parameter\(s\) \['P', 'S', 'T'\]",
    ),
    (
        "unknown parameter",
        lambda: sim(params=dict(crisis_governance.STATUS_QUO) | {"F_x": 1}),
        ParameterError,
        "unknown parameter 'F_x'",
    ),
    (
        "nan parameter",
        lambda: sim(params={"F_g": math.nan}),
        ParameterError,
        "parameter 'F_g' must be finite",
    ),
    (
        "inf parameter",
        lambda: sim(params={"F_g": math.inf}),
        ParameterError,
        "parameter 'F_g' must be finite",
    ),
    (
        "parameter out of bounds",
        lambda: sim(params={"theta": -0.5}),
        ParameterError,
        r"'theta' = -0.5 lies outside its bounds \[0.0, 1.0\]",
    ),
    (
        "string parameter",
        lambda: sim(params={"theta": "x"}),
        ParameterError,
        "'theta': value 'x' is not a number",
    ),
    ("2-D parameter", lambda: flagship().parameter_vector({"theta": [[0.1]]}), ParameterError, "1-D array"),
    (
        "ragged parameter arrays",
        lambda: flagship().parameter_vector({"S": [1, 2], "W": [1, 2, 3]}),
        ParameterError,
        "has 3 values, other parameters have 2",
    ),
    ("array params in simulate", lambda: sim(params={"S": [1.0, 2.0]}), ParameterError, "use simulate_many"),
    # ---- states
    (
        "state wrong length",
        lambda: sim(x0=(0.5, 0.5)),
        StateError,
        r"must have shape \(3,\).*\['x', 'y', 'z'\]",
    ),
    ("state negative", lambda: sim(x0=(0.5, -0.2, 0.5)), StateError, r"share y = -0.2 is negative.*'ngo'"),
    (
        "state above one",
        lambda: sim(x0=(1.2, 0.5, 0.5)),
        StateError,
        r"shares of population 'government'.*sum to 1.2",
    ),
    ("state nan", lambda: sim(x0=(0.5, math.nan, 0.5)), StateError, "NaN or infinite"),
    ("state not numbers", lambda: sim(x0=("a", "b", "c")), StateError, "not a vector of numbers"),
    ("batch wrong shape", lambda: flagship().check_states(np.zeros((4, 2))), StateError, r"shape \(n, 3\)"),
    (
        "batch row negative",
        lambda: flagship().check_states([[0.5, 0.5, 0.5], [0.5, 0.5, -1]]),
        StateError,
        "at row 1",
    ),
    ("trajectory unknown coordinate", lambda: sim(t_span=(0, 1))["w"], StateError, "no coordinate 'w'"),
    # ---- integration
    ("reversed t_span", lambda: sim(t_span=(10, 0)), IntegrationError, "empty or reversed"),
    ("empty t_span", lambda: sim(t_span=(3, 3)), IntegrationError, "empty or reversed"),
    ("t_span not numbers", lambda: sim(t_span=("a", "b")), IntegrationError, r"two numbers \(t0, t1\)"),
    ("t_span of three", lambda: sim(t_span=(0, 1, 2)), IntegrationError, "two numbers"),
    ("t_eval outside", lambda: sim(t_eval=[0, 11]), IntegrationError, r"within t_span \(0, 10\)"),
    ("t_eval unsorted", lambda: sim(t_eval=[0, 2, 1]), IntegrationError, "strictly increasing"),
    ("t_eval empty", lambda: sim(t_eval=[]), IntegrationError, "non-empty"),
    (
        "unknown method",
        lambda: sim(method="rk4"),
        IntegrationError,
        r"unknown method 'rk4' \(did you mean 'RK45'\?\); choose one of",
    ),
    (
        "unknown coordinates",
        lambda: sim(coordinates="polar"),
        IntegrationError,
        "unknown coordinates 'polar'",
    ),
    ("zero rtol", lambda: sim(rtol=0), IntegrationError, "rtol must be a positive finite number"),
    (
        "overflow",
        lambda: (
            gt.Game.from_table(PD_POPS, PD)
            .replicator()
            .simulate([0.5, 0.5], (0, 10), {"R": 1e300, "S": 0, "T": -1e300, "P": 0})
        ),
        IntegrationError,
        r"overflow during integration.*x0 = \[0.5, 0.5\]",
    ),
]


@pytest.mark.parametrize("case, call, error, pattern", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    assert isinstance(info.value, GameError)


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40
