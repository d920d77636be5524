"""Text formatting shared by the analysis results (numbers, LaTeX escapes, conditions, HTML)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import sympy

from ..latex import escape_latex as _escape_latex


def _sign(v: complex, eps: float) -> str:
    re = v.real
    return "0" if abs(re) <= eps else ("+" if re > 0 else "-")


def _fmt_number(v: float, digits: int = 4) -> str:
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def _fmt_complex(v: complex, digits: int = 4) -> str:
    if v.imag == 0:
        return _fmt_number(v.real, digits)
    sign = "+" if v.imag > 0 else "-"
    return f"{_fmt_number(v.real, digits)} {sign} {_fmt_number(abs(v.imag), digits)}i"


def _latex_escape(text: str) -> str:
    return _escape_latex(text)


def _conditions_text(conditions: Sequence[Any], fmt: str, names: Mapping[sympy.Symbol, str]) -> str:
    parts = []
    for c in conditions:
        if c is sympy.true:
            continue
        if c is sympy.false:
            return "never (an eigenvalue is a positive constant or zero)"
        parts.append(f"${sympy.latex(c, symbol_names=names)}$" if fmt == "latex" else sympy.sstr(c))
    return ", ".join(parts) if parts else "always"


#: Plural of each location of a rest point, for counts in text.
_LOCATION_PLURAL = {"vertex": "vertices", "edge": "edges", "face": "faces", "interior": "interior"}


def _count(n: int, singular: str, plural: str) -> str:
    """``"1 continuum"``, ``"2 continua"``, ``"0 continua"``."""
    return f"{n} {singular if n == 1 else plural}"


def _bound_text(v: sympy.Expr) -> str:
    return sympy.sstr(v)


def _set_text(symbol: Any, values: Any) -> str:
    """The range of one coordinate in plain notation: ``0 < z < 1``, ``1/3 <= z < 1``, ``z < 2 or z > 3``.

    Falls back to ``z in {...}`` for a finite set; never prints sympy class names
    for intervals and unions of intervals.
    """
    name = sympy.sstr(symbol)
    if isinstance(values, sympy.Interval):
        parts = []
        if values.start.is_finite:
            parts.append(f"{_bound_text(values.start)} {'<' if values.left_open else '<='} ")
        parts.append(name)
        if values.end.is_finite:
            parts.append(f" {'<' if values.right_open else '<='} {_bound_text(values.end)}")
        return "".join(parts) if len(parts) > 1 else f"{name} is any real number"
    if isinstance(values, sympy.Union):
        return " or ".join(_set_text(symbol, a) for a in values.args)
    if isinstance(values, sympy.FiniteSet):
        return f"{name} in {{{', '.join(sympy.sstr(v) for v in values)}}}"
    return f"{name} in {sympy.sstr(values)}"


def _exact_is_printable(exact: Sequence[Any] | None, max_chars: int = 24) -> bool:
    """Whether every exact coordinate is short and free of sympy internals (``CRootOf``)."""
    if exact is None:
        return False
    return all(not e.has(sympy.CRootOf) and len(sympy.sstr(e)) <= max_chars for e in exact)


def _coordinates_text(exact: Sequence[Any] | None, point: Sequence[float], max_chars: int = 24) -> list[str]:
    """A point's coordinates as text, all exact or all decimal, never mixed.

    Exact values are used when every one is known and short (at most
    ``max_chars`` characters) and none is a ``CRootOf`` (sympy's name for an
    indexed root); otherwise every coordinate is printed as a
    6-significant-digit decimal.
    """
    if _exact_is_printable(exact, max_chars):
        return [str(e) if e.is_Rational else sympy.sstr(e) for e in exact]
    return [_fmt_number(float(v), 6) for v in point]


def _pandas() -> Any:
    """pandas, imported lazily (the one message naming the extra lives in numerics.results)."""
    from ..numerics.results import import_pandas as _import_pandas

    return _import_pandas()


def _html(markdown: str) -> str:
    """A small Markdown-to-HTML rendering for notebooks: pipe tables become ``<table>``, the rest ``<p>``."""
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        head, body = rows[0], rows[1:]
        out.append("<table>")
        out.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in head) + "</tr></thead>")
        out.append("<tbody>")
        for r in body:
            out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>")
        out.append("</tbody></table>")
        rows.clear()

    for line in markdown.splitlines():
        text = line.strip()
        if text.startswith("|") and text.endswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", text[1:-1])]
            if not all(set(c) <= {"-", ":"} and c for c in cells):
                rows.append(cells)
            continue
        flush()
        if text:
            out.append(f"<p>{escape(text)}</p>")
    flush()
    return "\n".join(out)
