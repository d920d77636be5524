"""Code generation: symbolic system -> compiled, vectorised numerical functions.

A list of sympy expressions in states ``x`` and parameters ``p`` is turned into
Python source after common-subexpression elimination, and compiled once per
distinct source (cached).  Symbols are renamed to positional names (``_x0``,
``_p3``...) before printing, so user names never reach the generated code, and
every expression reaching this module was built by the safe parser
(:mod:`gametheory.expressions`): the generated source holds only arithmetic and
``numpy`` ufuncs.

Two flavours are generated from the same expressions:

``"array"``
    ``f(X, P) -> out`` with ``X`` of shape ``(d, *batch)`` and ``P`` of shape
    ``(p, *batch)`` (any broadcastable batch shapes); ``out`` has shape
    ``(*shape, *batch)``.  Constant entries are broadcast (a lambdified sympy
    matrix would return bare scalars for them).
``"scalar"``
    ``f(x, p, out) -> None`` with 1-D ``x`` and ``p``, writing ``out`` (shape
    ``shape``) in place: plain scalar arithmetic, suitable for ``numba.njit``.

:class:`CompiledFunction` objects pickle by their source and recompile in the
receiving process (lambdified functions do not pickle).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter

from .errors import SpecificationError

__all__ = ["CompiledFunction", "generate_source", "compile_expressions"]


class _Printer(NumPyPrinter):
    """NumPy printer whose output also compiles under numba (no ``functools.reduce``)."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})

    def _nested(self, func: str, args: Sequence[sympy.Expr]) -> str:
        out = self._print(args[0])
        for a in args[1:]:
            out = f"numpy.{func}({out}, {self._print(a)})"
        return out

    def _print_Min(self, expr: sympy.Min) -> str:  # noqa: N802 - sympy printer protocol
        return self._nested("minimum", expr.args)

    def _print_Max(self, expr: sympy.Max) -> str:  # noqa: N802
        return self._nested("maximum", expr.args)

    def _print_Heaviside(self, expr: sympy.Heaviside) -> str:  # noqa: N802
        """``1.0*(u > 0) + H0*(u == 0)`` with sympy's ``H0`` (1/2 unless given): numba has no
        ``numpy.heaviside``, and sympy's own rewrite uses ``numpy.select``, which numba refuses."""
        arg = self._print(expr.args[0])
        at_zero = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        step = f"1.0*numpy.greater({arg}, 0)"
        if at_zero == 0:
            return f"({step})"
        return f"({step} + {self._print(at_zero)}*numpy.equal({arg}, 0))"


def generate_source(
    name: str,
    exprs: sympy.Matrix | Sequence[sympy.Expr],
    states: Sequence[sympy.Symbol],
    params: Sequence[sympy.Symbol],
    flavour: str = "array",
) -> tuple[str, tuple[int, ...]]:
    """Python source of a function evaluating ``exprs`` (see module docstring).

    Returns the source text and the output shape (the matrix shape of ``exprs``;
    ``(m,)`` for a column).

    Raises
    ------
    SpecificationError
        On an unknown flavour, or a symbol that is neither a state nor a parameter.

    Examples
    --------
    >>> x, a = sympy.symbols("x a")
    >>> source, shape = generate_source("f", [a * x * (1 - x)], [x], [a], "scalar")
    >>> print(source)
    def f(x, p, out):
        _x0 = x[0]
        _p0 = p[0]
        out[0] = _p0*_x0*(1 - _x0)
        return None
    <BLANKLINE>
    >>> shape
    (1,)
    """
    if flavour not in ("array", "scalar"):
        raise SpecificationError(f"unknown flavour {flavour!r}; use 'array' or 'scalar'")
    matrix = sympy.Matrix(exprs)
    shape = matrix.shape if matrix.shape[1] != 1 else (matrix.shape[0],)
    xs = [sympy.Symbol(f"_x{i}") for i in range(len(states))]
    ps = [sympy.Symbol(f"_p{i}") for i in range(len(params))]
    rename = dict(zip(states, xs)) | dict(zip(params, ps))
    flat = [sympy.sympify(e).xreplace(rename) for e in matrix]
    unknown = set().union(*(e.free_symbols for e in flat)) - set(xs) - set(ps)
    if unknown:
        names = sorted(str(u) for u in unknown)
        raise SpecificationError(
            f"expressions contain symbols that are neither states nor parameters: {names}"
        )
    temps, reduced = sympy.cse(flat, symbols=sympy.numbered_symbols("_c"), optimizations=())
    printer = _Printer()
    if flavour == "array":
        lines = [f"def {name}(X, P):"]
        lines += [f"    _x{i} = X[{i}]" for i in range(len(xs))]
        lines += [f"    _p{i} = P[{i}]" for i in range(len(ps))]
        lines.append(f"    out = numpy.empty({shape!r} + numpy.broadcast_shapes(X.shape[1:], P.shape[1:]))")
    else:
        lines = [f"def {name}(x, p, out):"]
        lines += [f"    _x{i} = x[{i}]" for i in range(len(xs))]
        lines += [f"    _p{i} = p[{i}]" for i in range(len(ps))]
    lines += [f"    {sym} = {printer.doprint(val)}" for sym, val in temps]
    for flat_index, expr in enumerate(reduced):
        index = np.unravel_index(flat_index, shape)
        target = ", ".join(str(int(i)) for i in index)
        lines.append(f"    out[{target}] = {printer.doprint(expr)}")
    lines.append("    return out" if flavour == "array" else "    return None")
    return "\n".join(lines) + "\n", tuple(shape)


