"""Every notebook in notebooks/ runs top to bottom (nbclient, small sizes) and is stored without outputs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason='notebook tests need the notebooks extra: pip install "gametheory-egt[notebooks]"'
)
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01_quickstart",
    "02_your_own_game",
    "03_sensitivity_and_regimes",
    "04_property_testing_your_model",
    "05_scaling_out",
    "06_dynamics_zoo",
    "07_finite_populations",
    "08_bifurcations_and_sensitivity",
]


def test_the_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_with_outputs_cleared(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs not cleared"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    """Execute with GAMETHEORY_SMALL=1 in a kernel that must be this interpreter (the venv's python)."""
    if path.stem == "05_scaling_out":
        pytest.importorskip(
            "distributed", reason='needs the distributed extra: pip install "gametheory-egt[distributed]"'
        )
    monkeypatch.setenv("GAMETHEORY_SMALL", "1")
    book = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys; print(sys.executable)")
    book.cells.append(probe)
    client = nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    executed = Path(client.nb.cells[-1].outputs[0]["text"].strip())
    # The "python3" kernel spec runs "python"; jupyter_client substitutes the running interpreter for it.
    assert executed.resolve() == Path(sys.executable).resolve()
    errors = [
        o for c in client.nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    # every cell that draws shows its figure inline (a plot function must not break the inline backend)
    drawing = re.compile(
        r"plot\.(time_series|phase_portrait|sensitivity|regime_map|basins|model_diagram)\(|plt\.(subplots|figure)\("
    )
    for cell in client.nb.cells:
        if cell.cell_type == "code" and drawing.search(cell.source):
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert images, f"{path.name}: no figure shown by cell {cell.id}"
