#!/usr/bin/env python3
"""Writes the interop test data again: vectors/ with braintools' own ``msgpack_save``, and corrupt/.

    python3 tests/interop/generate_vectors.py BRAINTOOLS_CHECKOUT           # rewrite vectors/ and corrupt/
    python3 tests/interop/generate_vectors.py BRAINTOOLS_CHECKOUT --check   # write to a temporary folder and
                                                                            # compare with the checked-in files
    python3 tests/interop/generate_vectors.py --corrupt-only [--check]      # corrupt/ alone (needs no braintools)

BRAINTOOLS_CHECKOUT is a checkout of github.com/chaobrain/braintools (see README.md for the commit). Only its
``braintools/file/_msg_checkpoint.py`` is loaded, with the stand-ins of standins/ installed as ``jax``,
``brainstate``, ``brainunit`` and ``ml_dtypes``. Needs numpy and msgpack (Debian: python3-numpy python3-msgpack).
The .NET tests never run this script; they read the files it wrote.
"""

import argparse
import base64
import collections
import filecmp
import importlib.util
import json
import os
import struct
import sys
import tempfile

import msgpack
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STANDINS = ('jax', 'brainstate', 'brainunit', 'ml_dtypes')


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def install_standins():
    for name in STANDINS:
        sys.modules[name] = load_module(name, os.path.join(HERE, 'standins', name + '.py'))


def load_braintools_checkpoint(checkout):
    path = os.path.join(checkout, 'braintools', 'file', '_msg_checkpoint.py')
    if not os.path.isfile(path):
        sys.exit(f'{path} not found: pass the root of a braintools checkout')
    # Loaded on its own: the braintools package's __init__ imports every submodule, which need the real jax.
    return load_module('braintools_msg_checkpoint', path)


class Recorded:
    """Element values the original run drew at random (brainstate.random / numpy generators, seeds not kept).

    They cannot be drawn again, so they are taken from the checked-in manifest: the script defines every tree,
    type, dtype, shape and literal itself, and only these element bytes come from the previous run.
    """

    def __init__(self, manifest_path):
        with open(manifest_path, encoding='utf-8') as f:
            self._manifest = json.load(f)

    def node(self, vector, path):
        node = self._manifest[vector]['tree']
        for key in filter(None, path.split('/')):
            node = dict(node['items'])[key]
        return node

    def array(self, vector, path):
        node = self.node(vector, path)
        raw = base64.b64decode(node['b64'])
        import ml_dtypes
        if node['dtype'] in ml_dtypes.BY_NAME:
            return ml_dtypes.from_bits(raw, ml_dtypes.BY_NAME[node['dtype']], node['shape'])
        return np.frombuffer(raw, dtype=np.dtype(node['dtype']).newbyteorder('<')).reshape(node['shape']).copy()

    def scalar(self, vector, path):
        node = self.node(vector, path)
        return np.frombuffer(base64.b64decode(node['b64']), dtype=np.dtype(node['dtype']).newbyteorder('<'))[0]


def float_from_bits(bits):
    return struct.unpack('>d', bytes.fromhex(bits))[0]


# ---- the trees: the tutorial's examples (shared seed tutorial) and the format's corners ----------------------

