"""Stand-in for the parts of brainunit that braintools' checkpoint module touches when it saves.

braintools saves a ``Quantity`` as ``{'mantissa', 'scale', 'base', 'dim': unit.dim._dims, 'factor'}``.
brainunit keeps the seven SI exponents (m, kg, s, A, K, mol, cd) as an int64 array; a unit is
``factor * base ** scale`` of its dimension.
"""

import numpy as _np


class Dimension:
    def __init__(self, dims):
        self._dims = _np.asarray(dims, dtype=_np.int64)


class Unit:
    def __init__(self, dim, scale=0, base=10.0, factor=1.0):
        self.dim, self.scale, self.base, self.factor = dim, scale, base, factor

    def __rmul__(self, mantissa):
        return Quantity(mantissa, unit=self)


class Quantity:
    def __init__(self, mantissa, unit):
        self.mantissa, self.unit = mantissa, unit


def _unit(scale, m=0, kg=0, s=0, a=0):
    return Unit(Dimension([m, kg, s, a, 0, 0, 0]), scale=scale)


ms = _unit(-3, s=1)
mV = _unit(-3, m=2, kg=1, s=-3, a=-1)
mohm = _unit(-3, m=2, kg=1, s=-3, a=-2)
pF = _unit(-12, m=-2, kg=-1, s=4, a=2)
