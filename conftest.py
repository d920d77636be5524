"""Test configuration shared by the test suite and the doctests of the package (headless plots)."""

import matplotlib

matplotlib.use("Agg")
