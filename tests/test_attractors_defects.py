"""Regression tests for attractors defects (issue 9), and the shared end-state certification.

- Two uncoupled copies of matching pennies (4 populations): starts with equal states in both copies
  switch corners in two populations at the same instants, so visits of zero duration occur; the
  dwell-time growth test divided by them (ZeroDivisionError) and aborted the whole call.
- A failure while following one start must be reported for that start only.
- ``certify_final_states``: a heteroclinic cycle's corner is never certified however close the end
  state is; the flagship OPTIMIZED parameters certify (C, E, A) = (1, 1, 1).
"""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest

import gametheory as gt
from gametheory.analysis.attractors import AttractorKind, attractors
from gametheory.analysis.certify import EndStateCertificate, certify_final_states
from gametheory.models import classic, crisis_governance

attr = importlib.import_module("gametheory.analysis.attractors")


@pytest.fixture(scope="module")
def two_pennies():
    """Populations 1-2 play matching pennies, 3-4 likewise, independently: interior orbits are closed."""
    pops = {"P1": ["H", "T"], "P2": ["H", "T"], "P3": ["H", "T"], "P4": ["H", "T"]}
    payoffs = {}
    for prof in itertools.product("HT", repeat=4):
        m12 = 1 if prof[0] == prof[1] else -1
        m34 = 1 if prof[2] == prof[3] else -1
        payoffs[prof] = (m12, -m12, m34, -m34)
    return gt.Game.from_table(pops, payoffs, name="two matching pennies")


def test_simultaneous_switches_do_not_divide_by_a_zero_dwell_time(two_pennies):
    # equal states in both copies: both copies switch at the same instants (zero-length visits);
    # the old code raised ZeroDivisionError in _periodic_tail and the whole call failed
    rep = attractors(two_pennies, starts=[[0.3, 0.6, 0.3, 0.6], [0.2, 0.5, 0.2, 0.5], [0.3, 0.6, 0.7, 0.4]])
    assert AttractorKind.FAILED not in rep.kinds
    for o in rep.outcomes:
        assert o.kind is AttractorKind.NEUTRAL_CYCLE, o.evidence
        np.testing.assert_allclose(o.point, [0.5] * 4, atol=1e-9)


def test_periodic_tail_rejects_zero_dwell_times():
    seq = [(0, 0), (0, 1), (1, 1), (1, 0)] * 2
    dwell = [1.0, 0.0, 1.0, 0.0, 2.0, 0.0, 2.0, 0.0]
    why = attr._Follow._periodic_tail(None, seq, dwell, [-1.0] * 8, 2, 4)
    assert "zero duration" in why


def test_one_failing_start_is_reported_and_the_others_are_analysed(monkeypatch):
    game = crisis_governance.game()

    class Flaky(attr._Follow):
        def run(self):
            if self.index == 1:
                raise ZeroDivisionError("float division by zero")
            return super().run()

    monkeypatch.setattr(attr, "_Follow", Flaky)
    starts = [[0.2, 0.3, 0.4], [0.5, 0.5, 0.5], [0.6, 0.1, 0.2]]
    rep = attractors(game, crisis_governance.STATUS_QUO, starts=starts)
    assert rep.kinds == (AttractorKind.REST_POINT, AttractorKind.FAILED, AttractorKind.REST_POINT)
    failed = rep.outcomes[1]
    assert failed.label == "failed" and not failed.certified
    assert "ZeroDivisionError: float division by zero" in failed.evidence
    np.testing.assert_array_equal(failed.start, starts[1])
    assert rep.share("failed") == pytest.approx(1 / 3)
    assert rep.labels[0] == rep.labels[2] == "rest point (B, P, I) = (0, 0, 0)"


