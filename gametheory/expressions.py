"""Safe parsing of payoff expressions.

Payoff strings come from papers, colleagues' model files and the internet.
``sympy.sympify`` and ``sympy.parse_expr`` call Python's ``eval`` and would run
whatever such a string contains, so we never hand them user text.  Instead the
string is parsed by :func:`ast.parse` into a syntax tree, every node of which is
checked against a small grammar and translated to sympy by hand::

    expr   := number | name | expr (+ - * / ** ^) expr | (+|-) expr | func(expr, ...)
    func   := exp | log | sqrt | Min | Max | Abs      (min, max, abs are aliases)

Greek letters become their ASCII names (:data:`GREEK`: ``α`` is ``alpha``,
``λ`` is ``lambda``, ``Δ`` is ``Delta``), so ``α`` and ``alpha`` are one
parameter.  Sub- and superscript characters (``C₁``, ``x²``) and implicit
multiplication (``2a``, ``2 a``, ``a b``, ``2(a + b)``) are refused with a hint
(``write C_1``, ``write 2*a``).
Characters that PDFs use for arithmetic are accepted as their ASCII meaning:
the minus sign and dashes (``\u2212``, ``\u2013``, ``\u2014``) as ``-``,
``\u00d7``, ``\u00b7``, ``\u22c5`` as ``*``, ``\u00f7`` as ``/``.

Every identifier is a plain parameter symbol (no assumptions, see
:func:`parameter_symbol`), even where sympy would give
the name a meaning (``S``, ``E``, ``I``, ``N``, ``O``, ``Q``, ``beta``,
``gamma``, ``zeta``, ``pi``, ``lambda``...).  ``^`` means power, as in papers.
Decimal literals become exact rationals (``0.1`` is ``1/10``), so symbolic
stability conditions are exact.

Numbers may also be given as numbers rather than strings: Python ``int`` and
``float`` and numpy scalars or 0-d arrays of integer or floating type.  A numpy
integer becomes the Python ``int`` of the same value; a numpy floating scalar
(``float16``, ``float32``, ``float64``) becomes the Python ``float`` of the same
value, which is exact for every such type, and is then read like a Python float:
as the exact rational of its shortest decimal representation.  So
``np.float64(0.1)`` is ``1/10``, but ``np.float32(0.1)`` is
``0.10000000149011612`` (the float32 nearest to 0.1), not ``1/10``; pass
decimal strings or Python floats when decimal values are meant.  Booleans,
complex numbers and arrays with more than one element are rejected.

Rejected with :class:`~gametheory.errors.ParseError`, before anything is
evaluated: attribute access, subscripts, lambdas, comprehensions, strings,
calls of anything but the whitelist, keyword arguments, names that start with
an underscore, expressions longer than :data:`MAX_LENGTH` characters or nested
deeper than :data:`MAX_DEPTH`, and numeric exponents larger than
:data:`MAX_EXPONENT` in absolute value (``10**10**10`` would otherwise hang).
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
import unicodedata
from collections.abc import Mapping

import numpy as np
import sympy

from .errors import ParseError, keywords_checked

__all__ = [
    "FUNCTIONS",
    "GREEK",
    "MAX_LENGTH",
    "as_python_number",
    "ascii_name",
    "expanded_terms",
    "parameter_symbol",
    "parse_expression",
]

from .limits import MAX_CONSTANT_DIGITS, MAX_DEPTH, MAX_EXPANDED_TERMS, MAX_EXPONENT, MAX_LENGTH  # noqa: E402  (resource limits live in one place)

#: The functions a payoff expression may call.
FUNCTIONS: Mapping[str, object] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "Min": sympy.Min,
    "Max": sympy.Max,
    "Abs": sympy.Abs,
    "min": sympy.Min,
    "max": sympy.Max,
    "abs": sympy.Abs,
}
_ARITY = {"exp": (1, 1), "log": (1, 2), "ln": (1, 1), "sqrt": (1, 1), "Abs": (1, 1), "abs": (1, 1)}

#: Characters that text copied from a PDF uses for arithmetic, mapped to ASCII.
_PDF_CHARACTERS = str.maketrans(
    {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
     "\u2219": "*", "\u00f7": "/", "\u2044": "/", "\u00a0": " "}
)  # fmt: skip
#: Greek letters, mapped to their ASCII names so that ``α`` and ``alpha`` are one parameter
#: (and LaTeX output stays ASCII).  ``λ`` becomes ``lambda``, the parameter that typing
#: ``lambda`` gives (a Python keyword, renamed internally like every keyword used as a name).
#: Capitals get capitalised names (``Δ`` -> ``Delta``); letter variants map to the letter
#: (``ϵ`` -> ``epsilon``, ``ϑ`` -> ``theta``, ``ς`` -> ``sigma``, the micro sign ``µ`` -> ``mu``).
GREEK: Mapping[str, str] = {
    **dict(zip("αβγδεζηθικλμνξοπρστυφχψω", (
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
        "tau upsilon phi chi psi omega").split())),
    **dict(zip("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", (
        "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma "
        "Tau Upsilon Phi Chi Psi Omega").split())),
    "ϵ": "epsilon", "ϑ": "theta", "ς": "sigma", "ϕ": "phi", "ϱ": "rho", "ϖ": "pi", "ϰ": "kappa",
    "µ": "mu",
}  # fmt: skip
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₔₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱ⁺⁻"
_CONSTANTS = ("True", "False", "None")  # keywords that stay literals (and are then rejected)
_DECIMAL = re.compile(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?|\.[0-9][0-9_]*([eE][+-]?[0-9]+)?")
_KEYWORD_PREFIX = "kw__"  # Python keywords used as names (``lambda``) are renamed to this + name


def parameter_symbol(name: str) -> sympy.Symbol:
    """The canonical symbol of a parameter: a plain sympy ``Symbol`` named ``name``.

    It carries no assumptions, so a user's ``sympy.Symbol(name)`` *is* the
    parameter, and ``expr.subs({"name": value})`` substitutes it.  (Dropping the
    former ``real=True`` changed no result: the flagship tables and figures are
    byte-identical.)

    Examples
    --------
    >>> parameter_symbol("F_g") == sympy.Symbol("F_g")
    True
    """
    return sympy.Symbol(name)


@keywords_checked
def parse_expression(text: object, *, where: str = "") -> sympy.Expr:
    """Parse one payoff expression safely into a sympy expression.

    Parameters
    ----------
    text
        A string such as ``"R_g - C_g + lam*(V_n)"``, a number, or a sympy
        expression (whose symbols are made canonical, see :func:`parameter_symbol`).
    where
        Where the expression comes from (e.g. ``"payoff of 'ngo' at ('C','E','A')"``),
        used in error messages.

    Returns
    -------
    sympy.Expr
        The expression with every identifier a plain :class:`sympy.Symbol`.

    Raises
    ------
    ParseError
        If the text is not an arithmetic expression of the accepted grammar.

    Examples
    --------
    >>> parse_expression("R_g - C_g + lam*V_n^2")
    -C_g + R_g + V_n**2*lam
    >>> parse_expression("0.1*α − β")  # exact decimals, Greek names, a PDF minus sign
    alpha/10 - beta
    >>> parse_expression("__import__('os')")
    Traceback (most recent call last):
    ...
    gametheory.errors.ParseError: calling '__import__' (allowed functions: Abs, Max, Min, exp, log, sqrt) is not allowed in a payoff expression: "__import__('os')"
    """
    context = f" in {where}" if where else ""
    text = as_python_number(text)
    if isinstance(text, bool):
        raise ParseError(f"a payoff must be a number or an expression, got {text!r}{context}")
    if isinstance(text, (int, float)):
        return _number(text, context)
    if isinstance(text, sympy.Basic):
        return _check_size(_canonical(text, context), context)
    if not isinstance(text, str):
        raise ParseError(
            f"a payoff must be a string, a number or a sympy expression, got {type(text).__name__}{context}"
        )
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"expression of {len(text):,} characters is longer than the limit of {MAX_LENGTH:,}{context}"
        )
    if not text.strip():
        raise ParseError(f"empty expression{context}")
    clean = text.translate(_PDF_CHARACTERS)
    _refuse_typography(text, clean, context)
    reserved = re.search(rf"(?<![A-Za-z0-9_]){_KEYWORD_PREFIX}", clean)
    if reserved:
        raise ParseError(
            f"names starting with {_KEYWORD_PREFIX!r} are reserved for internal use{context}: {_short(text)!r}"
        )
    source = _rename_tokens(clean, text, context).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ParseError(f"cannot parse {_short(text)!r}{context}: {exc}{_hint(clean)}") from None
    expr = _Translator(text, context, source).visit(tree.body, 0)
    if expr.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ParseError(f"{_short(text)!r}{context} is not a finite real number (it evaluates to {expr})")
    return _check_size(expr, context)


def expanded_terms(expr: sympy.Basic) -> int:
    """An upper bound on the number of terms of ``expr`` once multiplied out.

    Sums add their terms' counts, products multiply them, and a power
    :math:`(t_1 + \\dots + t_n)^k` with a positive or negative integer exponent
    counts :math:`\\binom{n + |k| - 1}{|k|}`, the number of monomials of degree
    :math:`|k|` in :math:`n` terms.  A function call or a non-integer power counts
    as one term (its arguments are bounded separately by :func:`parse_expression`).
    Nothing is expanded, so the bound costs time linear in the size of ``expr``.

    Examples
    --------
    >>> expanded_terms(parse_expression("(a + b)**2 * (c + d)"))
    6
    >>> expanded_terms(sympy.sympify("(a + b + c + d)**256", evaluate=False))
    2862209
    """
    if expr.is_Add:
        return sum(expanded_terms(a) for a in expr.args)
    if expr.is_Mul:
        return math.prod(expanded_terms(a) for a in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        n, k = expanded_terms(expr.base), abs(int(expr.exp))
        return 1 if n == 1 else math.comb(n + k - 1, k)
    return 1


def _check_size(expr: sympy.Expr, context: str) -> sympy.Expr:
    """Refuse an expression that would multiply out to more than :data:`MAX_EXPANDED_TERMS` terms.

    The whole expression is bounded by :func:`expanded_terms`, and so is each argument of a
    function call or of a power with a non-integer exponent (which that bound counts as one term).
    """
    parts = [expr]
    parts += [
        arg
        for sub in sympy.preorder_traversal(expr)
        if isinstance(sub, sympy.Function) or (sub.is_Pow and not sub.exp.is_Integer)
        for arg in sub.args
    ]
    for part in parts:
        n = expanded_terms(part)
        if n > MAX_EXPANDED_TERMS:
            raise ParseError(
                f"{_short(str(part))!r}{context} would multiply out to about {n:,} terms, more than "
                f"the limit of {MAX_EXPANDED_TERMS:,}; use a smaller exponent or fewer terms"
            )
    return expr


def as_python_number(value: object) -> object:
    """A numpy integer or floating scalar (or 0-d array) as the Python number of the same value.

    Anything else is returned unchanged (numpy booleans become Python ``bool``,
    which payoffs reject).  The conversion is exact: every numpy integer fits a
    Python ``int`` and every float16/float32/float64 value is a Python ``float``.

    Examples
    --------
    >>> import numpy as np
    >>> as_python_number(np.int64(3)), as_python_number(np.float32(0.5)), as_python_number(np.array(2.0))
    (3, 0.5, 2.0)
    >>> as_python_number("a + 1")
    'a + 1'
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _refuse_typography(text: str, clean: str, context: str) -> None:
    """Sub- and superscript characters (from PDFs) get a hint instead of a tokenizer message."""
    for i, ch in enumerate(clean):
        if ch in _SUBSCRIPTS:
            j = i
            while j < len(clean) and clean[j] in _SUBSCRIPTS:
                j += 1
            sub = unicodedata.normalize("NFKC", clean[i:j])
            raise ParseError(
                f"cannot parse {_short(text)!r}{context}: subscript characters {clean[i:j]!r} are not "
                f"allowed; write {clean[:i].split()[-1] if clean[:i].split() else ''}_{sub}"
            )
        if ch in _SUPERSCRIPTS:
            raise ParseError(
                f"cannot parse {_short(text)!r}{context}: superscript character {ch!r} is not allowed; "
                f"write powers with ** or ^ (e.g. x\u00b2 as x**2, or x^2)"
            )


