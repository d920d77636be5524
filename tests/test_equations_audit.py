"""Models typed in from their equations, and audits of a paper's equations (issue 11, item 4)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory import ParseError, SpecificationError
from gametheory.models import classic, crisis_governance

FLAGSHIP = crisis_governance.game()


def _printed(dyn):
    """The equations as a paper prints them: "x' = ..." strings."""
    return [f"{s}' = {e}" for s, e in zip(dyn.state_names, dyn.equations)]


def test_flagship_typed_in_from_its_equations_is_the_same_model():
    dyn = FLAGSHIP.replicator()
    pops = {p.name: list(p.strategies) for p in FLAGSHIP.populations}
    typed = gt.from_equations(_printed(dyn), populations=pops, parameters=FLAGSHIP.parameters)
    for ours, theirs in zip(dyn.equations, typed.equations):
        assert sympy.expand(ours - theirs) == 0
    # the same analysis: rest points and their stability kinds at the defaults
    a, b = gt.analyze(dyn), gt.analyze(typed)
    assert sorted(str(e.kind) for e in a.equilibria) == sorted(str(e.kind) for e in b.equilibria)
    assert sorted(map(tuple, np.round([e.state for e in a.equilibria], 12))) == sorted(
        map(tuple, np.round([e.state for e in b.equilibria], 12))
    )


def test_equations_with_other_state_names_and_independent_payoffs():
    # p' = p(1-p)(b q - c): the game gives the first strategy of p the payoff b - c against q's
    # first strategy and -c against its second; the second strategy earns 0
    dyn = gt.from_equations({"p": "p*(1 - p)*(b*q - c)", "q": "q*(1 - q)*(a - d*p)"})
    g = dyn.game
    assert g.payoff(("1", "1"), "p") == sympy.sympify("b - c")
    assert g.payoff(("1", "2"), "p") == sympy.sympify("-c")
    assert g.payoff(("2", "1"), "q") == sympy.sympify("a")
    assert g.payoff(("1", "1"), "q") == sympy.sympify("a - d")
    assert all(g.payoff(prof, "p") == 0 for prof in g.profiles if prof[0] == "2")
    # independent check of the field: the textbook formula at a random state
    x, y = 0.3, 0.8
    params = {"a": 0.5, "b": 2.0, "c": 0.7, "d": 1.1}
    expected = [x * (1 - x) * (2.0 * y - 0.7), y * (1 - y) * (0.5 - 1.1 * x)]
    np.testing.assert_allclose(dyn.vector_field([x, y], params), expected, rtol=1e-14)


@pytest.mark.parametrize(
    ("equations", "error", "fragment"),
    [
        (["x' = x*(a - y)", "y' = y*(1 - y)*x"], SpecificationError, "not of the replicator form"),
        (["x' = x*(1 - x)*(x - y)", "y' = y*(1 - y)*x"], SpecificationError, "depends on x itself"),
        (["x' = x*(1 - x)*y**2", "y' = y*(1 - y)*x"], SpecificationError, "not linear in 'y'"),
        (["x = x*(1 - x)", "y' = y"], ParseError, "does not start with"),
        (["x' = x*(1 - x)*a", "x' = x*(1 - x)*b"], SpecificationError, "two equations"),
        ({"p": "p*(1 - p)*y", "q": "q*(1 - q)*p"}, SpecificationError, "'y' as a parameter"),
        ("x' = x", SpecificationError, "must be a mapping"),
        ([], SpecificationError, "no equations"),
        (["x' = x*(1 - x)*__import__('os')", "y' = y"], ParseError, "__import__"),
    ],
    ids=["not replicator", "own share", "nonlinear", "no lhs", "twice", "state-named parameter", "text",
         "empty", "injection"],
)  # fmt: skip
def test_equations_not_of_the_stated_form_are_refused(equations, error, fragment):
    with pytest.raises(error, match=None) as info:
        gt.from_equations(equations)
    assert fragment in str(info.value), str(info.value)


def test_audit_agrees_with_the_derivation():
    report = gt.audit(FLAGSHIP, _printed(FLAGSHIP.replicator()))
    assert report.agrees and report.differences == () and all(report.equation_agrees)


def test_audit_finds_a_flipped_sign():
    dyn = classic.matching_pennies_3().replicator()
    x, y, z = dyn.states
    a = sympy.Symbol("a")
    paper = list(dyn.equations)
    paper[1] = y * (1 - y) * (-4 * a * z - 2 * a)  # the paper flipped the sign of 4 a z
    report = gt.audit(dyn.game, paper)
    assert not report.agrees and report.equation_agrees == (True, False, True)
    (diff,) = report.differences
    assert (diff.where, diff.term, diff.paper, diff.derived, diff.note) == (
        "Delta of y", "a*z", "-4", "4", "sign flipped"
    )  # fmt: skip
    assert report.swapped == ()


def test_audit_finds_a_swapped_parameter_pair():
    dyn = FLAGSHIP.replicator()
    names = FLAGSHIP.parameter_names
    used = sorted({s.name for e in dyn.equations for s in e.free_symbols} & set(names))
    p, q = sympy.Symbol(used[0]), sympy.Symbol(used[1])
    paper = [e.xreplace({p: q, q: p}) for e in dyn.equations]
    report = gt.audit(FLAGSHIP, paper)
    assert not report.agrees
    assert report.swapped == ((p.name, q.name),) or report.swapped == ((q.name, p.name),)
    assert f"parameters {p.name!r} and {q.name!r} appear swapped" in report.summary() or (
        f"parameters {q.name!r} and {p.name!r} appear swapped" in report.summary()
    )
    frame = report.to_frame()
    assert len(frame) == len(report.differences) > 0


def test_audit_report_renders_and_plots(tmp_path):
    import matplotlib.pyplot as plt

    dyn = classic.matching_pennies_3().replicator()
    paper = list(dyn.equations)
    paper[0] = -paper[0]
    report = gt.audit(dyn.game, paper)
    assert "| Delta of x |" in report.to_markdown()
    ax = report.plot()
    assert [p.get_height() for p in ax.patches] == [2, 0, 0]
    plt.close(ax.figure)


def test_audit_refuses_the_wrong_number_of_equations():
    with pytest.raises(SpecificationError, match="2 equations given"):
        gt.audit(classic.matching_pennies_3(), ["x' = x", "y' = y"])
