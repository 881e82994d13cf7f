"""Writes the damaged checkpoints of this folder (issue 13), byte by byte: python3 make_hostile.py.

A minimal msgpack encoder, so that the bytes are exactly what each file needs (no msgpack package required)."""
import struct


def s(text):
    b = text.encode()
    assert len(b) < 32
    return bytes([0xA0 | len(b)]) + b


def m(*pairs):
    assert len(pairs) < 16
    return bytes([0x80 | len(pairs)]) + b"".join(s(k) + v for k, v in pairs)


def uint(n):
    if n < 128:
        return bytes([n])
    if n < 2**32:
        return b"\xce" + struct.pack(">I", n)
    return b"\xcf" + struct.pack(">Q", n)


def ndarray(shape, dtype, data):
    payload = bytes([0x93]) + bytes([0x90 | len(shape)]) + b"".join(uint(d) for d in shape) + s(dtype) + b"\xc4" + bytes([len(data)]) + data
    return b"\xc7" + bytes([len(payload), 1]) + payload


TRUE = b"\xc3"
floats = struct.pack("<2f", 1.5, -2.0)

inner = m(("__msgpack_chunked_array__", TRUE), ("shape", m(("0", uint(2)))), ("chunks", m(("0", ndarray([2], "float32", floats)))))
files = {
    # A chunk that is itself a chunked array (flax's _unchunk cannot concatenate it).
    "nested_chunked_array.msgpack": m(("a", m(("__msgpack_chunked_array__", TRUE), ("shape", m(("0", uint(2)))), ("chunks", m(("0", inner)))))),
    # A zero-size array with a dimension of 2^31: valid for numpy, past what a .NET array can have.
    "zero_size_dimension_2_pow_31.msgpack": m(("w", ndarray([2**31, 0], "float32", b""))),
}
for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)
