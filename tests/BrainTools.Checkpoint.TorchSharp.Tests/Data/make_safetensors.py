"""Writes torch_mlp.safetensors: the state_dict of Sequential(fc1=Linear(4, 8), bn=BatchNorm1d(8), relu, fc2=Linear(8, 3))
as `safetensors.torch.save_file(model.state_dict(), path, metadata={"format": "pt"})` lays it out.

Python's safetensors package is not installable on the machines this project is built on (no PyPI), so this script
writes the reference layout itself, following safetensors' Rust `serialize` (safetensors/src/tensor.rs):
  - tensors sorted by dtype, larger dtype first, then by name (all float32 here except num_batches_tracked, int64);
  - the header is compact JSON (serde_json), "__metadata__" first, then the tensors in that order, each
    {"dtype", "shape", "data_offsets"}; padded with spaces to a multiple of 8 bytes;
  - 8-byte little-endian header length, header, then the tensors' bytes back to back.
Values follow a formula the test recomputes: element i of the tensor named n is ((i * 7 + len(n)) % 23 - 11) / 8.

Run: python3 make_safetensors.py   (in this folder; needs only the standard library).
"""
import json
import struct

SHAPES = [
    ("fc1.weight", "F32", [8, 4]),
    ("fc1.bias", "F32", [8]),
    ("bn.weight", "F32", [8]),
    ("bn.bias", "F32", [8]),
    ("bn.running_mean", "F32", [8]),
    ("bn.running_var", "F32", [8]),
    ("bn.num_batches_tracked", "I64", []),
    ("fc2.weight", "F32", [3, 8]),
    ("fc2.bias", "F32", [3]),
]
DTYPE_RANK = {"I64": 1, "F32": 0}  # safetensors' Dtype order: I64 sorts after F32, so it comes first (larger first)


def values(name, shape, dtype):
    count = 1
    for d in shape:
        count *= d
    if dtype == "I64":
        return struct.pack("<q", 5)
    return struct.pack("<%df" % count, *[((i * 7 + len(name)) % 23 - 11) / 8 for i in range(count)])


entries = sorted(SHAPES, key=lambda e: (-DTYPE_RANK[e[1]], e[0]))
header = {"__metadata__": {"format": "pt"}}
data = b""
for name, dtype, shape in entries:
    payload = values(name, shape, dtype)
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
    data += payload
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * ((8 - len(text) % 8) % 8)
with open("torch_mlp.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
