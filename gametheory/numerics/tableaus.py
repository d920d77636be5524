r"""Butcher tableaus of the ensemble integrators: embedded explicit Runge-Kutta pairs.

Two pairs, with scipy's names and exactly scipy's coefficients, so that every
member of an ensemble runs the algorithm :func:`scipy.integrate.solve_ivp`
would run on it alone:

``"RK45"``
    Dormand & Prince (1980) 5(4), 6 stages plus FSAL, with Shampine's (1986)
    4th-order (quartic) dense output, as :class:`scipy.integrate.RK45`.
``"DOP853"``
    Dormand & Prince's 8th-order method, 12 stages, error estimates of orders 5
    and 3 (Hairer, Norsett & Wanner, *Solving ODEs I*, II.10), and the 7th-order
    dense output of :class:`scipy.integrate.DOP853` (three extra stages).

Step-size control (both): a step is accepted when the error norm
:math:`\|\mathrm{err}\| < 1`; the next step is :math:`h \min(10,
0.9\|\mathrm{err}\|^{-1/(q+1)})` (at most ``h`` right after a rejection;
:math:`h \max(0.2, \ldots)` on rejection), :math:`q` = 4 (RK45) or 7 (DOP853).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RK45_C", "RK45_A", "RK45_B", "RK45_E", "RK45_P", "Tableau", "TABLEAUS", "METHODS", "tableau"]

#: Dormand-Prince 5(4) nodes, stage matrix, 5th-order weights, error weights
#: (5th minus 4th order, 7 stages with FSAL) and the dense-output matrix of
#: Shampine (1986), exactly as in :class:`scipy.integrate.RK45`.
RK45_C = np.array([0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1])
RK45_A = np.array(
    [
        [0, 0, 0, 0, 0],
        [1 / 5, 0, 0, 0, 0],
        [3 / 40, 9 / 40, 0, 0, 0],
        [44 / 45, -56 / 15, 32 / 9, 0, 0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    ]
)
RK45_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
RK45_E = np.array([-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
RK45_P = np.array(
    [
        [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
        [0, 0, 0, 0],
        [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
        [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
        [0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
        [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
        [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
    ]
)
#: Step-size control constants (safety factor, smallest and largest step factor), as scipy's.
SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 10.0


@dataclass(frozen=True)
class Tableau:
    r"""An embedded explicit Runge-Kutta pair with its error estimate and dense output.

    Attributes
    ----------
    name : str
        ``"RK45"`` or ``"DOP853"``.
    n_stages : int
        Stages ``S`` of a step (the FSAL stage ``f(t + h, y_new)`` is stage ``S``).
    error_order : int
        Order of the error estimator: the step factor is ``0.9 err^(-1/(error_order + 1))``.
    A, B : ndarray
        Stage matrix ``(S, S)`` and weights ``(S,)``.
    E5, E3 : ndarray, shape (S + 1,)
        Error weights.  RK45: :math:`\|h E_5^T K\|` is the error.  DOP853
        (Hairer, Norsett & Wanner II.10): with :math:`e_5 = E_5^T K/s`,
        :math:`e_3 = E_3^T K/s`, the error norm is
        :math:`|h|\,\|e_5\|^2 / \sqrt{m(\|e_5\|^2 + 0.01\|e_3\|^2)}`.
    P : ndarray or None
        RK45 dense output (quartic in the step fraction), ``(S + 1, 4)``.
    A_extra, D : ndarray or None
        DOP853 dense output (7th order): three extra stages ``(3, 16)`` and ``(4, 16)``.

    Examples
    --------
    >>> tab = TABLEAUS["DOP853"]
    >>> tab.n_stages, tab.error_order, tab.stages_and_weights.shape
    (12, 7, (13, 12))
    """

    name: str
    n_stages: int
    error_order: int
    A: np.ndarray
    B: np.ndarray
    E5: np.ndarray
    E3: np.ndarray
    P: np.ndarray | None = None
    A_extra: np.ndarray | None = None
    D: np.ndarray | None = None

    @property
    def exponent(self) -> float:
        """Exponent ``-1 / (error_order + 1)`` of the step-size factor."""
        return -1 / (self.error_order + 1)

    @property
    def stages_and_weights(self) -> np.ndarray:
        """``(S + 1, S)``: rows 1..S-1 are the stage matrix, row S the weights ``B``."""
        out = np.zeros((self.n_stages + 1, self.n_stages))
        out[: self.n_stages] = self.A
        out[self.n_stages] = self.B
        return out


def _dop853() -> Tableau:
    """DOP853 (Hairer, Norsett & Wanner; Dormand & Prince 1980) with scipy's coefficients."""
    from scipy.integrate import DOP853

    return Tableau("DOP853", int(DOP853.n_stages), int(DOP853.error_estimator_order),
                   np.array(DOP853.A, dtype=float), np.array(DOP853.B, dtype=float),
                   np.array(DOP853.E5, dtype=float), np.array(DOP853.E3, dtype=float),
                   A_extra=np.array(DOP853.A_EXTRA, dtype=float), D=np.array(DOP853.D, dtype=float))  # fmt: skip


#: The integration methods of the ensemble kernels, by scipy's name.
TABLEAUS = {
    "RK45": Tableau("RK45", 6, 4, np.pad(RK45_A, ((0, 0), (0, 1))), RK45_B, RK45_E, np.zeros(7), P=RK45_P),
    "DOP853": _dop853(),
}  # fmt: skip
#: Method names the ensemble integrators accept.
METHODS = tuple(TABLEAUS)


def tableau(method: str) -> Tableau:
    """The tableau of ``method`` (``"RK45"`` or ``"DOP853"``).

    Raises
    ------
    IntegrationError
        For any other name.

    Examples
    --------
    >>> tableau("RK45").n_stages
    6
    """
    from .._checks import check_choice

    return TABLEAUS[check_choice(method, METHODS, name="method", what="for ensembles")]