def _hint(text: str) -> str:
    """A hint for a text that does not parse: implicit multiplication, the usual culprit."""
    match = re.search(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*([^\W\d]\w*)", text) or re.search(
        r"([^\W\d]\w*|\d+(?:\.\d*)?|\))\s+([^\W\d]\w*|\d|\()", text
    )
    if match is None:
        return ""
    a, b = match.group(1), match.group(2)
    return f"; multiplication must be written out: write {a}*{b} instead of {match.group(0)!r}"


def _rename_tokens(text: str, original: str, context: str) -> str:
    """Token pass: ``^`` becomes ``**``, Greek letters their ASCII names, keywords are renamed.

    ``^`` must be translated on tokens, not on the tree: Python gives ``^`` a
    lower precedence than ``+``, so ``N^2 + 1`` would parse as ``N^(2 + 1)``.
    Greek letters in names become their names (:data:`GREEK`), ``α_g`` ->
    ``alpha_g``; a Greek letter next to another letter in one name (``αβ``,
    ``Fα``) is ambiguous and refused with a hint.  Keywords (``lambda``, also
    from ``λ``) become ``kw__lambda`` and are mapped back to symbols.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        raise ParseError(f"cannot parse {_short(original)!r}{context}: {exc}{_hint(text)}") from None
    out = []
    for tok in tokens:
        if tok.type == tokenize.NAME and any(ch in GREEK for ch in tok.string):
            tok = tok._replace(string=_greek_name(tok.string, original, context))
        if tok.type == tokenize.NAME and keyword.iskeyword(tok.string) and tok.string not in _CONSTANTS:
            tok = tok._replace(string=_KEYWORD_PREFIX + tok.string)
        elif tok.type == tokenize.OP and tok.string == "^":
            tok = tok._replace(string="**")
        out.append(tok)
    return tokenize.untokenize(out)


def _greek_name(name: str, original: str, context: str) -> str:
    """``α_g`` -> ``alpha_g``; ``αβ`` or ``Fα`` (a Greek letter touching another letter) is refused."""
    for i, ch in enumerate(name):
        if ch in GREEK:
            neighbours = name[max(i - 1, 0) : i] + name[i + 1 : i + 2]
            if any(c.isalpha() for c in neighbours):
                spelled = "".join(f" {GREEK[c]} " if c in GREEK else c for c in name).split()
                raise ParseError(
                    f"cannot parse {_short(original)!r}{context}: the name {name!r} puts the Greek letter "
                    f"{ch!r} next to another letter; write {'*'.join(spelled)} for a product or "
                    f"{'_'.join(spelled)} for one parameter"
                )
    return ascii_name(name)


def ascii_name(name: str) -> str:
    """``name`` with every Greek letter replaced by its ASCII name (:data:`GREEK`).

    Used for every parameter name the package is given (payoff strings, sympy
    expressions, :class:`~gametheory.game.Parameter` names, ``params`` keys), so
    that ``α`` and ``alpha`` are one parameter everywhere.

    Examples
    --------
    >>> ascii_name("α_g"), ascii_name("λ"), ascii_name("R_g")
    ('alpha_g', 'lambda', 'R_g')
    """
    return "".join(GREEK.get(ch, ch) for ch in name)


def _number(value: float | int, context: str) -> sympy.Expr:
    value = as_python_number(value)
    if isinstance(value, int):
        return sympy.Integer(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseError(f"payoff value {value!r} is not finite{context}")
    return sympy.Rational(repr(float(value)))


def _canonical(expr: sympy.Basic, context: str) -> sympy.Expr:
    """Replace every symbol by the canonical parameter symbol of that name."""
    if not isinstance(expr, sympy.Expr):
        raise ParseError(f"{type(expr).__name__} is not a scalar expression{context}")
    bad = [a for a in expr.atoms(sympy.Float) if not a.is_finite]
    if bad or expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise ParseError(f"expression {expr} is not finite{context}")
    return expr.xreplace({s: parameter_symbol(ascii_name(s.name)) for s in expr.free_symbols})


class _Translator:
    """Translate a checked Python syntax tree into sympy, node by node."""

    def __init__(self, text: str, context: str, source: str = "") -> None:
        self.text = text
        self.context = context
        self.source = source  # the text the tree was parsed from: decimal literals are read from it

    def fail(self, what: str) -> ParseError:
        return ParseError(
            f"{what} is not allowed in a payoff expression{self.context}: {_short(self.text)!r}"
        )

    def visit(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise ParseError(f"expression nested deeper than {MAX_DEPTH} levels{self.context}")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(f"the literal {value!r}")
            number = _number(value, self.context)
            literal = ast.get_source_segment(self.source, node) if isinstance(value, float) else None
            if literal and _DECIMAL.fullmatch(literal):
                return sympy.Rational(literal.replace("_", ""))  # every digit as written: decimals are exact
            return number
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return operand
            raise self.fail(f"the operator {type(node.op).__name__}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            return self.chain(node, depth)
        if isinstance(node, ast.BinOp):
            left = self.visit(node.left, depth + 1)
            right = self.visit(node.right, depth + 1)
            op = node.op
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Sub):
                return left - right
            if isinstance(op, ast.Mult):
                return left * right
            if isinstance(op, ast.Div):
                if right == 0:
                    raise ParseError(f"division by zero{self.context}: {_short(self.text)!r}")
                return left / right
            if isinstance(op, ast.Pow):
                return self.power(left, right)
            raise self.fail(f"the operator {type(op).__name__}")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        kind = {
            ast.Attribute: "attribute access",
            ast.Subscript: "subscripting",
            ast.Lambda: "a lambda",
        }.get(type(node), type(node).__name__)
        raise self.fail(kind)

    def chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """A flat sum ``a + b - c`` or product ``a * b / c``: one level of nesting, however long.

        The left spine of the tree is walked iteratively and the terms combined at
        once, so the depth limit measures nesting, not length.
        """
        additive = isinstance(node.op, (ast.Add, ast.Sub))
        group = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
        parts: list[tuple[ast.operator, ast.AST]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, group):
            parts.append((node.op, node.right))
            node = node.left  # type: ignore[assignment]
        items = [self.visit(node, depth + 1)]
        for op, right in reversed(parts):
            term = self.visit(right, depth + 1)
            if isinstance(op, ast.Sub):
                term = -term
            elif isinstance(op, ast.Div):
                if term == 0:
                    raise ParseError(f"division by zero{self.context}: {_short(self.text)!r}")
                term = 1 / term
            items.append(term)
        return sympy.Add(*items) if additive else sympy.Mul(*items)

    def name(self, ident: str) -> sympy.Symbol:
        if ident.startswith(_KEYWORD_PREFIX):
            ident = ident[len(_KEYWORD_PREFIX) :]
        elif ident.startswith("_"):
            raise self.fail(f"the name {ident!r} (names may not start with '_')")
        return parameter_symbol(ascii_name(ident))  # Python's NFKC may have made Greek of a variant

    def power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if exponent.is_number and not exponent.is_extended_real:
            raise ParseError(
                f"{_short(self.text)!r}{self.context} is not a finite real number (exponent {exponent})"
            )
        if exponent.is_number and abs(float(exponent)) > MAX_EXPONENT:
            raise ParseError(f"numeric exponent {exponent} exceeds the limit of {MAX_EXPONENT}{self.context}")
        if base.is_Rational and exponent.is_Rational and base != 0:
            bits = max(abs(base.p).bit_length(), base.q.bit_length()) * abs(float(exponent))
            digits = int(bits * 0.30103) + 1
            if digits > MAX_CONSTANT_DIGITS:
                raise ParseError(
                    f"the constant in {_short(self.text)!r}{self.context} would have about {digits:,} digits, "
                    f"more than the limit of {MAX_CONSTANT_DIGITS:,}"
                )
        if base == 0 and exponent.is_number and exponent.is_negative:
            raise ParseError(f"division by zero{self.context}: {_short(self.text)!r}")
        return base**exponent

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            allowed = ", ".join(sorted({"exp", "log", "sqrt", "Min", "Max", "Abs"}))
            plausible = isinstance(node.func, ast.Constant) or (
                isinstance(node.func, ast.Name) and not what.startswith("_")
            )
            hint = f"; to multiply, write {what}*(...)" if plausible else ""
            raise self.fail(f"calling {what!r} (allowed functions: {allowed}{hint})")
        name = node.func.id
        if node.keywords:
            raise self.fail(f"a keyword argument to {name}()")
        lo, hi = _ARITY.get(name, (1, 64))
        if not lo <= len(node.args) <= hi:
            raise ParseError(
                f"{name}() takes {lo}{'' if lo == hi else f' to {hi}'} argument(s), "
                f"got {len(node.args)}{self.context}"
            )
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("argument unpacking")
        args = [self.visit(a, depth + 1) for a in node.args]
        return FUNCTIONS[name](*args)
