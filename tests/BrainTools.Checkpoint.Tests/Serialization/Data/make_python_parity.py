"""Writes the Python-parity test files (issue 12) the way the Python references write them.

Run from this folder: python3 make_python_parity.py  (numpy 1.24 and msgpack 1.0 as Debian packages them; no jax needed).

The to-state-dict functions and the msgpack encoding below are copied from the references, so the files
hold exactly what they write:
- braintools/file/_msg_checkpoint.py (chaobrain/braintools): _list_state_dict, _namedtuple_state_dict,
  _ndarray_to_bytes, _msgpack_ext_pack and msgpack.packb(..., default=_msgpack_ext_pack, strict_types=True).
- flax/serialization.py before commit bfca2cc2 (google/flax, 2021): _namedtuple_state_dict in the legacy
  {'name', 'fields', 'values'} form, which braintools and flax still restore.
"""
from collections import namedtuple

import msgpack
import numpy as np


def _ndarray_to_bytes(arr) -> bytes:
    if arr.dtype.hasobject or arr.dtype.isalignedstruct:
        raise ValueError('Object and structured dtypes not supported '
                         'for serialization of ndarrays.')
    tpl = (arr.shape, arr.dtype.name, arr.tobytes('C'))
    return msgpack.packb(tpl, use_bin_type=True)


def _msgpack_ext_pack(x):
    if isinstance(x, np.ndarray):
        return msgpack.ExtType(1, _ndarray_to_bytes(x))
    if issubclass(type(x), np.generic):
        return msgpack.ExtType(3, _ndarray_to_bytes(np.asarray(x)))
    elif isinstance(x, complex):
        return msgpack.ExtType(2, msgpack.packb((x.real, x.imag)))
    return x


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, '_fields')


def to_state_dict(x):
    """braintools' msgpack_to_state_dict for the types used here (namedtuple, tuple, dict, leaves)."""
    if _is_namedtuple(x):
        return {key: to_state_dict(getattr(x, key)) for key in x._fields}
    if isinstance(x, (list, tuple)):
        return {str(i): to_state_dict(v) for i, v in enumerate(x)}
    if isinstance(x, dict):
        return {str(k): to_state_dict(v) for k, v in x.items()}
    return x


def legacy_namedtuple_state_dict(nt):
    """flax's _namedtuple_state_dict before bfca2cc2, word for word."""
    return {'name': nt.__class__.__name__,
            'fields': {str(i): to_state_dict(x)
                       for i, x in enumerate(nt._fields)},
            'values': {str(i): to_state_dict(x)
                       for i, x in enumerate(nt)}
            }


def save(path, tree):
    with open(path, 'wb') as f:
        f.write(msgpack.packb(tree, default=_msgpack_ext_pack, strict_types=True))


# optax-style optimizer state: a namedtuple with fields and a field-less one (optax's EmptyState()).
TraceState = namedtuple('TraceState', ['trace'])
EmptyState = namedtuple('EmptyState', [])
save('empty_namedtuple.msgpack', to_state_dict((TraceState(trace=np.array([0.5, 1.5], dtype=np.float32)), EmptyState())))

# An older checkpoint: a namedtuple NT(a=10, b=20) in the legacy form, beside ordinary parameters.
NT = namedtuple('NT', ['a', 'b'])
save('legacy_namedtuple.msgpack', {
    'params': {'w': np.arange(4, dtype=np.float32)},
    'nt': legacy_namedtuple_state_dict(NT(a=10, b=20)),
})
