"""Hostile model files, paths and names: each case raises a specific GameError naming the culprit,
the CLI prints one ``error:`` line (exit 2), and no user string reaches a .tex file unescaped."""

from __future__ import annotations

import json
import os
import re

import pytest

import gametheory as gt
from gametheory import GameError, ParseError, SpecificationError
from gametheory.cli import main
from gametheory.latex import escape_latex, escape_markdown_cell

HOSTILE = r"\input{/etc/hostname}"
PENNIES = '[populations]\nrow = ["H", "T"]\ncol = ["H", "T"]\n[payoffs]\n'
ROWS = '"H,H" = ["1", "-1"]\n"H,T" = ["-1", "1"]\n"T,H" = ["-1", "1"]\n"T,T" = ["1", "-1"]\n'
JSON_ROWS = '"H,H": ["1", "-1"], "H,T": ["-1", "1"], "T,H": ["-1", "1"], "T,T": ["1", "-1"]'
JSON_POPS = '"populations": {"row": ["H", "T"], "col": ["H", "T"]}'
REF_ROWS = '"(1,1)": ["1", "0"], "(0,1)": ["0", "1"], "(0,0)": ["1", "0"]'


def _fifo(tmp):
    path = tmp / "model.toml"
    os.mkfifo(path)
    return path


def _dir(tmp):
    path = tmp / "model.toml"
    path.mkdir()
    return path


def _write(name, text):
    def make(tmp):
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


DEEP_TOML = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_TABLE = "x = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n"

# (id, make the path in tmp_path, exception type, regex the message must match)
FILE_CASES = [
    ("fifo", _fifo, ParseError, r"model\.toml.*not a regular file"),
    ("dev-zero", lambda tmp: "/dev/zero", ParseError, r"/dev/zero.*not a regular file"),
    ("dev-null", lambda tmp: "/dev/null", ParseError, r"/dev/null.*not a regular file"),
    ("directory", _dir, ParseError, r"model\.toml.*is a directory"),
    ("directory-no-suffix", lambda tmp: tmp, ParseError, r"is a directory"),
    ("toml-deep-array", _write("deep.toml", DEEP_TOML), ParseError, r"deep\.toml.*nested too deeply"),
    (
        "toml-deep-inline-table",
        _write("deep2.toml", DEEP_TABLE),
        ParseError,
        r"deep2\.toml.*nested too deeply",
    ),
    (
        "json-duplicate-payoff-key",
        _write("dup.json", "{" + JSON_POPS + ', "payoffs": {' + JSON_ROWS + ', "H,H": ["0", "0"]}}'),
        SpecificationError,
        r"dup\.json.*'H,H' is given twice",
    ),
    (
        "json-duplicate-profile-spaces",
        _write("dup2.json", "{" + JSON_POPS + ', "payoffs": {' + JSON_ROWS + ', "H, H": ["0", "0"]}}'),
        SpecificationError,
        r"'H,H' and 'H, H' name the same profile",
    ),
    (
        "json-duplicate-top-level",
        _write("dup3.json", '{"name": "a", "name": "b", ' + JSON_POPS + ', "payoffs": {' + JSON_ROWS + "}}"),
        SpecificationError,
        r"'name' is given twice",
    ),
    (
        "json-duplicate-parameter",
        _write(
            "dup4.json",
            "{" + JSON_POPS + ', "parameters": {"a": 1, "a": 2}, "payoffs": {' + JSON_ROWS + "}}",
        ),
        SpecificationError,
        r"'a' is given twice",
    ),
    (
        "reference-case-duplicate-exact",
        _write(
            "ref.json",
            '{"players": ["p", "q"], "payoffs": {'
            + REF_ROWS
            + ', "(1,0)": ["0", "1"], "(1,0)": ["1", "1"]}}',
        ),
        SpecificationError,
        r"'\(1,0\)' is given twice",
    ),
    (
        "reference-case-duplicate-space",
        _write(
            "ref2.json",
            '{"players": ["p", "q"], "payoffs": {'
            + REF_ROWS
            + ', "(1,0)": ["0", "1"], " (1,0)": ["1", "1"]}}',
        ),
        SpecificationError,
        r"'\(1,0\)' and ' \(1,0\)' name the same profile",
    ),
    (
        "reference-case-duplicate-inner-space",
        _write(
            "ref3.json",
            '{"players": ["p", "q"], "payoffs": {'
            + REF_ROWS
            + ', "(1,0)": ["0", "1"], "(1, 0)": ["1", "1"]}}',
        ),
        SpecificationError,
        r"'\(1,0\)' and '\(1, 0\)' name the same profile",
    ),
    (
        "toml-duplicate-profile-spaces",
        _write("dup.toml", PENNIES + ROWS + '"H, H" = ["0", "0"]\n'),
        SpecificationError,
        r"'H,H' and 'H, H' name the same profile",
    ),
    (
        "toml-array-payoffs-duplicate",
        _write(
            "arr.toml",
            PENNIES.replace("[payoffs]\n", "")
            + "".join(
                f'[[payoffs]]\nprofile = ["{a}", "{b}"]\npayoffs = ["1", "0"]\n'
                for a, b in ["HH", "HT", "TH", "TT", "HH"]
            ),
        ),
        SpecificationError,
        r"\['H', 'H'\] and \['H', 'H'\] name the same profile",
    ),
    (
        "toml-array-payoffs-missing-profile",
        _write("arr2.toml", PENNIES.replace("[payoffs]\n", "") + '[[payoffs]]\npayoffs = ["1", "0"]\n'),
        SpecificationError,
        r"\[\[payoffs\]\] entry 1 must have exactly the keys 'profile' and 'payoffs'",
    ),
    (
        "toml-array-payoffs-profile-string",
        _write(
            "arr3.toml",
            PENNIES.replace("[payoffs]\n", "") + '[[payoffs]]\nprofile = "H,H"\npayoffs = ["1", "0"]\n',
        ),
        SpecificationError,
        r"entry 1: profile must be a list of strategy names, got 'H,H'",
    ),
    (
        "toml-array-payoffs-profile-numbers",
        _write(
            "arr4.toml",
            PENNIES.replace("[payoffs]\n", "") + '[[payoffs]]\nprofile = [1, 2]\npayoffs = ["1", "0"]\n',
        ),
        SpecificationError,
        r"entry 1: profile must be a list of strategy names, got \[1, 2\]",
    ),
    (
        "toml-array-payoffs-extra-key",
        _write(
            "arr5.toml",
            PENNIES.replace("[payoffs]\n", "")
            + '[[payoffs]]\nprofile = ["H", "H"]\npayoffs = ["1", "0"]\nweight = 2\n',
        ),
        SpecificationError,
        r"entry 1 must have exactly the keys",
    ),
]


