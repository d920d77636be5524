"""The flagship's dynamic-accountability variant (issue 11, item 6a): F_g (1 - x) in place of F_g."""

from __future__ import annotations

import numpy as np
import sympy

import gametheory as gt
from gametheory.models import crisis_governance as cg


def test_variant_is_the_static_model_with_the_penalty_scaled_by_one_minus_x():
    static, dynamic = cg.game().replicator(), cg.dynamic_accountability_game().replicator()
    x = static.states[0]
    F = sympy.Symbol("F_g")
    for ours, theirs in zip(static.equations, dynamic.equations):
        assert sympy.expand(ours.xreplace({F: F * (1 - x)}) - theirs) == 0


def test_full_cooperation_is_no_longer_stable_under_optimized():
    # at x = 1 the dynamic penalty vanishes: the government's eigenvalue at (1, 1, 1) is
    # -(U_G(C) - U_G(B)) at n = c = 1 without the penalty (computed here from the templates)
    p = dict(cg.OPTIMIZED)
    u_c = gt.parse_expression(cg._U_G_C).subs({"n": 1, "c": 1, **p})
    u_b = gt.parse_expression(cg._U_G_B).subs({"n": 1, "c": 1, **p, "F_g": 0})
    expected = -float(u_c - u_b)
    dyn = cg.dynamic_accountability_game().replicator()
    eig = np.linalg.eigvals(dyn.jacobian_at([1.0, 1.0, 1.0], p))
    assert expected > 0 and np.isclose(eig.real, expected, atol=1e-12).any()
    # whereas the static penalty keeps it a sink
    static = np.linalg.eigvals(cg.game().replicator().jacobian_at([1.0, 1.0, 1.0], p))
    assert (static.real < 0).all()


def test_optimized_face_centre_becomes_a_stable_focus():
    # the static model's centre on the face z = 0 (non-hyperbolic) turns into a sink with complex
    # eigenvalues under the dynamic penalty: found by analyze, checked by the field and eigenvalues
    # a second sink, (0.4, 1, 1), is found from 256 starts (64 miss it): tests/test_figures_variants.py
    report = gt.analyze(cg.dynamic_accountability_game(), dict(cg.OPTIMIZED), n_starts=256)
    sinks = [e for e in report.equilibria if e.kind is gt.StabilityKind.SINK]
    assert len(sinks) == 2
    (sink,) = [e for e in sinks if e.point[2] == 0.0]
    dyn = cg.dynamic_accountability_game().replicator()
    assert sink.point[2] == 0.0 and abs(sink.point[0] - 0.4) < 1e-9
    assert np.abs(dyn.vector_field(sink.point, dict(cg.OPTIMIZED))).max() < 1e-10
    assert (sink.eigenvalues.real < 0).all() and (np.abs(sink.eigenvalues.imag) > 0.1).any()
