"""One-population (symmetric) games: construction, derivation, dynamics and the one-population ESS theory.

Every number is checked against an independent computation written here: numpy
fields from the textbook replicator formula, brute-force enumeration of co-player
groups, tight DOP853 references, closed-form roots and eigenvalues.
"""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.errors import SpecificationError
from gametheory.io import loads_game

GOOD_RPS = [[0, -1, 2], [2, 0, -1], [-1, 2, 0]]  # win 2 > loss 1: interior ESS
STANDARD_RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]  # zero-sum: neutrally stable centre
BAD_RPS = [[0, -2, 1], [1, 0, -2], [-2, 1, 0]]  # loss 2 > win 1: interior repeller


def replicator_field(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Textbook one-population replicator x_i ((Ax)_i - x.Ax), full shares."""
    f = A @ x
    return x * (f - x @ f)


def reduced_field(A: np.ndarray):
    def rhs(_t, u):
        x = np.append(u, 1 - u.sum())
        return replicator_field(A, x)[:-1]

    return rhs


def numeric_jacobian(rhs, u: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(rhs(0, u + h * e) - rhs(0, u - h * e)) / (2 * h) for e in np.eye(len(u))]
    return np.array(cols).T


# ------------------------------------------------------------------ construction
def test_table_forms_give_the_same_game():
    forms = [
        GOOD_RPS,
        np.array(GOOD_RPS),
        sympy.Matrix(GOOD_RPS),
        {"R": GOOD_RPS[0], "P": GOOD_RPS[1], "S": GOOD_RPS[2]},
        [[str(v) for v in row] for row in GOOD_RPS],
    ]
    games = [gt.Game.symmetric(["R", "P", "S"], f) for f in forms]
    assert all(g == games[0] for g in games)
    assert games[0].n_populations == 1 and games[0].strategy_counts == (3,)
    assert games[0].symmetric_payoffs.matrix() == sympy.Matrix(GOOD_RPS)


def test_counts_form_with_two_players_is_the_matrix_game():
    """a_i(n) with one co-player: a_i(e_j) = a_ij, so f_i = (Ax)_i."""
    counts = {"R": "-n_P + 2*n_S", "P": "2*n1 - n3", "S": "-n1 + 2*n2"}
    g = gt.Game.symmetric(["R", "P", "S"], counts)
    assert g.symmetric_payoffs.form == "counts"
    assert g.symmetric_payoffs.matrix() == sympy.Matrix(GOOD_RPS)
    assert g.replicator().equations == gt.Game.symmetric(["R", "P", "S"], GOOD_RPS).replicator().equations


@pytest.mark.parametrize("players", [3, 4, 6])
def test_group_game_payoffs_match_brute_force_over_co_player_profiles(players):
    """f_i(x) = E[a_i(counts)] over the d - 1 co-players, enumerated profile by profile (no multinomials)."""
    strategies = ["A", "B", "C"]
    rng = np.random.default_rng(players)
    coef = rng.integers(-5, 6, size=(3, 4))
    payoffs = {s: f"{c[0]} + {c[1]}*n_A + {c[2]}*n_B**2 + {c[3]}*n_A*n_C" for s, c in zip(strategies, coef)}
    g = gt.Game.symmetric(strategies, payoffs, players=players)
    dyn = g.replicator()

    def a(i, n):
        c = coef[i]
        return c[0] + c[1] * n[0] + c[2] * n[1] ** 2 + c[3] * n[0] * n[2]

    pay = dyn.compiled("payoffs")
    for x in rng.dirichlet(np.ones(3), size=5):
        expected = np.zeros(3)
        for profile in itertools.product(range(3), repeat=players - 1):
            prob = np.prod([x[s] for s in profile])
            n = np.bincount(profile, minlength=3)
            expected += prob * np.array([a(i, n) for i in range(3)])
        got = np.asarray(pay(x[:-1, None], np.zeros((0, 1)))[:, 0], dtype=float)
        # exact polynomials evaluated in double precision: agreement to rounding of ~10 terms
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_public_goods_advantage_is_the_closed_form():
    """Linear public goods in groups of d: f_C - f_D = c (r/d - 1) at every state."""
    for d in (2, 3, 5, 8):
        g = gt.Game.symmetric(["C", "D"], {"C": f"r*c*(n_C + 1)/{d} - c", "D": f"r*c*n_C/{d}"}, players=d)
        (delta,) = g.replicator().payoff_differences
        r, c = sympy.symbols("r c")
        assert sympy.simplify(delta - c * (r / d - 1)) == 0


@pytest.mark.parametrize(
    "game",
    [
        gt.Game.symmetric(
            ["R", "P", "S"], [[0, "-1", "a"], ["a", 0, -1], [-1, "a", 0]], parameters={"a": 2}, name="RPS"
        ),
        gt.Game.symmetric(
            ["C", "D"], {"C": "r*(n_C + 1)/4 - 1", "D": "r*n_C/4"}, players=4, population="villagers"
        ),
    ],
    ids=["matrix", "counts"],
)
def test_round_trips(game):
    assert loads_game(game.to_toml()) == game
    assert loads_game(game.to_json(), format="json") == game
    again = pickle.loads(pickle.dumps(game))
    assert again == game and again.symmetric_payoffs == game.symmetric_payoffs
    assert again.populations[0].name == game.populations[0].name


def test_summary_shows_the_matrix():
    g = gt.Game.symmetric(["H", "D"], [["(V - C)/2", "V"], [0, "V/2"]], name="hawk-dove")
    text = g.summary()
    assert "one population, 2-player symmetric game" in text
    assert "H: [-C/2 + V/2, V]" in text
    assert "| H | -C/2 + V/2 | V |" in g._repr_markdown_()


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (
            lambda: gt.Game({"p": ["a", "b"]}, {("a",): (1,), ("b",): (2,)}),
            SpecificationError,
            "Game.symmetric",
        ),
        (
            lambda: loads_game('[populations]\np = ["a", "b"]\n[payoffs]\n"a" = [1]\n"b" = [2]\n'),
            SpecificationError,
            "[symmetric]",
        ),
        (
            lambda: gt.Game.symmetric(["C", "D"], {"C": "1", "D": "0"}, players=1),
            SpecificationError,
            "at least 2",
        ),
        (
            lambda: gt.Game.symmetric(["C", "D"], {"C": "1", "D": "0"}, players=2.5),
            SpecificationError,
            "players",
        ),
        (
            lambda: gt.Game.symmetric(["R", "P", "S"], [[0, 1, 2], [0, 1], [0, 1, 2]]),
            SpecificationError,
            "'P' has 2 entries",
        ),
        (
            lambda: gt.Game.symmetric(["R", "P", "S"], [[0, 1, 2], [0, 1, 2]]),
            SpecificationError,
            "2 rows, expected 3",
        ),
        (
            lambda: gt.Game.symmetric(["H", "D"], [[0, 1], [1, 0]], players=3),
            SpecificationError,
            "describes a 2-player game",
        ),
        (
            lambda: gt.Game.symmetric(["H", "D"], [["x", 1], [1, 0]]),
            SpecificationError,
            "'x', the name of a state",
        ),
        (lambda: gt.Game.symmetric(["H", "D"], [["n_H", 1], [1, 0]]), SpecificationError, "co-player count"),
        (
            lambda: gt.Game.symmetric(["C", "D"], {"C": "n_X", "D": "0"}, players=3),
            SpecificationError,
            "'n_X'",
        ),
        (
            lambda: gt.Game.symmetric(
                ["C", "D"], {"C": "b", "D": "0"}, players=3, parameters={"b": 1, "n1": 2}
            ),
            SpecificationError,
            "'n1' has the name of a co-player count",
        ),
        (
            lambda: gt.Game.symmetric(
                ["C", "D"], {"C": "b", "D": "0"}, players=3, parameters={"b": 1, "x": 2}
            ),
            SpecificationError,
            "'x'",
        ),
        (
            lambda: gt.Game.symmetric(["C", "D"], {"C": "b"}, players=3),
            SpecificationError,
            "no entry for strategy 'D'",
        ),
        (
            lambda: gt.Game.symmetric(["C", "D"], {"C": "b", "D": "0", "E": "1"}, players=3),
            SpecificationError,
            "'E'",
        ),
        (lambda: gt.Game.symmetric(["C", "D"], [[1, 2], "3"]), SpecificationError, "mix matrix rows"),
        (
            lambda: gt.Game.symmetric(["C", "D"], [[1, 2], [3, 4]], population=3),
            SpecificationError,
            "population",
        ),
    ],
)
def test_bad_input_names_the_culprit(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value)


# ------------------------------------------------------------------ dynamics
def test_replicator_matches_the_textbook_field_and_a_tight_reference():
    rng = np.random.default_rng(7)
    A = rng.integers(-4, 5, size=(4, 4))
    dyn = gt.Game.symmetric(["a", "b", "c", "d"], A.tolist()).replicator()
    rhs = reduced_field(A.astype(float))
    for x in rng.dirichlet(np.ones(4), size=6):
        np.testing.assert_allclose(dyn.vector_field(x[:-1]), rhs(0, x[:-1]), rtol=1e-12, atol=1e-13)
    x0 = np.array([0.1, 0.2, 0.3])
    ref = solve_ivp(rhs, (0, 20), x0, method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
    got = gt.simulate(dyn, x0, (0, 20), rtol=1e-10, atol=1e-12).final
    # rtol 1e-10 along a bounded orbit over t = 20: errors stay well under 1e-7
    np.testing.assert_allclose(got, ref, atol=1e-7)
    starts = rng.dirichlet(np.ones(4), size=8)[:, :-1]
    refs = np.array(
        [solve_ivp(rhs, (0, 20), s, method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1] for s in starts]
    )
    for backend in ("numpy", "numba"):
        ens = gt.simulate_many(dyn, starts, t_span=(0, 20), backend=backend, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ens.final, refs, atol=1e-7)


def test_good_rps_orbits_spiral_in_one_population_but_not_in_the_embedding():
    """In one population good RPS converges to the centre; two populations started apart do not."""
    one = gt.Game.symmetric(["R", "P", "S"], GOOD_RPS)
    end = gt.simulate(one, [0.6, 0.3], (0, 200)).final
    np.testing.assert_allclose(end, [1 / 3, 1 / 3], atol=1e-6)
    two = _embedding(GOOD_RPS)
    end2 = gt.simulate(two, [0.6, 0.3, 0.2, 0.5], (0, 200)).final
    assert np.max(np.abs(end2 - 1 / 3)) > 0.05
    # started together, the two populations stay together and follow the one-population orbit
    same = gt.simulate(two, [0.6, 0.3, 0.6, 0.3], (0, 10), rtol=1e-10, atol=1e-12).final
    ref = gt.simulate(one, [0.6, 0.3], (0, 10), rtol=1e-10, atol=1e-12).final
    np.testing.assert_allclose(same, np.concatenate([ref, ref]), atol=1e-7)


def _embedding(A):
    s = ["R", "P", "S"]
    return gt.Game(
        {"row": s, "col": s},
        {(r, c): (A[i][j], A[j][i]) for i, r in enumerate(s) for j, c in enumerate(s)},
    )


def test_other_dynamics_run_on_one_population():
    game = gt.Game.symmetric(["R", "P", "S"], GOOD_RPS)
    eta = 0.5
    logit = game.dynamics("logit", eta=eta)
    end = gt.simulate(logit, [0.7, 0.2], (0, 60), rtol=1e-11, atol=1e-12).final
    x = np.append(end, 1 - end.sum())
    A = np.array(GOOD_RPS, dtype=float)
    q = np.exp(A @ x / eta)
    np.testing.assert_allclose(x, q / q.sum(), atol=1e-9)  # a logit QRE (here the centre, by symmetry)
    for kind in ("bnn", "smith"):  # Nash stationarity: the one rest point is the game's Nash equilibrium
        report = gt.analyze(game.dynamics(kind))
        assert report.complete and [e.exact for e in report] == [(sympy.Rational(1, 3),) * 2]
    ens = gt.simulate_many(game.dynamics("bnn"), [[0.5, 0.2], [0.1, 0.1]], t_span=(0, 5), backend="numba")
    assert ens.final.shape == (2, 2)


# ------------------------------------------------------------------ ESS and stability
def test_good_rps_interior_ess_is_found_exactly_and_is_a_sink():
    game = gt.Game.symmetric(["R", "P", "S"], GOOD_RPS, name="good RPS")
    report = gt.analyze(game)
    assert report.complete and report.consistent
    (ess,) = report.ess
    assert ess.exact == (sympy.Rational(1, 3), sympy.Rational(1, 3)) and ess.location == "interior"
    assert ess.kind is gt.StabilityKind.SINK
    J = numeric_jacobian(reduced_field(np.array(GOOD_RPS, float)), np.array([1 / 3, 1 / 3]))
    expected = np.sort_complex(np.linalg.eigvals(J))
    # central differences of a quadratic field: error ~h^2, so 1e-8 is ample
    np.testing.assert_allclose(np.sort_complex(ess.eigenvalues), expected, atol=1e-8)
    assert "Maynard Smith" in report.summary() and "interior" in report.summary()


def test_the_embedding_of_good_rps_is_a_saddle_and_the_report_says_why():
    report = gt.analyze(_embedding(GOOD_RPS))
    (centre,) = [e for e in report if e.location == "interior"]
    assert centre.kind is gt.StabilityKind.SADDLE and not centre.is_ess and not report.ess
    text = report.summary()
    assert "B = A^T" in text and "Game.symmetric" in text and "saddle here" in text


def test_rps_variants():
    standard = gt.analyze(gt.Game.symmetric(["R", "P", "S"], STANDARD_RPS))
    (c,) = [e for e in standard if e.location == "interior"]
    assert not c.is_ess and c.kind is gt.StabilityKind.NON_HYPERBOLIC and c.is_nash
    bad = gt.analyze(gt.Game.symmetric(["R", "P", "S"], BAD_RPS))
    (c,) = [e for e in bad if e.location == "interior"]
    assert not c.is_ess and c.kind is gt.StabilityKind.SOURCE and c.is_nash
    assert all(e.kind is gt.StabilityKind.SADDLE for e in bad if e.is_vertex)


@pytest.mark.parametrize(("V", "C"), [(2, 3), (1, 5), (4, 3)])
def test_hawk_dove(V, C):
    game = gt.Game.symmetric(["H", "D"], [["(V - C)/2", "V"], [0, "V/2"]], parameters={"V": V, "C": C})
    report = gt.analyze(game)
    (ess,) = report.ess
    if V < C:  # the mixed ESS at hawk share V/C
        assert ess.exact == (sympy.Rational(V, C),)
        # 1-D field x(1-x)(V - Cx)/2: derivative at V/C is -C x(1-x)/2
        x = V / C
        np.testing.assert_allclose(ess.eigenvalues.real, [-C * x * (1 - x) / 2], rtol=1e-12)
    else:  # hawks strictly best against hawks
        assert ess.profile == ("H",)


def test_coordination_game_has_two_pure_ess_and_an_unstable_mixed_point():
    report = gt.analyze(gt.Game.symmetric(["A", "B"], [[2, 0], [0, 1]]))
    assert sorted(e.profile for e in report.ess) == [("A",), ("B",)]
    (mixed,) = [e for e in report if not e.is_vertex]
    assert mixed.exact == (sympy.Rational(1, 3),) and mixed.kind is gt.StabilityKind.SOURCE


def test_ess_verdicts_agree_with_an_independent_test_on_random_games():
    """Generic 3x3 and 4x4 games: ESS iff Nash, strict off the support, and the payoff matrix is negative
    definite on the support's tangent space, decided here with numpy eigenvalues of the projected form."""
    rng = np.random.default_rng(11)
    checked = ess_found = 0
    for trial in range(24):
        k = 3 + trial % 2
        A = rng.integers(-6, 7, size=(k, k))
        report = gt.analyze(gt.Game.symmetric([f"s{i}" for i in range(k)], A.tolist()))
        for e in report:
            x = np.append(e.point, 1 - e.point.sum())
            S = [i for i in range(k) if x[i] > 1e-12]
            f = A @ x
            off = [i for i in range(k) if i not in S]
            margin = max((f[i] - f[S[0]] for i in off), default=-1.0)
            if abs(margin) < 1e-9:
                continue  # a tie off the support: not generic
            basis = np.array([np.eye(k)[i] - np.eye(k)[S[-1]] for i in S[:-1]]).reshape(-1, k)
            form = basis @ ((A + A.T) / 2) @ basis.T
            eig = np.linalg.eigvalsh(form) if len(S) > 1 else np.array([-1.0])
            if np.min(np.abs(eig)) < 1e-9:
                continue
            expected = margin < 0 and np.all(eig < 0)
            assert e.is_ess == expected, (A, e)
            checked += 1
            ess_found += expected
    assert checked > 60 and ess_found > 5


def test_group_game_with_irrational_rest_points():
    """Threshold public good in groups of 3 (provided when 2 cooperate): f_C - f_D = 2 b x (1 - x) - c.

    Rest points x = (1 +- sqrt(1 - 2c/b))/2; the upper one is an ESS (the advantage falls through zero),
    the lower one a repeller; the replicator eigenvalue there is x(1-x) * d/dx[2bx(1-x) - c]."""
    b, c = 4, 1
    game = gt.Game.symmetric(
        ["C", "D"],
        {"C": "b*n_C*(3 - n_C)/2 - c", "D": "b*n_C*(n_C - 1)/2"},
        players=3,
        parameters={"b": b, "c": c},
    )
    (delta,) = game.replicator().payoff_differences
    x = sympy.Symbol("x")
    assert sympy.expand(delta - (2 * sympy.Symbol("b") * x * (1 - x) - sympy.Symbol("c"))) == 0
    report = gt.analyze(game)
    assert report.complete
    root = (1 + math.sqrt(1 - 2 * c / b)) / 2
    low = 1 - root
    (ess,) = [e for e in report.ess if not e.is_vertex]
    assert sympy.simplify(ess.exact[0] - (1 + sympy.sqrt(2) / 2) / 2) == 0
    for point, is_ess in ((root, True), (low, False)):
        (e,) = [e for e in report if abs(e.point[0] - point) < 1e-12]
        slope = point * (1 - point) * 2 * b * (1 - 2 * point)
        np.testing.assert_allclose(e.eigenvalues.real, [slope], rtol=1e-12)
        assert e.is_ess is is_ess
    assert {e.profile for e in report if e.is_vertex} == {("C",), ("D",)}
    (d_vertex,) = [e for e in report if e.profile == ("D",)]
    assert d_vertex.is_ess  # against all defectors, cooperating loses c: a strict equilibrium
    (c_vertex,) = [e for e in report if e.profile == ("C",)]
    assert not c_vertex.is_nash  # among cooperators, a defector saves c and still gets the good


def test_report_tables_of_one_population_mark_the_mixed_ess():
    table = gt.analyze(gt.Game.symmetric(["R", "P", "S"], GOOD_RPS)).to_markdown()
    assert "never an ESS" not in table
    (row,) = [line for line in table.splitlines() if "(1/3, 1/3)" in line]
    assert "ESS (sink)" in row and "Maynard Smith" in row


def test_cli_analyzes_a_one_population_model_file(tmp_path, capsys):
    from gametheory.cli import main

    path = tmp_path / "rps.toml"
    path.write_text(gt.Game.symmetric(["R", "P", "S"], GOOD_RPS, name="good RPS").to_toml())
    main(["analyze", str(path)])
    out = capsys.readouterr().out
    assert "Verdict: unique ESS (0.3333, 0.3333)" in out


def test_float_and_irrational_payoffs_are_analysed():
    """Floats are read as their shortest decimal (0.5 -> 1/2); irrational constants are rounded to 40 digits."""
    floats = gt.analyze(gt.Game.symmetric(["H", "D"], np.array([[-0.5, 2.0], [0.0, 1.0]])))
    (ess,) = floats.ess
    # f_H - f_D = -0.5 x + 2 (1 - x) - (1 - x) = 1 - 1.5 x: zero at x = 2/3
    assert ess.exact == (sympy.Rational(2, 3),) and ess.precision == "exact"
    irrational = gt.analyze(gt.Game.symmetric(["H", "D"], [["-exp(-1)", 2], [0, 1]]))
    (ess,) = irrational.ess
    # f_H - f_D = -e^{-1} x + (1 - x): zero at 1 / (1 + e^{-1})
    assert abs(ess.point[0] - 1 / (1 + math.exp(-1))) < 1e-15 and ess.precision == "rounded"
    assert "rounded to 40 significant digits" in irrational.summary()
