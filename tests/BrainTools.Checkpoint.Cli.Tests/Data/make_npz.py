"""Writes the .npz test data for the ckpt tool with numpy itself, and what each member holds.

Run with Debian's python3 (numpy installed): /usr/bin/python3 make_npz.py
Writes numpy_savez.npz (numpy.savez: stored members), numpy_savez_compressed.npz (deflated members) and
numpy_expected.json: for every member of both, its dtype name, shape and C-order values, so that the tests
check what the tool reads against what numpy wrote, never against numbers typed by hand.
"""
import base64
import json

import numpy as np

rng = np.random.default_rng(20261128)

arrays = {
    "weights": rng.standard_normal((3, 4)).astype(np.float32),
    "bias": np.zeros(4, dtype=np.float32),
    "layers/0/kernel": rng.standard_normal((2, 3)),
    "layers/1/kernel": rng.integers(-1000, 1000, size=(2, 2, 2), dtype=np.int64),
    "int8": np.array([-128, -1, 0, 1, 127], dtype=np.int8),
    "uint16": np.array([0, 1, 65535], dtype=np.uint16),
    "half": np.array([0.5, -2.0, np.inf], dtype=np.float16),
    "mask": np.array([True, False, True]),
    "complex": np.array([1 + 2j, -0.5j], dtype=np.complex64),
    "step": np.array(1000),
    "lr": np.array(0.001),
    "name": np.array("relu"),
    "fortran": np.asfortranarray(np.arange(12, dtype=np.int32).reshape(3, 4)),
    "big_endian": np.arange(5, dtype=">f8"),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "special": np.array([np.nan, np.inf, -np.inf, -0.0]),
}

np.savez("numpy_savez.npz", **arrays)
np.savez_compressed("numpy_savez_compressed.npz", **arrays)

expected = {}
for name, value in arrays.items():
    if value.dtype.kind == "U":
        expected[name] = {"str": str(value)}
        continue
    native = value.astype(value.dtype.newbyteorder("<"), order="C")
    expected[name] = {
        "dtype": native.dtype.name,
        "shape": list(native.shape),
        "b64": base64.b64encode(native.tobytes(order="C")).decode("ascii"),
    }

with open("numpy_expected.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
