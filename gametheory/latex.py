"""LaTeX names of parameters, shared by every writer of LaTeX (equations, tables, figures)."""

from __future__ import annotations

__all__ = ["latex_name"]

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
