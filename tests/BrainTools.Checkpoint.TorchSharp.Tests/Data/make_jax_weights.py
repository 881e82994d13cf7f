#!/usr/bin/env python3
"""Writes the JAX-side test data of the TorchSharp tests, as the Python reference lays it out.

Run from this folder with Debian's python3-numpy and python3-msgpack (no JAX needed):

    python3 make_jax_weights.py

The checkpoints use the wire layout of braintools.file.msgpack_save / flax.serialization.to_bytes
(see shared/interop/README.md): nested maps, numpy arrays as msgpack ext type 1 whose payload is
msgpack [shape, dtype name, C-order little-endian bytes]. The parameter trees are those of a flax
linen module: {'params': {'Dense_0': {'kernel': (in, out), 'bias': (out,)}, ...}}, and conv kernels
HWIO with NHWC inputs.

Files written (deterministic: numpy's RandomState(seed) and float32 arithmetic):
  jax_mlp.msgpack      params of Dense(16) -> relu -> Dense(3) on 4 inputs
  jax_mlp_io.msgpack   {'x': (5, 4) inputs, 'y': (5, 3) numpy's outputs of the forward pass}
  jax_cnn.msgpack      params of Conv(4, kernel (3, 3), VALID) on 2 channels
  jax_cnn_io.msgpack   {'x': (2, 6, 5, 2) NHWC inputs, 'y': (2, 4, 3, 4) NHWC outputs}
"""
import msgpack
import numpy as np


def ext_hook(obj):
    if isinstance(obj, np.ndarray):
        payload = msgpack.packb((list(obj.shape), obj.dtype.name, obj.tobytes("C")), use_bin_type=True)
        return msgpack.ExtType(1, payload)
    raise TypeError(type(obj))


def save(path, tree):
    with open(path, "wb") as f:
        f.write(msgpack.packb(tree, default=ext_hook, use_bin_type=True, strict_types=False))


def mlp():
    rng = np.random.RandomState(0)
    params = {
        "Dense_0": {
            "kernel": rng.normal(0, 0.5, (4, 16)).astype(np.float32),
            "bias": rng.normal(0, 0.1, (16,)).astype(np.float32),
        },
        "Dense_1": {
            "kernel": rng.normal(0, 0.5, (16, 3)).astype(np.float32),
            "bias": rng.normal(0, 0.1, (3,)).astype(np.float32),
        },
    }
    x = rng.normal(0, 1, (5, 4)).astype(np.float32)
    h = np.maximum(x @ params["Dense_0"]["kernel"] + params["Dense_0"]["bias"], np.float32(0))
    y = (h @ params["Dense_1"]["kernel"] + params["Dense_1"]["bias"]).astype(np.float32)
    save("jax_mlp.msgpack", {"params": params})
    save("jax_mlp_io.msgpack", {"x": x, "y": y})


def cnn():
    rng = np.random.RandomState(1)
    kernel = rng.normal(0, 0.5, (3, 3, 2, 4)).astype(np.float32)  # HWIO
    bias = rng.normal(0, 0.1, (4,)).astype(np.float32)
    x = rng.normal(0, 1, (2, 6, 5, 2)).astype(np.float32)  # NHWC
    n, height, width, _ = x.shape
    kh, kw, _, out = kernel.shape
    y = np.zeros((n, height - kh + 1, width - kw + 1, out), np.float32)
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            window = x[:, i:i + kh, j:j + kw, :]  # (n, kh, kw, in)
            y[:, i, j, :] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    save("jax_cnn.msgpack", {"params": {"Conv_0": {"kernel": kernel, "bias": bias}}})
    save("jax_cnn_io.msgpack", {"x": x, "y": y})


if __name__ == "__main__":
    mlp()
    cnn()