def vectors(rec):
    """(name, max_chunk_size, target) for every vector, in manifest order."""
    import brainstate
    import brainunit as u
    import jax
    jnp = jax.numpy

    def randn(vector, path):
        return jax.Array(rec.array(vector, path))

    yield 'seed_basic', None, {
        'weights': jnp.array([[1.0, 2.0], [3.0, 4.0]]),
        'bias': jnp.array([0.1, 0.2]),
        'config': {'learning_rate': 0.001, 'batch_size': 32},
    }

    class SimpleModel(brainstate.nn.Module):
        def __init__(self):
            self.weight = brainstate.ParamState(jnp.array([[1.0, 2.0], [3.0, 4.0]]))
            self.bias = brainstate.ParamState(jnp.array([0.1, 0.2]))
            self.running_mean = brainstate.State(jnp.array([0.0, 0.0]))

    yield 'seed_model_state', None, {'model_state': SimpleModel().states(), 'training_step': 1000, 'epoch': 10}

    yield 'seed_custom_layer', None, {
        'my_layer': CustomLayer(10, 5, randn('seed_custom_layer', '/my_layer/weights'), jnp.zeros(5)),
        'metadata': {'version': '1.0'},
    }

    yield 'seed_original', None, {
        'layer1': {'weights': jnp.ones((5, 3)), 'bias': jnp.zeros(3)},
        'layer2': {'weights': jnp.ones((3, 2)), 'bias': jnp.zeros(2)},
        'config': {'lr': 0.01},
    }

    yield 'seed_physics', None, {
        'time_constant': 10.0 * u.ms,
        'resistance': 100.0 * u.mohm,
        'capacitance': 200.0 * u.pF,
        'voltage_threshold': -50.0 * u.mV,
        'trace': randn('seed_physics', '/trace/mantissa') * u.mV,
    }

    def layer(path, n):
        return {'weights': randn('seed_complex_model', path), 'bias': jnp.zeros(n)}

    momentum_shapes = [(100, 64), (64, 32), (32, 64), (64, 100)]
    yield 'seed_complex_model', None, {
        'encoder': {
            'layers': [layer('/encoder/layers/0/weights', 64), layer('/encoder/layers/1/weights', 32)],
            'config': {'activation': 'relu', 'dropout': 0.1},
        },
        'decoder': {
            'layers': [layer('/decoder/layers/0/weights', 64), layer('/decoder/layers/1/weights', 100)],
            'config': {'activation': 'sigmoid'},
        },
        'optimizer_state': {
            'momentum': [jnp.zeros_like(jnp.zeros(shape)) for shape in momentum_shapes],
            'learning_rate': 0.001,
            'step': 1000,
        },
    }

    yield 'seed_versioned', None, {
        'model': {'weights': jnp.ones((10, 10))},
        'metadata': {
            # The tutorial's braintools.__version__ and a fixed time.time(), so the file does not change per run.
            'braintools_version': '0.0.12',
            'model_version': '1.2.0',
            'timestamp': 1764330000.125,
            'training_config': {'lr': 0.001, 'batch_size': 32},
        },
    }

    yield 'seed_epoch_10', None, {
        'model_state': {'weights': jnp.ones((10, 10)), 'bias': jnp.zeros(10)},
        'epoch': 10,
        'optimizer_state': {'momentum': jnp.zeros((10, 10)), 'step': 0},
        'rng_state': jax.random.PRNGKey(42),
    }

    yield 'dtypes', None, dtypes_tree(rec)
    yield 'scalars', None, scalars_tree(rec)

    # Written with a 64-byte chunk threshold so that both float arrays are split (braintools' default is 2**30).
    yield 'chunked', 64, {
        'big': rec.array('chunked', '/big'),
        'small': np.arange(3, dtype=np.int64),
        'list': [rec.array('chunked', '/list/0')],
    }

    yield 'toplevel_array', None, rec.array('toplevel_array', '')
    yield 'toplevel_list', None, [1, 2.5, 'three', np.arange(4, dtype=np.int16)]
    yield 'toplevel_scalar', None, 42


class CustomLayer:
    """The tutorial's custom layer, saved through a registered handler."""

    def __init__(self, input_size, output_size, weights, bias):
        self.input_size, self.output_size, self.weights, self.bias = input_size, output_size, weights, bias


def register_custom_layer(bt):
    bt.msgpack_register_serialization(
        CustomLayer,
        lambda layer: {'input_size': layer.input_size, 'output_size': layer.output_size,
                       'weights': layer.weights, 'bias': layer.bias},
        lambda layer, state, mismatch='error': CustomLayer(state['input_size'], state['output_size'],
                                                           state['weights'], state['bias']),
        override=True,
    )


def dtypes_tree(rec):
    """Every dtype braintools writes, each as a vector, a matrix, a 0-d array and an empty array; then shapes."""
    names = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
             'float16', 'float32', 'float64', 'complex64', 'complex128', 'bfloat16', 'float8_e4m3fn', 'float8_e5m2']
    tree = {}
    for name in names:
        empty = rec.array('dtypes', f'/{name}/empty')
        assert empty.size == 0
        tree[name] = {
            'vec': rec.array('dtypes', f'/{name}/vec'),
            'mat': rec.array('dtypes', f'/{name}/mat'),
            'scalar0d': rec.array('dtypes', f'/{name}/scalar0d'),
            'empty': empty,
        }
    # A Fortran-ordered array and a strided view: braintools writes both in C order (tobytes('C')).
    fortran = np.asfortranarray(rec.array('dtypes', '/shapes/fortran_order'))
    assert not fortran.flags['C_CONTIGUOUS']
    strided_base = np.zeros((6, 6), dtype=np.float32)
    strided_base[::2, ::2] = rec.array('dtypes', '/shapes/strided_view')
    tree['shapes'] = {
        'rank5': rec.array('dtypes', '/shapes/rank5'),
        'zero_middle': np.zeros((2, 0, 3), dtype=np.float64),
        'fortran_order': fortran,
        'strided_view': strided_base[::2, ::2],
        'special_floats': np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]),
    }
    return tree


