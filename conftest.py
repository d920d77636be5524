"""Test configuration shared by the test suite and the doctests of the package (headless plots)."""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test or doctest opened: figures left open pile up across a worker's tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
