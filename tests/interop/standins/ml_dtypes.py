"""Stand-in for ml_dtypes, the numpy extension dtypes (bfloat16, float8) that jax arrays use.

braintools writes an array as ``(arr.shape, arr.dtype.name, arr.tobytes('C'))`` after checking
``arr.dtype.hasobject`` and ``arr.dtype.isalignedstruct``. An array of an extension dtype is stood in
for by a numpy array of same-sized unsigned integers holding the element bits, whose ``dtype`` answers
with the extension dtype's name: the same shape, name and bytes.
"""

import numpy as _np


class _ExtensionDType:
    hasobject = False
    isalignedstruct = False

    def __init__(self, name, storage):
        self.name, self._storage = name, _np.dtype(storage)
        self.itemsize = self._storage.itemsize

    def __repr__(self):
        return f'dtype({self.name})'


bfloat16 = _ExtensionDType('bfloat16', _np.uint16)
float8_e4m3fn = _ExtensionDType('float8_e4m3fn', _np.uint8)
float8_e5m2 = _ExtensionDType('float8_e5m2', _np.uint8)
BY_NAME = {d.name: d for d in (bfloat16, float8_e4m3fn, float8_e5m2)}


class _ExtensionArray(_np.ndarray):
    _ext = None

    @property
    def dtype(self):
        return self._ext


_classes = {d.name: type(f'{d.name}_array', (_ExtensionArray,), {'_ext': d}) for d in BY_NAME.values()}


def from_bits(raw, dtype, shape):
    """An array of extension ``dtype`` and ``shape`` whose elements have the bits ``raw`` (little-endian)."""
    storage = _np.frombuffer(raw, dtype=dtype._storage.newbyteorder('<')).reshape(shape).copy()
    return storage.view(_classes[dtype.name])
