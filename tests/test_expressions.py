"""Safe parsing of payoff expressions."""

from __future__ import annotations

import pytest
import sympy

import gametheory as gt
from gametheory import ParseError
from gametheory.expressions import MAX_LENGTH, parameter_symbol, parse_expression


def sym(name: str) -> sympy.Symbol:
    return parameter_symbol(name)


@pytest.mark.parametrize(
    "name", ["S", "E", "I", "N", "O", "Q", "beta", "gamma", "zeta", "lambda", "pi", "eta"]
)
def test_every_identifier_is_a_plain_parameter(name):
    expr = parse_expression(f"2*{name} + 1")
    assert expr == 2 * sym(name) + 1
    assert expr.free_symbols == {sym(name)}


def test_caret_is_power_with_power_precedence():
    assert parse_expression("N^2 + 1") == sym("N") ** 2 + 1
    assert parse_expression("a^b^2") == sym("a") ** (sym("b") ** 2)


def test_decimals_are_exact_rationals():
    assert parse_expression("0.1*a") == sympy.Rational(1, 10) * sym("a")
    assert parse_expression(0.25) == sympy.Rational(1, 4)


def test_whitelisted_functions():
    a, b = sym("a"), sym("b")
    assert parse_expression("exp(a) + log(b) + sqrt(a) + Min(a, b) + Max(a, b) + Abs(a)") == (
        sympy.exp(a) + sympy.log(b) + sympy.sqrt(a) + sympy.Min(a, b) + sympy.Max(a, b) + sympy.Abs(a)
    )


def test_sympy_input_gets_canonical_symbols():
    plain = sympy.Symbol("a")  # no assumptions
    assert parse_expression(2 * plain) == 2 * sym("a")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os').system('echo hi')", "not allowed"),
        ("a.b", "attribute access"),
        ("lambda x: x", "cannot parse"),
        ("f(a)", "calling 'f'"),
        ("exp(a, b)", "takes 1"),
        ("exp(x=a)", "keyword"),
        ("(lambda: 1)()", "cannot parse"),
        ("[a for a in b]", "cannot parse"),
        ("a[0]", "subscripting"),
        ("'text'", "literal"),
        ("True + a", "literal"),
        ("a == b", "not allowed"),
        ("_private + 1", "may not start"),
        ("__class__", "may not start"),
        ("10**10**10", "exponent"),
        ("1/0", "division by zero"),
        ("", "empty"),
        ("a +", "cannot parse"),
        ("1e999", "not finite"),
        ("a if b else c", "cannot parse"),
        ("a; b", "cannot parse"),
        ("*a", "cannot parse"),
    ],
)
def test_rejected_expressions(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        parse_expression(text, where="test")


def test_length_and_depth_limits():
    with pytest.raises(ParseError, match="longer than the limit"):
        parse_expression("a+" * (MAX_LENGTH // 2) + "a")
    with pytest.raises(ParseError, match="nested deeper"):
        parse_expression("-" * 200 + "a")
    # redundant parentheses do not count as depth
    assert parse_expression("(" * 50 + "a" + ")" * 50) == sym("a")


def test_injection_runs_nothing(tmp_path):
    sentinel = tmp_path / "pwned"
    attempts = [
        f"__import__('os').system('touch {sentinel}')",
        f"open('{sentinel}', 'w')",
        f"exec(\"open('{sentinel}','w')\")",
        "().__class__.__bases__[0].__subclasses__()",
    ]
    for text in attempts:
        with pytest.raises(ParseError):
            parse_expression(text)
    assert not sentinel.exists()


def test_error_names_the_location():
    with pytest.raises(ParseError, match="payoff of 'ngo'"):
        parse_expression("a.b", where="the payoff of 'ngo' at ('C', 'E', 'A')")


def test_text_copied_from_a_pdf():
    """Unicode minus, dashes, times and middle dots, and Greek identifiers, as they come out of PDFs."""
    assert parse_expression("R_g \u2212 C_g \u00d7 \u03b1 \u2013 2\u00b7\u03b2") == (
        sym("R_g") - sym("C_g") * sym("alpha") - 2 * sym("beta")  # Greek letters are their ASCII names
    )


# ------------------------------------------------- Greek, subscripts, implicit products (issue 9)
def test_greek_letters_are_their_ascii_names():
    """Regression: 'α' and 'alpha' were two parameters, and the LaTeX of 'α' broke pdflatex."""
    assert parse_expression("α + alpha") == 2 * parameter_symbol("alpha")
    assert parse_expression("λ - lambda") == 0  # λ is the parameter that typing 'lambda' gives
    assert parse_expression("Δ_g*θ1") == parameter_symbol("Delta_g") * parameter_symbol("theta1")
    assert parse_expression("µ - μ + ϵ") == parameter_symbol("epsilon")  # micro sign, letter variants
    assert parse_expression(sympy.Symbol("β", real=True)) == parameter_symbol("beta")
    pops = {"r": ["a", "b"], "c": ["a", "b"]}
    game = gt.Game.from_table(
        pops,
        {(s, t): ("α*R - C" if s == "a" else 0, "alpha") for s in "ab" for t in "ab"},
        {"R": 1, "C": 0, "α": 0.5},
    )
    assert game.parameter_names == ("R", "C", "alpha")
    assert game.replicator().parameter_vector({"α": 0.25}).tolist() == [1.0, 0.0, 0.25]
    latex = game.replicator().to_latex()
    assert latex.isascii() and "\\alpha" in latex


@pytest.mark.parametrize(
    "text, hint",
    [
        ("C₁ + 1", "write C_1"),
        ("R_g - C₁₂", "write C_12"),
        ("x² + 1", r"write powers with \*\* or \^"),
        ("2a + 1", r"write 2\*a"),
        ("2 a", r"write 2\*a"),
        ("a b - c", r"write a\*b"),
        ("1.5 F_g", r"write 1.5\*F_g"),
        ("2(a + b)", r"to multiply, write 2\*\(...\)"),
        ("αβ", r"write alpha\*beta for a product or alpha_beta"),
    ],
)
def test_typography_gets_a_hint(text, hint):
    """Regression: PDF subscripts and implicit multiplication got a bare tokenizer message."""
    with pytest.raises(ParseError, match=hint):
        parse_expression(text, where="the payoff of 'row' at ('C', 'D')")
