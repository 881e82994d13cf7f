"""Stand-in for the few parts of jax that braintools' checkpoint module touches when it saves.

braintools imports jax at module level, registers ``jax.Array`` and ``jax.tree_util.Partial`` with its
serialization registry, and turns every ``jax.Array`` leaf into a numpy array (``np.array(x)``) before it
packs. A jax array of the values the generator writes packs exactly as the numpy array of the same dtype
and shape, so a thin wrapper over a numpy array gives the same bytes. Dtypes follow jax's defaults without
x64: Python floats become float32 and Python ints int32.
"""

import types

import numpy as _np


class Array:
    """A jax array: a numpy array that braintools recognizes by type and converts with ``np.array``."""

    def __init__(self, value):
        self._value = _np.asarray(value)

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)


def _canonical(value, dtype):
    value = _np.asarray(value, dtype=dtype)
    if dtype is None:
        # jax without x64: 64-bit defaults narrow to 32 bits.
        narrowed = {_np.dtype('float64'): _np.float32, _np.dtype('int64'): _np.int32, _np.dtype('complex128'): _np.complex64}
        value = value.astype(narrowed.get(value.dtype, value.dtype))
    return Array(value)


def _array(value, dtype=None):
    return _canonical(value, dtype)


def _ones(shape, dtype=_np.float32):
    return Array(_np.ones(shape, dtype=dtype))


def _zeros(shape, dtype=_np.float32):
    return Array(_np.zeros(shape, dtype=dtype))


def _zeros_like(x):
    return Array(_np.zeros(_np.shape(x), dtype=_np.asarray(x).dtype))


numpy = types.SimpleNamespace(array=_array, ones=_ones, zeros=_zeros, zeros_like=_zeros_like)


class Partial:
    """jax.tree_util.Partial: registered by braintools at import; the generator writes none."""

    def __init__(self, func, *args, **keywords):
        self.func, self.args, self.keywords = func, args, keywords


tree_util = types.SimpleNamespace(Partial=Partial)


def _prng_key(seed):
    # The raw threefry key jax.random.PRNGKey builds: [high 32 bits, low 32 bits] of the seed.
    seed = int(seed)
    return Array(_np.array([(seed >> 32) & 0xFFFFFFFF, seed & 0xFFFFFFFF], dtype=_np.uint32))


random = types.SimpleNamespace(PRNGKey=_prng_key)
