"""Text formatting shared by the analysis results (numbers, LaTeX escapes, conditions, HTML)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy


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


def _short_exact(e: sympy.Expr) -> str:
    if e.is_Rational:
        return str(e)
    text = sympy.sstr(e)
    return text if len(text) <= 24 else _fmt_number(float(sympy.N(e, 20)), 6)


def _latex_escape(text: str) -> str:
    return text.replace("&", "\\&").replace("%", "\\%").replace("_", "\\_").replace("#", "\\#")


def _conditions_text(conditions: Sequence[Any], fmt: str, names: Mapping[sympy.Symbol, str]) -> str:
    parts = []
    for c in conditions:
        if c is sympy.true:
            continue
        if c is sympy.false:
            return "never (an eigenvalue is a positive constant or zero)"
        parts.append(f"${sympy.latex(c, symbol_names=names)}$" if fmt == "latex" else sympy.sstr(c))
    return ", ".join(parts) if parts else "always"