def scalars_tree(rec):
    """numpy scalars of every dtype, and every Python value the wire has a form for."""
    import jax
    np_names = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
                'float16', 'float32', 'float64', 'complex64', 'complex128']
    pair = collections.namedtuple('Pair', ['left', 'right'])
    return {
        'np_scalars': {name: rec.scalar('scalars', f'/np_scalars/{name}') for name in np_names},
        'python_complex': complex(1.5, -2.25),
        'ints': {'zero': 0, 'fixint_max': 127, 'neg_fixint': -32, 'u8': 255, 'u16': 65535, 'u32': 4294967295,
                 'i64_max': 2**63 - 1, 'i64_min': -2**63, 'u64_max': 2**64 - 1, 'neg': -129},
        'floats': {'pi': 3.141592653589793, 'nan': float('nan'), 'inf': float('inf'), 'ninf': float('-inf'),
                   'neg_zero': -0.0, 'tiny': 5e-324, 'one': 1.0},
        'strings': {'empty': '', 'ascii': 'relu', 'unicode': 'ταυ μs 神经元 🧠', 'long': 'x' * 300},
        'bytes': {'empty': b'', 'some': bytes(range(256))},
        'none': None,
        'true': True,
        'false': False,
        'empty_dict': {},
        'empty_list': [],
        'tuple': (1, 'two', 3.0),
        'namedtuple': pair(left=jax.numpy.ones(2), right='r'),
        'int_keys': {1: 'one', 2: 'two'},
        'deep': {'a': {'b': {'c': {'d': {'e': {'f': {'g': [[[{'leaf': 1}]]]}}}}}}},
    }


# ---- the manifest: what a load of each file returns, read back from the bytes ---------------------------------

class _Ext:
    def __init__(self, code, data):
        self.code, self.data = code, data


def describe(value):
    """A node of the manifest (see README.md, "Node forms") for one value of a decoded file."""
    if isinstance(value, dict):
        if '__msgpack_chunked_array__' in value:
            return describe_chunked(value)
        return {'t': 'map', 'items': [[key, describe(item)] for key, item in value.items()]}
    if isinstance(value, _Ext):
        if value.code == 2:
            re, im = msgpack.unpackb(value.data)
            return {'t': 'complex', 'v': repr(complex(re, im)), 're_bits': bits(re), 'im_bits': bits(im)}
        shape, dtype, buffer = msgpack.unpackb(value.data, raw=True)
        node = {'t': 'ndarray' if value.code == 1 else 'npscalar', 'dtype': dtype.decode()}
        if value.code == 1:
            node['shape'] = list(shape)
        node['b64'] = base64.b64encode(buffer).decode()
        return node
    if value is None:
        return {'t': 'nil'}
    if isinstance(value, bool):
        return {'t': 'bool', 'v': value}
    if isinstance(value, int):
        return {'t': 'int', 'v': str(value)}
    if isinstance(value, float):
        return {'t': 'float', 'v': repr(value), 'bits': bits(value)}
    if isinstance(value, str):
        return {'t': 'str', 'v': value}
    if isinstance(value, bytes):
        return {'t': 'bytes', 'b64': base64.b64encode(value).decode()}
    raise TypeError(f'no manifest form for {type(value).__name__}')


def describe_chunked(value):
    # As braintools' _unchunk: the shape's entries in order, the flat chunks joined.
    shape = [value['shape'][str(i)] for i in range(len(value['shape']))]
    chunks = [msgpack.unpackb(value['chunks'][str(i)].data, raw=True) for i in range(len(value['chunks']))]
    dtype = chunks[0][1].decode()
    return {'t': 'ndarray', 'dtype': dtype, 'shape': shape,
            'b64': base64.b64encode(b''.join(chunk[2] for chunk in chunks)).decode()}


def bits(x):
    return struct.pack('>d', x).hex()


def manifest_entry(name, path, max_chunk_size):
    with open(path, 'rb') as f:
        decoded = msgpack.unpackb(f.read(), ext_hook=_Ext, raw=False)
    return {'file': name + '.msgpack', 'max_chunk_size': max_chunk_size, 'tree': describe(decoded)}


def write_vectors(bt, rec, out):
    os.makedirs(out, exist_ok=True)
    register_custom_layer(bt)
    default_chunk = bt.MAX_CHUNK_SIZE
    manifest = {}
    for name, max_chunk_size, target in vectors(rec):
        path = os.path.join(out, name + '.msgpack')
        bt.MAX_CHUNK_SIZE = max_chunk_size or default_chunk
        try:
            bt.msgpack_save(path, target, verbose=False)
        finally:
            bt.MAX_CHUNK_SIZE = default_chunk
        manifest[name] = manifest_entry(name, path, max_chunk_size or default_chunk)
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(manifest, indent=1, ensure_ascii=False))


# ---- corrupt/: small hand-made damaged files, each named after its damage --------------------------------------

