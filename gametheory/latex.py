"""LaTeX names of parameters, shared by every writer of LaTeX (equations, tables, figures)."""

from __future__ import annotations

__all__ = ["escape_latex", "escape_markdown_cell", "latex_name"]

_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
}


def latex_name(name: str) -> str:
    """LaTeX for a parameter name: ``lam`` -> ``\\lambda``, ``R_g`` -> ``R_{g}``, ``theta`` -> ``\\theta``.

    Examples
    --------
    >>> latex_name("R_g")
    'R_{g}'
    >>> latex_name("lam")
    '\\\\lambda'
    """
    base, _, sub = name.partition("_")
    base = {"lam": "lambda"}.get(base, base)
    head = f"\\{base}" if base in _GREEK else base if len(base) == 1 else f"\\mathit{{{base}}}"
    return f"{head}_{{{sub}}}" if sub else head


_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "$": "\\$",
    "&": "\\&",
    "#": "\\#",
    "^": "\\textasciicircum{}",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "%": "\\%",
}


def escape_latex(text: str) -> str:
    """User text made safe for LaTeX text mode: every special character escaped, control characters blanked.

    Every writer of ``.tex`` output passes user strings (model, population,
    strategy and parameter names, descriptions, captions) through this function,
    so no user string can run a LaTeX command (``\\input{/etc/hostname}``).

    Examples
    --------
    >>> print(escape_latex("\\\\input{/etc/hostname} 50% & R_g"))
    \\textbackslash{}input\\{/etc/hostname\\} 50\\% \\& R\\_g
    """
    return "".join(
        _LATEX_SPECIAL.get(c, " " if (ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029") else c)
        for c in str(text)
    )


def escape_markdown_cell(text: str) -> str:
    """User text made safe for one cell of a Markdown table: ``|`` escaped, line breaks and control characters blanked.

    Examples
    --------
    >>> escape_markdown_cell("a|b\\nc")
    'a\\\\|b c'
    """
    out = "".join(
        " " if (ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029") else c for c in str(text)
    )
    return out.replace("|", "\\|")
