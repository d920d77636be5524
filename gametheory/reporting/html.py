"""Rendering of a report's sections as one self-contained HTML page.

Nothing here computes: :mod:`gametheory.reporting.build` collects the content
as blocks (:class:`Text`, :class:`Table`, :class:`Math`, :class:`Figure`,
:class:`Note`) and :func:`render` writes them out.  Every user string is
escaped with :func:`html.escape`; equations are presentation MathML (rendered
natively by browsers, no script, no network) with their LaTeX source in a
``<details>`` block; figures are PNG data URIs.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Figure", "Math", "Note", "Section", "Table", "Text", "mathml", "render"]


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (escaped when rendered).

    Examples
    --------
    >>> _block(Text("a < b"))
    '<p>a &lt; b</p>'
    """

    text: str


@dataclass(frozen=True)
class Note:
    """A one-line remark, e.g. why a section does not apply.

    Examples
    --------
    >>> _block(Note("no regime map"))
    '<p class="note">no regime map</p>'
    """

    text: str


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells (escaped when rendered); a cell may be a :class:`Math`.

    Examples
    --------
    >>> _block(Table(("a",), (("<1>",),)))
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;1&gt;</td></tr></tbody></table>'
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Math:
    """An equation: a sympy object, shown as MathML, with its LaTeX source.

    Examples
    --------
    >>> import sympy
    >>> page = _block(Math(sympy.Symbol("x") < 0))
    >>> page.startswith('<math display="block">'), "<pre>x &lt; 0</pre>" in page
    (True, True)
    """

    expr: Any
    display: bool = True


@dataclass(frozen=True)
class Figure:
    """A PNG image (its bytes) with a caption.

    Examples
    --------
    >>> _block(Figure(b"png", "a <b>", 10, 20))[:42]
    '<figure><img src="data:image/png;base64,cG'
    """

    png: bytes
    caption: str
    width: int = 0
    height: int = 0


@dataclass
class Section:
    """A numbered section: title, blocks and the seconds it took to compute.

    Examples
    --------
    >>> Section("Rest points and stability").anchor
    's-rest-points-and-stability'
    """

    title: str
    blocks: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def anchor(self) -> str:
        """The fragment identifier of the section (letters, digits and dashes only)."""
        return "s-" + "".join(c if c.isalnum() else "-" for c in self.title.lower())


def mathml(expr: Any, display: bool = True) -> str:
    """Presentation MathML of a sympy object, wrapped in ``<math>``.

    Examples
    --------
    >>> import sympy
    >>> mathml(sympy.Symbol("x") ** 2).startswith('<math display="block"')
    True
    """
    from sympy.printing.mathml import mathml as to_mathml

    body = to_mathml(expr, printer="presentation")
    mode = "block" if display else "inline"
    return f'<math display="{mode}">{body}</math>'


def _latex(expr: Any) -> str:
    import sympy

    return sympy.latex(expr)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;max-width:1100px;
margin:0 auto;padding:1.5em 2em;color:#1b1f24;line-height:1.45;background:#fff}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
.meta{color:#57606a;font-size:.92em}
nav.toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6em 1.2em;margin:1em 0}
nav.toc ol{margin:.3em 0;padding-left:1.5em}nav.toc a{color:#0969da;text-decoration:none}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
caption{caption-side:top;text-align:left;color:#57606a;padding:.2em 0}
th,td{border-top:1px solid #d0d7de;border-bottom:1px solid #d0d7de;padding:.3em .7em;text-align:left;
vertical-align:top}
th{background:#f6f8fa;border-top:2px solid #57606a;border-bottom:2px solid #57606a}
tr:nth-child(even) td{background:#fbfcfd}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eaeef2}
figcaption{color:#57606a;font-size:.9em}
.note{color:#57606a;font-style:italic}
details{margin:.3em 0 1em 0;font-size:.85em}summary{cursor:pointer;color:#57606a}
details pre{white-space:pre-wrap;background:#f6f8fa;padding:.5em;border-radius:4px}
math[display=block]{margin:.5em 0;overflow-x:auto;overflow-y:hidden;padding:.2em 0}
.time{color:#8c959f;font-size:.8em;font-weight:normal}
"""


def _cell(value: Any) -> str:
    if isinstance(value, Math):
        return mathml(value.expr, display=False)
    return html.escape(str(value))


def _block(block: Any) -> str:
    if isinstance(block, Text):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Note):
        return f'<p class="note">{html.escape(block.text)}</p>'
    if isinstance(block, Math):
        source = html.escape(_latex(block.expr))
        return (
            mathml(block.expr, display=block.display)
            + f"<details><summary>LaTeX</summary><pre>{source}</pre></details>"
        )
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, Figure):
        data = base64.b64encode(block.png).decode("ascii")
        size = f' width="{block.width}" height="{block.height}"' if block.width and block.height else ""
        alt = html.escape(block.caption, quote=True)
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"{size}>'
            f"<figcaption>{html.escape(block.caption)}</figcaption></figure>"
        )
    raise TypeError(f"unknown report block {type(block).__name__}")


def render(title: str, subtitle: str, sections: list[Section]) -> str:
    """The whole page: title, table of contents, numbered sections; one string, no external resource.

    Examples
    --------
    >>> page = render("A <game>", "made today", [Section("Model", [Text("x & y")])])
    >>> "A &lt;game&gt;" in page and "x &amp; y" in page and "http" not in page
    True
    """
    toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    body = []
    for k, s in enumerate(sections, 1):
        blocks = "\n".join(_block(b) for b in s.blocks)
        body.append(
            f'<section id="{s.anchor}"><h2>{k}. {html.escape(s.title)} '
            f'<span class="time">({s.seconds:.1f} s)</span></h2>\n{blocks}</section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(subtitle)}</p>'
        f'<nav class="toc"><strong>Contents</strong><ol>{toc}</ol></nav>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )
