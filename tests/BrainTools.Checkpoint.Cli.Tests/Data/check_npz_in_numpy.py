"""Checks in numpy that an .npz written by `ckpt convert` holds the values of the interop vector it came from.

Usage: python3 check_npz_in_numpy.py FILE.npz INTEROP_MANIFEST.json VECTOR_NAME
Every ndarray leaf of the vector's tree (keys joined with '/') must load with numpy.load with the same dtype,
shape and bytes; Python ints and floats as 0-d int64 / float64 arrays; bfloat16 as float32 of the same value.
float8 arrays (no numpy dtype, no ml_dtypes here) are checked for shape only. Exits 1 on the first difference.
"""
import base64
import json
import sys

import numpy as np

npz_path, manifest_path, vector = sys.argv[1:4]
tree = json.load(open(manifest_path))[vector]["tree"]
loaded = np.load(npz_path)
checked = 0


def fail(message):
    print(f"check_npz_in_numpy: {npz_path}: {message}")
    sys.exit(1)


def walk(node, path):
    global checked
    kind = node["t"]
    if kind == "map":
        for key, child in node["items"]:
            walk(child, f"{path}/{key}" if path else key)
        return
    if path not in loaded.files:
        fail(f"member {path!r} is missing (members: {loaded.files})")
    got = loaded[path]
    if kind == "ndarray":
        shape = tuple(node["shape"])
        raw = base64.b64decode(node["b64"])
        if got.shape != shape:
            fail(f"{path}: shape {got.shape}, expected {shape}")
        if node["dtype"] == "bfloat16":
            bits = np.frombuffer(raw, dtype="<u2").astype("<u4") << 16
            want = bits.view("<f4").reshape(shape)
        elif node["dtype"].startswith("float8"):
            checked += 1
            return
        else:
            want = np.frombuffer(raw, dtype=np.dtype(node["dtype"]).newbyteorder("<")).reshape(shape)
        if got.dtype != want.dtype or got.tobytes() != want.tobytes():
            fail(f"{path}: {got.dtype} {got!r} differs from {want.dtype} {want!r}")
    elif kind == "int":
        if got.shape != () or got.dtype.kind not in "iu" or int(got) != int(node["v"]):
            fail(f"{path}: {got!r}, expected int {node['v']}")
    elif kind == "float":
        want = np.frombuffer(bytes.fromhex(node["bits"])[::-1], dtype="<f8")[0]
        if got.shape != () or got.dtype != np.float64 or got.tobytes() != want.tobytes():
            fail(f"{path}: {got!r}, expected float {node['v']}")
    elif kind == "str":
        if str(got) != node["v"]:
            fail(f"{path}: {got!r}, expected {node['v']!r}")
    else:
        return
    checked += 1


walk(tree, "")
print(f"check_npz_in_numpy: {npz_path}: {checked} members match {vector} (numpy {np.__version__})")