@pytest.mark.parametrize(
    ("make", "exc", "pattern"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_hostile_model_files(tmp_path, make, exc, pattern):
    path = make(tmp_path)
    with pytest.raises(exc, match=pattern):
        gt.load_game(path)


def _description_five():
    return gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): ("a", "0"), ("H", "T"): ("0", "1"), ("T", "H"): ("0", "1"), ("T", "T"): ("1", "0")},
        [gt.Parameter("a", 1.0, description=5)],
    ).to_toml()


def test_parameter_description_not_a_string():
    with pytest.raises(GameError, match=r"description"):
        _description_five()


def test_deep_toml_string():
    with pytest.raises(ParseError, match=r"'<string>' is nested too deeply"):
        gt.loads_game(DEEP_TOML)


# ------------------------------------------------------------------ the command line
def _cli_fifo(tmp):
    return ["analyze", str(_fifo(tmp))]


def _file(tmp):
    path = tmp / "somefile"
    path.write_text("not a folder")
    return path


CLI_CASES = [
    ("analyze-fifo", _cli_fifo, r"model\.toml' is not a regular file"),
    ("analyze-dev-zero", lambda tmp: ["analyze", "/dev/zero"], r"'/dev/zero' is not a regular file"),
    ("analyze-directory", lambda tmp: ["analyze", str(_dir(tmp))], r"model\.toml' is a directory"),
    (
        "analyze-deep-toml",
        lambda tmp: ["analyze", str(_write("deep.toml", DEEP_TOML)(tmp))],
        r"nested too deeply",
    ),
    (
        "analyze-duplicate-json",
        lambda tmp: [
            "analyze",
            str(_write("d.json", "{" + JSON_POPS + ', "payoffs": {' + JSON_ROWS + ', "T,T": [1, 1]}}')(tmp)),
        ],
        r"'T,T' is given twice",
    ),
    (
        "analyze-figures-under-dev-null",
        lambda tmp: ["analyze", "matching_pennies_3", "--figures", "/dev/null/figs"],
        r"'/dev/null/figs'",
    ),
    (
        "analyze-figures-under-file",
        lambda tmp: ["analyze", "matching_pennies_3", "--figures", str(_file(tmp) / "sub")],
        r"somefile/sub'",
    ),
    (
        "figures-out-under-file",
        lambda tmp: ["figures", "--only", "parameters", "--out", str(_file(tmp) / "sub")],
        r"somefile/sub'",
    ),
    (
        "figures-out-under-dev-null",
        lambda tmp: ["figures", "--only", "parameters", "--out", "/dev/null/out"],
        r"'/dev/null/out'",
    ),
]


