"""Writes the damaged safetensors and .npz files of the format tests (pure Python: struct and zipfile only).

Run: python3 make_damaged.py   (in this folder). Each file breaks one rule; the tests expect the library's
InvalidCheckpointException (file and tree path named) where issue 13 point 6 found raw .NET exceptions:
  damaged_central_directory.npz  central directory record signature broken (was InvalidDataException from NpzFile.Read)
  bad_local_header.npz           local file header signature broken (InvalidDataException on opening the member)
  truncated_member.npz           a stored member cut short of what its npy header claims
  unknown_compression.npz        compression method 99 (NotSupportedException from System.IO.Compression)
  inflated_claim.npz             a deflated member that claims 1 TB from 100 compressed bytes
  invalid_code_point.npz         a <U2 member holding a surrogate, U+D800 (was ArgumentOutOfRangeException)
  code_point_too_large.npz       a <U1 member holding 0x110000, past Unicode
  invalid_utf8_header.safetensors a header with the byte 0xff inside a name (was InvalidOperationException)
  header_length_too_large.safetensors  the length prefix claims 2^40 bytes
  not_contiguous.safetensors     two tensors whose data_offsets overlap
  duplicate_name.safetensors     the same tensor name twice in the header
  deep_name.safetensors          a name of 1001 keys (a.a.a...), deeper than TensorFileOptions.MaxDepth
  value_and_group.safetensors    'a' is a tensor and 'a.b' another, so 'a' would be a value and a group
"""
import json
import struct
import zipfile


def npy(descr, shape, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def write_npz(name, members, method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(name, "w", method) as z:
        for member, data in members:
            z.writestr(member, data)


good = [("w.npy", npy("<f4", "(2,)", struct.pack("<2f", 1.0, 2.0))), ("layers/b.npy", npy("<i8", "(1,)", struct.pack("<q", 7)))]

write_npz("good.npz", good)
raw = bytearray(open("good.npz", "rb").read())

data = bytearray(raw)
central = data.find(b"PK\x01\x02")
data[central:central + 4] = b"PK\x09\x09"
open("damaged_central_directory.npz", "wb").write(data)

data = bytearray(raw)
data[0:4] = b"PK\x09\x09"
open("bad_local_header.npz", "wb").write(data)

write_npz("truncated_member.npz", [("w.npy", npy("<f4", "(1000,)", struct.pack("<2f", 1.0, 2.0)))])

data = bytearray(raw)
for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
    at = data.find(signature)
    data[at + offset:at + offset + 2] = struct.pack("<H", 99)
open("unknown_compression.npz", "wb").write(data)

write_npz("inflated_claim.npz", [("w.npy", npy("<f4", "(2,)", struct.pack("<2f", 1.0, 2.0)) * 4)], zipfile.ZIP_DEFLATED)
data = bytearray(open("inflated_claim.npz", "rb").read())
for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
    at = data.find(signature)
    data[at + offset:at + offset + 4] = struct.pack("<I", 0xFFFFFFFE)
open("inflated_claim.npz", "wb").write(data)

write_npz("invalid_code_point.npz", [("s.npy", npy("<U2", "()", struct.pack("<2I", 0x61, 0xD800)))])
write_npz("code_point_too_large.npz", [("s.npy", npy("<U1", "()", struct.pack("<I", 0x110000)))])


def write_safetensors(name, header_bytes, data=b""):
    header_bytes += b" " * ((8 - (8 + len(header_bytes)) % 8) % 8)
    open(name, "wb").write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)


tensor = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
write_safetensors("good.safetensors", json.dumps({"w": tensor}).encode(), struct.pack("<2f", 1.0, 2.0))
write_safetensors("invalid_utf8_header.safetensors", b'{"w\xff": ' + json.dumps(tensor).encode() + b"}", struct.pack("<2f", 1.0, 2.0))
open("header_length_too_large.safetensors", "wb").write(struct.pack("<Q", 1 << 40) + b'{"w": {}}')
write_safetensors("not_contiguous.safetensors", json.dumps({"a": tensor, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode(), b"\0" * 12)
write_safetensors("duplicate_name.safetensors", ('{"w": %s, "w": %s}' % (json.dumps(tensor), json.dumps({"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}))).encode(), b"\0" * 16)
write_safetensors("deep_name.safetensors", json.dumps({".".join(["a"] * 1001): tensor}).encode(), b"\0" * 8)
write_safetensors("value_and_group.safetensors", json.dumps({"a": tensor, "a.b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}).encode(), b"\0" * 16)