@functools.lru_cache(maxsize=256)
def _compile(source: str, name: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"numpy": np}
    code = compile(
        source, f"<gametheory generated {name} {hashlib.sha1(source.encode()).hexdigest()[:8]}>", "exec"
    )
    exec(code, namespace)  # noqa: S102 - source generated from checked sympy expressions only
    return namespace[name]


class CompiledFunction:
    """A generated numerical function; calls the compiled code, pickles as source.

    Attributes
    ----------
    name, source, shape, flavour
        The function's name, its Python source, the output shape and flavour.

    Examples
    --------
    >>> import pickle
    >>> x, a = sympy.symbols("x a")
    >>> f = compile_expressions("f", [a * x], [x], [a])
    >>> g = pickle.loads(pickle.dumps(f))  # travels as source, recompiled on arrival
    >>> g(np.array([[1.0, 2.0]]), np.array([[3.0]])).tolist()
    [[3.0, 6.0]]
    """

    __slots__ = ("name", "source", "shape", "flavour", "_func")

    def __init__(self, name: str, source: str, shape: tuple[int, ...], flavour: str) -> None:
        self.name = name
        self.source = source
        self.shape = shape
        self.flavour = flavour
        self._func = _compile(source, name)

    def __call__(self, *args: Any) -> Any:
        return self._func(*args)

    def __reduce__(self) -> tuple[Any, ...]:
        return (CompiledFunction, (self.name, self.source, self.shape, self.flavour))

    def __repr__(self) -> str:
        return f"CompiledFunction({self.name!r}, flavour={self.flavour!r}, shape={self.shape})"


def compile_expressions(
    name: str,
    exprs: sympy.Matrix | Sequence[sympy.Expr],
    states: Sequence[sympy.Symbol],
    params: Sequence[sympy.Symbol],
    flavour: str = "array",
) -> CompiledFunction:
    """Generate and compile ``exprs`` (see :func:`generate_source`); compiled once per source.

    This is the one place where the package turns sympy expressions into Python
    functions (no ``lambdify`` elsewhere).

    Examples
    --------
    >>> x, y, a = sympy.symbols("x y a")
    >>> f = compile_expressions("rhs", sympy.Matrix([a * x, y - 1, 2]), [x, y], [a])
    >>> X = np.array([[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]])  # (d, n) states
    >>> f(X, np.array([[10.0]])).round(12).tolist()  # (3, n); the constant broadcast
    [[1.0, 2.0, 3.0], [-0.5, -0.5, -0.5], [2.0, 2.0, 2.0]]
    >>> out = np.empty(3)
    >>> compile_expressions("rhs", [a * x, y - 1, 2], [x, y], [a], "scalar")(X[:, 0], [10.0], out)
    >>> out.tolist()
    [1.0, -0.5, 2.0]
    """
    source, shape = generate_source(name, exprs, states, params, flavour)
    return CompiledFunction(name, source, shape, flavour)