# --------------------------------------------------------------------------- certification
def test_heteroclinic_cycle_corner_is_never_certified():
    """Jordan's matching pennies: trajectories pass ever closer to saddle corners (no strict equilibrium)."""
    game = classic.matching_pennies_3()
    dyn = game.replicator()
    starts = np.array([[0.6, 0.5, 0.4], [0.3, 0.2, 0.7], [0.55, 0.45, 0.52]])
    ens = dyn.simulate_many(starts, (0.0, 200.0))
    finals = np.asarray(ens.final)
    # the end states are very close to corners: a "final state" label would name a vertex
    closest = np.max(np.minimum(finals, 1 - finals), axis=1)
    assert (closest < 1e-3).all()
    cert = certify_final_states(game, finals, starts=starts, t=200.0)
    assert not cert.certified.any() and (cert.vertex == -1).all()
    for label, k in zip(cert.labels, cert.nearest):
        assert label == f"near {','.join(cert.profiles[k])} at t = 200, not certified"
    # even exactly next to a corner
    corner = certify_final_states(game, [[1e-15, 1e-15, 1e-15], [1 - 1e-15] * 3])
    assert not corner.certified.any()


def test_flagship_optimized_certifies_CEA():
    game = crisis_governance.game()
    q = crisis_governance.OPTIMIZED
    dyn = game.replicator()
    starts = np.array([[0.1, 0.1, 0.1], [0.5, 0.2, 0.8], [0.9, 0.9, 0.05], [0.3, 0.7, 0.4]])
    ens = dyn.simulate_many(starts, (0.0, 200.0), q)
    cert = certify_final_states(game, ens.final, q, starts=starts, t=200.0)
    assert cert.labels == ("C,E,A",) * 4
    assert cert.certified.all()
    cea = [k for k, prof in enumerate(cert.profiles) if prof == ("C", "E", "A")]
    assert (cert.vertex == cea[0]).all()
    # the same certificate as attractors: both certify the same starts
    rep = attractors(game, q, starts=starts)
    assert all(o.certified and o.profile == ("C", "E", "A") for o in rep.outcomes)


def test_certificate_far_from_vertices_failed_rows_and_faces():
    game = crisis_governance.game()
    q = crisis_governance.STATUS_QUO
    cert = certify_final_states(game, [[0.5, 0.5, 0.5], [np.nan, 0.0, 0.0], [1e-12, 1e-12, 1e-12]], q, t=7)
    assert cert.labels == ("not certified at t = 7", "failed", "B,P,I")
    assert cert.certified.tolist() == [False, False, True]
    assert cert.nearest[1] == -1 and np.isnan(cert.distance[1])
    with pytest.raises(ValueError):
        cert.certified[0] = True
    assert isinstance(cert, EndStateCertificate)
    assert "3 end state(s) at t = 7: 1 certified" in cert.summary()
    frame = cert.to_frame()
    assert list(frame["label"]) == list(cert.labels)
    assert "| B,P,I | 1 |" in cert._repr_markdown_() and "<table>" in cert._repr_html_()


def test_certificate_on_a_face_needs_the_starts():
    """Delta_x = 1 - 2y, Delta_y = -1 + 2x (z absent) plus a third population whose first strategy
    strictly dominates: on the face z = 0 the vertex (B, D, F) can be a face sink without being a
    strict Nash equilibrium of the whole game."""
    game = gt.Game.from_table(
        {"P1": ["A", "B"], "P2": ["C", "D"], "P3": ["E", "F"]},
        {p: ("1" if p[0] == "B" else "0", "1" if p[1] == "D" else "0", "1" if p[2] == "E" else "0")
         for p in itertools.product("AB", "CD", "EF")},
    )  # fmt: skip
    final = [[1e-12, 1e-12, 0.0]]  # at (B, D, F): z = 0 is on the face of the start
    whole = certify_final_states(game, final)
    face = certify_final_states(game, final, starts=[[0.5, 0.5, 0.0]])
    assert not whole.certified[0]  # E invades (B, D, F) in the whole game
    assert face.labels == ("B,D,F",)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "words"),
    [
        (([[0.5, 0.5]],), {}, gt.StateError, "finals must have shape"),
        (([[0.5, 0.5, 0.5]],), {"starts": [[0.5, 0.5, 0.5]] * 2}, gt.StateError, "one start per end state"),
        (([[0.5, 0.5, 0.5]], {"F_g": [1.0, 2.0]}), {}, gt.ParameterError, "scalar parameter values"),
        (([[0.5, 0.5, 0.5]],), {"near": -1.0}, gt.AnalysisError, "near must be"),
    ],
)
def test_certify_bad_input(args, kwargs, error, words):
    game = crisis_governance.game()
    if len(args) == 1:
        args = (*args, crisis_governance.STATUS_QUO)
    else:
        args = (args[0], {**crisis_governance.STATUS_QUO, **args[1]})
    with pytest.raises(error, match=words):
        certify_final_states(game, *args, **kwargs)