@pytest.mark.parametrize(("argv", "pattern"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_hostile_paths(tmp_path, capsys, argv, pattern):
    assert main(argv(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert re.search(pattern, lines[0]), lines[0]


# ------------------------------------------------------------------ LaTeX and Markdown injection
def _hostile_game(name=HOSTILE, population=HOSTILE + "p", strategy=HOSTILE + "s", description=HOSTILE):
    s2 = "b|x\ny"
    return gt.Game.from_table(
        {population: [strategy, s2], "q": ["c,d", "e"]},
        {
            (strategy, "c,d"): ("a", "0"),
            (strategy, "e"): ("0", "1"),
            (s2, "c,d"): ("1", "0"),
            (s2, "e"): ("0", "a"),
        },
        [gt.Parameter("a", 2.0, description=description, source=description)],
        name=name,
    )


_COMMAND = re.compile(r"\\(input|include|write|immediate|openin|read|def|catcode)\b")

LATEX_CASES = [
    ("model-name", dict(name=HOSTILE)),
    ("population", dict(population=HOSTILE)),
    ("strategy", dict(strategy=HOSTILE)),
    ("description", dict(description=HOSTILE)),
    ("name-write18", dict(name=r"\immediate\write18{rm -rf x}")),
    ("name-specials", dict(name="$x$ & 100% # ^ _ ~ {}")),
]


@pytest.mark.parametrize("names", [c[1] for c in LATEX_CASES], ids=[c[0] for c in LATEX_CASES])
def test_latex_tables_escape_user_strings(names):
    game = _hostile_game(**names)
    outputs = [gt.analyze(game).to_latex(), gt.analyze(game).to_latex(symbolic=True)]
    if hasattr(gt, "corner_conditions"):
        outputs.append(gt.corner_conditions(game).to_latex())
    for tex in outputs:
        assert not _COMMAND.search(tex), tex
        caption = next(line for line in tex.splitlines() if line.startswith("\\caption"))
        assert re.fullmatch(r"\\caption\{[^{}]*(\\[{}][^{}]*|\{\}[^{}]*)*\}", caption), caption


def test_markdown_tables_escape_pipes_and_newlines():
    game = _hostile_game()
    for md in (gt.analyze(game).to_markdown(), gt.corner_conditions(game).to_markdown()):
        rows = [line for line in md.splitlines() if line.startswith("|")]
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, md


def test_cli_figures_have_no_user_commands(tmp_path, capsys):
    model = tmp_path / "hostile.toml"
    model.write_text(_hostile_game().to_toml(), encoding="utf-8")
    out = tmp_path / "figs"
    assert main(["analyze", str(model), "--figures", str(out)]) == 0
    capsys.readouterr()
    texts = sorted(out.glob("*.tex"))
    assert texts
    for path in texts:
        assert not _COMMAND.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOSTILE, r"\textbackslash{}input\{/etc/hostname\}"),
        ("50% & #1", r"50\% \& \#1"),
        ("$x^2_y~$", r"\$x\textasciicircum{}2\_y\textasciitilde{}\$"),
        ("a\nb\x00c", "a b c"),
    ],
)
def test_escape_latex(text, expected):
    assert escape_latex(text) == expected


def test_escape_markdown_cell():
    assert escape_markdown_cell("a|b\r\nc") == "a\\|b  c"


def test_reference_case_still_reads(tmp_path):
    path = tmp_path / "ref.json"
    path.write_text(
        json.dumps(
            {
                "players": ["p", "q"],
                "payoffs": {
                    "(1,1)": ["1", "0"],
                    "(1,0)": ["0", "1"],
                    "(0,1)": ["0", "1"],
                    "(0,0)": ["1", "0"],
                },
            }
        )
    )
    assert gt.load_game(path).strategy_counts == (2, 2)