def ndarray_ext(shape, dtype, data):
    return msgpack.ExtType(1, msgpack.packb([shape, dtype, data], use_bin_type=True))


def corrupt_files(seed_basic):
    pack = lambda tree: msgpack.packb(tree, use_bin_type=True)  # noqa: E731
    chunked = {'__msgpack_chunked_array__': True, 'shape': {'0': 4}}
    return {
        'bin32_claims_4gib': b'\x81\xa1w' + b'\xc6\xff\xff\xff\xff' + bytes(8),
        'chunked_missing_chunks': pack({'w': chunked}),
        'chunked_size_mismatch': pack({'w': {'__msgpack_chunked_array__': True, 'shape': {'0': 9},
                                             'chunks': {'0': ndarray_ext([2], 'float32', bytes(8))}}}),
        'complex_payload_wrong': pack({'z': msgpack.ExtType(2, pack(['a', 'b']))}),
        'empty_file': b'',
        'ext_payload_not_msgpack': pack({'w': msgpack.ExtType(1, b'\xc1\xc1\xc1')}),
        'ext_payload_wrong_arity': pack({'w': msgpack.ExtType(1, pack([[2], 'float32']))}),
        'invalid_utf8_string': b'\x81\xa1k' + b'\xa2\xff\xfe',
        'map32_claims_4g_entries': b'\xdf\xff\xff\xff\xff' + pack('a') + pack(1),
        'negative_dimension': pack({'w': ndarray_ext([-1, 4], 'float32', bytes(16))}),
        # 200,000 nested one-entry maps {'k': {'k': ...}} ending in nil.
        'nesting_bomb': b'\x81\xa1k' * 200_000 + b'\xc0',
        'non_string_map_key': pack({1: 2, 'a': 3}),
        'object_dtype': pack({'w': ndarray_ext([2], 'object', bytes(16))}),
        'reserved_byte_c1': b'\xc1',
        'shape_larger_than_buffer': pack({'w': ndarray_ext([1000, 1000], 'float32', bytes(16))}),
        'shape_product_overflows': pack({'w': ndarray_ext([2**62, 2**62], 'float32', bytes(16))}),
        'trailing_garbage': seed_basic + b'\x00\x01',
        'truncated_half': seed_basic[:len(seed_basic) // 2],
        'truncated_last_byte': seed_basic[:-1],
        'unknown_dtype': pack({'w': ndarray_ext([2], 'float99', bytes(8))}),
    }


def write_corrupt(seed_basic_path, out):
    os.makedirs(out, exist_ok=True)
    with open(seed_basic_path, 'rb') as f:
        seed_basic = f.read()
    for name, data in corrupt_files(seed_basic).items():
        with open(os.path.join(out, name + '.msgpack'), 'wb') as f:
            f.write(data)


def compare(written, checked_in):
    """Byte-for-byte comparison of two folders; prints one line per file, returns the number that differ."""
    names = sorted(set(os.listdir(written)) | set(os.listdir(checked_in)))
    differ = 0
    for name in names:
        a, b = os.path.join(written, name), os.path.join(checked_in, name)
        same = os.path.isfile(a) and os.path.isfile(b) and filecmp.cmp(a, b, shallow=False)
        differ += not same
        print(f"{'same' if same else 'DIFFERENT'}  {os.path.relpath(b, HERE)}")
    return differ


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('braintools', nargs='?', help='root of a braintools checkout')
    parser.add_argument('--check', action='store_true', help='compare with the checked-in files instead of writing them')
    parser.add_argument('--corrupt-only', action='store_true', help='only corrupt/ (no braintools needed)')
    args = parser.parse_args()
    if not args.corrupt_only and not args.braintools:
        parser.error('the braintools checkout is required (or --corrupt-only)')

    with tempfile.TemporaryDirectory() as temp:
        out = temp if args.check else HERE
        if not args.corrupt_only:
            rec = Recorded(os.path.join(HERE, 'vectors', 'manifest.json'))
            install_standins()
            bt = load_braintools_checkpoint(args.braintools)
            write_vectors(bt, rec, os.path.join(out, 'vectors'))
        seed_basic = os.path.join(out if not args.corrupt_only else HERE, 'vectors', 'seed_basic.msgpack')
        write_corrupt(seed_basic, os.path.join(out, 'corrupt'))
        if args.check:
            differ = 0
            if not args.corrupt_only:
                differ += compare(os.path.join(out, 'vectors'), os.path.join(HERE, 'vectors'))
            differ += compare(os.path.join(out, 'corrupt'), os.path.join(HERE, 'corrupt'))
            print('all files identical' if differ == 0 else f'{differ} file(s) differ')
            return 1 if differ else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