# --------------------------------------------------------------------------- result protocol, facts
@pytest.fixture(scope="module")
def small_report():
    game = gt.Game.from_table(
        {"row": ["C", "D"], "col": ["C", "D"]},
        {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
        name="prisoner's dilemma",
    )
    return attractors(game, starts=[[0.9, 0.8], [0.2, 0.5], [0.5, 0.5]])


def test_report_protocol(small_report, monkeypatch):
    rep = small_report
    assert rep.t_span[0] == 0.0 and rep.t_span[1] > 0
    frame = rep.to_frame()
    assert list(frame["index"]) == [0, 1, 2] and list(frame["label"]) == list(rep.labels)
    np.testing.assert_array_equal(frame[["x0_x", "x0_y"]].to_numpy(), rep.starts)
    np.testing.assert_array_equal(frame[["final_x", "final_y"]].to_numpy(), [o.final for o in rep.outcomes])
    per = rep.to_frame("attractor")
    assert list(per["count"]) == [a.count for a in rep.attractors]
    with pytest.raises(gt.AnalysisError, match="'start' or 'attractor'"):
        rep.to_frame("cell")
    assert rep._repr_markdown_() == rep.to_markdown()
    assert "<table>" in rep._repr_html_() and "rest point (D, D)" in rep._repr_html_()
    o = rep.outcomes[0]
    assert o.summary().startswith("start 0: rest point (D, D) = (0, 0) (certified)\n  evidence: entered")
    assert "**start 0**" in o._repr_markdown_() and "<b>start 0</b>" in o._repr_html_()
    a = rep.attractors[0]
    assert a.summary().startswith("100.0% (3) rest point (D, D)") and a._repr_html_().startswith("<p>")
    # plot() forwards to gametheory.plot.attractors (lazily), passing the report itself
    import gametheory.plot as gplot

    seen = []
    monkeypatch.setattr(
        gplot, "attractors", lambda report, ax=None: seen.append((report, ax)) or "drawn", raising=False
    )
    assert rep.plot(ax="AX") == "drawn" and seen == [(rep, "AX")]


def test_dynamics_without_the_theorems_takes_the_general_path():
    from gametheory.dynamics.base import TheoryFacts
    from gametheory.dynamics.replicator import ReplicatorDynamics

    class NoFacts(ReplicatorDynamics):
        facts = TheoryFacts()

    dyn = NoFacts(crisis_governance.game())
    # no replicator theorems: the general path (Lyapunov ellipsoids at the sinks analyze finds)
    rep = attractors(dyn, crisis_governance.STATUS_QUO, starts=[[0.2, 0.3, 0.4]])
    ref = attractors(crisis_governance.game(), crisis_governance.STATUS_QUO, starts=[[0.2, 0.3, 0.4]])
    assert rep.outcomes[0].certified and "ellipsoid" in rep.outcomes[0].evidence
    np.testing.assert_allclose(rep.outcomes[0].point, ref.outcomes[0].point, atol=1e-9)
    with pytest.raises(gt.AnalysisError, match="certify_final_states relies on"):
        certify_final_states(dyn, [[0.5, 0.5, 0.5]], crisis_governance.STATUS_QUO)


def test_t_span_must_start_at_zero():
    with pytest.raises(gt.IntegrationError, match="t_span must start at 0"):
        attractors(crisis_governance.game(), crisis_governance.STATUS_QUO, n=1, t_span=(5.0, 100.0))


def test_raise_on_failure_names_the_start(monkeypatch):
    class Broken(attr._Follow):
        def run(self):
            raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(attr, "_Follow", Broken)
    with pytest.raises(gt.AnalysisError, match=r"start 0 \(0.5, 0.5, 0.5\): .*ZeroDivisionError"):
        attractors(
            crisis_governance.game(),
            crisis_governance.STATUS_QUO,
            starts=[[0.5, 0.5, 0.5]],
            raise_on_failure=True,
        )
