#!/usr/bin/python3
"""Writes the array-file test fixtures with real numpy, h5py and PyTables.

Run with Debian's interpreter (it has python3-numpy, python3-h5py, python3-tables):

    npm run fixtures        # = /usr/bin/python3 scripts/make_fixtures.py

Everything goes to tests/fixtures/io/. Besides the data files it writes manifest.json, which
records what numpy/h5py say each array holds (shape, dtype, values), so the TypeScript tests
compare the readers against numpy itself rather than against numbers typed into a test.

Value encoding in manifest.json (JSON cannot hold all of numpy's values exactly):
  64-bit integers -> decimal strings; NaN / +-inf -> "nan", "inf", "-inf";
  complex -> [re, im]; bytes -> latin-1 decoded strings; bool -> true/false.
"""

import io
import json
import math
import os
import pickle
import shutil
import struct
import sys
import types
import zipfile

import numpy as np

try:
    import h5py
except ImportError:  # the NPY/NPZ fixtures can still be written
    h5py = None

try:
    import tables
except ImportError:
    tables = None

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'io')
MANIFEST = {'numpy': np.__version__, 'h5py': h5py.__version__ if h5py else None, 'files': {}}


def out(name):
    path = os.path.join(ROOT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def enc_scalar(v):
    """One numpy element -> a JSON value (see module docstring)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        iv = int(v)
        return str(iv) if isinstance(v, (np.int64, np.uint64)) else iv
    if isinstance(v, (np.complexfloating, complex)):
        return [enc_scalar(float(np.real(v))), enc_scalar(float(np.imag(v)))]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f):
            return 'nan'
        if math.isinf(f):
            return 'inf' if f > 0 else '-inf'
        return f
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode('latin-1')
    if isinstance(v, (str, np.str_)):
        return str(v)
    raise TypeError(f'cannot encode {type(v)}')


def describe(arr):
    """What the manifest says about one array: C-order flat values, as numpy reads them."""
    arr = np.asarray(arr)
    return {
        'shape': list(arr.shape),
        'dtype': arr.dtype.newbyteorder('<').str if arr.dtype.byteorder == '>' else arr.dtype.str,
        'values': [enc_scalar(v) for v in np.ascontiguousarray(arr).reshape(-1)],
    }


def record(file, path, arr, **extra):
    entry = describe(arr)
    entry.update(extra)
    MANIFEST['files'].setdefault(file, {})[path] = entry


def record_value(file, path, value):
    MANIFEST['files'].setdefault(file, {})[path] = {'value': value}


# ---------------------------------------------------------------------------------------------
# Arrays of every dtype the readers support


def sample_arrays():
    """name -> little-endian array; small, with each type's edge values."""
    return {
        'bool': np.array([[True, False, True], [False, False, True]]),
        'int8': np.array([[-128, -1, 0], [1, 42, 127]], dtype=np.int8),
        'int16': np.array([[-32768, -1, 0], [1, 1234, 32767]], dtype=np.int16),
        'int32': np.array([[-2**31, -1, 0], [1, 123456789, 2**31 - 1]], dtype=np.int32),
        'int64': np.array([[-2**63, -(2**53 + 1), 0], [2**53 + 1, 123456789012345678, 2**63 - 1]], dtype=np.int64),
        'uint8': np.array([[0, 1, 127], [128, 200, 255]], dtype=np.uint8),
        'uint16': np.array([[0, 1, 32768], [40000, 60000, 65535]], dtype=np.uint16),
        'uint32': np.array([[0, 1, 2**31], [3000000000, 4000000000, 2**32 - 1]], dtype=np.uint32),
        'uint64': np.array([[0, 1, 2**53 + 1], [2**63, 18000000000000000001, 2**64 - 1]], dtype=np.uint64),
        'float16': np.array([[0.0, -1.5, 65504.0], [6e-8, np.inf, np.nan]], dtype=np.float16),
        'float32': np.array([[0.0, -0.0, 1.5e-42], [3.4e38, -np.inf, np.nan]], dtype=np.float32),
        'float64': np.array([[np.pi, -1e-310, 1e308], [np.inf, -np.inf, np.nan]], dtype=np.float64),
        'complex64': np.array([[1 + 2j, -3.5j, 0], [np.nan + 1j, 1e30 - 1e-30j, -1]], dtype=np.complex64),
        'complex128': np.array([[1 + 2j, -3.5j, 0], [complex(np.inf, -np.inf), 1e300 - 1e-300j, -1]], dtype=np.complex128),
        'unicode': np.array([['', 'a', 'héllo'], ['日本語', '😀x', 'tail']]),
        'bytes': np.array([[b'', b'ab', b'\xff\x00z'], [b'xyz', b'\x01', b'longer!']]),
    }


def write_npy_fixtures():
    arrays = sample_arrays()
    for name, arr in arrays.items():
        np.save(out(f'npy/{name}.npy'), arr)
        record(f'npy/{name}.npy', f'/{name}', arr)
        if arr.dtype.itemsize > 1 and arr.dtype.kind not in 'bS':
            big = arr.astype(arr.dtype.newbyteorder('>'))
            np.save(out(f'npy/{name}-be.npy'), big)
            record(f'npy/{name}-be.npy', f'/{name}-be', big, byteorder='>')

    # Fortran order: numpy writes the data column-major; readers must expose C order.
    for name, arr in {
        'fortran-f8': np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5,
        'fortran-i2': (np.arange(12, dtype=np.int16) - 6).reshape(3, 4),
        'fortran-U': np.array([['a', 'bb', 'ccc'], ['dddd', 'e', '']]),
        'fortran-c16-be': (np.arange(6) + 1j * np.arange(6)[::-1]).reshape(2, 3).astype('>c16'),
    }.items():
        farr = np.asfortranarray(arr)
        np.save(out(f'npy/{name}.npy'), farr)
        record(f'npy/{name}.npy', f'/{name}', farr, fortran_order=True)

    # Format versions 1.0, 2.0 and 3.0 of the same array.
    arr = np.arange(10, dtype=np.float32).reshape(2, 5)
    for version in [(1, 0), (2, 0), (3, 0)]:
        name = f'version-{version[0]}.0'
        with open(out(f'npy/{name}.npy'), 'wb') as f:
            np.lib.format.write_array(f, arr, version=version)
        record(f'npy/{name}.npy', f'/{name}', arr)

    # 0-d scalars and empty arrays.
    for name, arr in {
        'scalar-f8': np.array(2.5),
        'scalar-i8': np.array(-(2**62) - 1, dtype=np.int64),
        'scalar-U': np.array('α-scalar'),
        'empty-1d': np.zeros((0,), dtype=np.float32),
        'empty-3d': np.zeros((2, 0, 3), dtype=np.int16),
        'empty-U': np.zeros((0, 2), dtype='<U3'),
    }.items():
        np.save(out(f'npy/{name}.npy'), arr)
        record(f'npy/{name}.npy', f'/{name}', arr)

    # A stack of images to check reading one image (a slice).
    stack = (np.arange(5 * 6 * 7) % 251).astype(np.uint8).reshape(5, 6, 7)
    np.save(out('npy/stack.npy'), stack)
    record('npy/stack.npy', '/stack', stack)

    # Unsupported dtypes: a clear error, never garbage.
    np.save(out('bad/datetime.npy'), np.array(['2020-01-01', '2021-06-30'], dtype='datetime64[D]'))
    np.save(out('bad/structured.npy'), np.zeros(3, dtype=[('x', '<f4'), ('y', '<i2')]))
    np.save(out('bad/void.npy'), np.zeros(2, dtype='V4'))


# ---------------------------------------------------------------------------------------------
# NPZ: stored, deflated, nested names, object arrays with pickles of protocols 2-5


def object_payload():
    """The issue's example: dicts of arrays and metadata as np.savez writes them."""
    x_px = np.linspace(0.0, 1.0, 5)
    y_px = np.arange(5, dtype=np.int32) * 3
    return {
        '1d': np.array({'x_px': x_px, 'y_px': y_px}, dtype=object),
        'metadata': np.array({
            'phases': ['p4mbm', 'gratia_2h'],
            'id': 'sim-0042',
            'n_points': 5,
            'wavelength_A': np.float64(1.5406),
            'flags': (True, False, None),
            'nested': {'shape': (2, 3), 'image': np.eye(2, 3, dtype=np.float32)},
        }, dtype=object),
        'ragged': np.array([np.arange(3, dtype=np.int16), np.arange(5, dtype=np.int16)], dtype=object),
        'names': np.array(['alpha', 'beta', 'gamma'], dtype=object),
    }


def record_object_payload(file):
    p = object_payload()
    d1 = p['1d'].item()
    record(file, '/1d/x_px', d1['x_px'])
    record(file, '/1d/y_px', d1['y_px'])
    md = p['metadata'].item()
    record_value(file, '/metadata/phases', md['phases'])
    record_value(file, '/metadata/id', md['id'])
    record_value(file, '/metadata/n_points', md['n_points'])
    record_value(file, '/metadata/wavelength_A', float(md['wavelength_A']))
    record_value(file, '/metadata/flags', list(md['flags']))
    record_value(file, '/metadata/nested/shape', list(md['nested']['shape']))
    record(file, '/metadata/nested/image', md['nested']['image'])
    record(file, '/ragged/0', p['ragged'][0])
    record(file, '/ragged/1', p['ragged'][1])
    record_value(file, '/names', list(p['names']))


class NumPy2Pickler(pickle.Pickler):
    """Pickles ndarrays as NumPy 2 does: module paths under numpy._core instead of numpy.core.

    numpy 1.24 (Debian's) cannot write those names itself; the pickled bytes are otherwise
    exactly what numpy produces, because the reduce tuple comes from ndarray.__reduce_ex__.
    """

    def __init__(self, file, protocol):
        super().__init__(file, protocol=protocol)
        self.protocol = protocol

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray):
            func, args, *state = obj.__reduce_ex__(self.protocol)
            return (NUMPY2_NAMES[func.__name__], args, *state)
        if isinstance(obj, np.generic):
            func, args = obj.__reduce__()
            return (NUMPY2_NAMES[func.__name__], args)
        return NotImplemented


def _numpy2_stand_in(module, name):
    def stand_in(*args):
        raise RuntimeError('only used as a pickle name')
    stand_in.__module__ = module
    stand_in.__qualname__ = stand_in.__name__ = name
    sys.modules.setdefault(module, types.ModuleType(module))
    setattr(sys.modules[module], name, stand_in)
    return stand_in


NUMPY2_NAMES = {
    '_reconstruct': _numpy2_stand_in('numpy._core.multiarray', '_reconstruct'),
    'scalar': _numpy2_stand_in('numpy._core.multiarray', 'scalar'),
    '_frombuffer': _numpy2_stand_in('numpy._core.numeric', '_frombuffer'),
}


def npy_bytes_with_pickle(arr, protocol, numpy2=False):
    """An object-array .npy member whose pickle uses the given protocol (np.save uses 3)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
    if numpy2:
        NumPy2Pickler(buf, protocol=protocol).dump(arr)
    else:
        pickle.dump(arr, buf, protocol=protocol)
    return buf.getvalue()


def write_zip(path, members, compression):
    """Like np.savez: every member written with force_zip64 (ZIP64 extras in local headers)."""
    with zipfile.ZipFile(path, 'w', compression=compression, allowZip64=True) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with zf.open(info, 'w', force_zip64=True) as f:
                f.write(data)


def write_npz_fixtures():
    arrays = sample_arrays()
    np.savez(out('npz/stored.npz'), **arrays)
    np.savez_compressed(out('npz/deflated.npz'), **arrays)
    for name, arr in arrays.items():
        record('npz/stored.npz', f'/{name}', arr)
        record('npz/deflated.npz', f'/{name}', arr)

    positional = [np.arange(4, dtype=np.int32), np.ones((2, 2))]
    np.savez(out('npz/positional.npz'), *positional)
    for i, arr in enumerate(positional):
        record('npz/positional.npz', f'/arr_{i}', arr)

    nested = {'group/a': np.arange(3, dtype=np.float32), 'group/sub/b': np.array([[1, 2], [3, 4]], dtype='>i4'),
              'top': np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))}
    np.savez_compressed(out('npz/nested-names.npz'), **nested)
    for name, arr in nested.items():
        record('npz/nested-names.npz', f'/{name}', arr)

    # Newer Pythons write 0xFFFFFFFF sizes into local headers of force_zip64 members (the real
    # sizes only in the ZIP64 extra); make that variant from the deflated archive.
    with open(out('npz/deflated.npz'), 'rb') as f:
        data = bytearray(f.read())
    pos = 0
    while (pos := data.find(b'PK\x03\x04', pos)) >= 0:
        name_len, extra_len = struct.unpack_from('<HH', data, pos + 26)
        if extra_len >= 20 and struct.unpack_from('<H', data, pos + 30 + name_len)[0] == 1:
            struct.pack_into('<II', data, pos + 18, 0xFFFFFFFF, 0xFFFFFFFF)
        pos += 30
    with open(out('npz/zip64-local-sizes.npz'), 'wb') as f:
        f.write(data)
    for name, arr in arrays.items():
        record('npz/zip64-local-sizes.npz', f'/{name}', arr)

    stack = (np.arange(6 * 16 * 16) % 97).astype(np.float32).reshape(6, 16, 16)
    np.savez_compressed(out('npz/stack-deflated.npz'), stack=stack)
    record('npz/stack-deflated.npz', '/stack', stack)
    np.savez(out('npz/stack-stored.npz'), stack=stack)
    record('npz/stack-stored.npz', '/stack', stack)

    # Object arrays exactly as np.savez writes them (pickle protocol 3 in numpy 1.x).
    payload = object_payload()
    np.savez(out('npz/objects.npz'), **payload)
    record_object_payload('npz/objects.npz')
    for protocol in (2, 3, 4, 5):
        for numpy2 in (False, True):
            tag = f'objects-p{protocol}' + ('-numpy2' if numpy2 else '')
            members = {f'{k}.npy': npy_bytes_with_pickle(v, protocol, numpy2) for k, v in payload.items()}
            write_zip(out(f'npz/{tag}.npz'), members, zipfile.ZIP_DEFLATED if protocol % 2 else zipfile.ZIP_STORED)
            record_object_payload(f'npz/{tag}.npz')

    # Foreign pickles: must be refused naming the global, and nothing executed.
    foreign = np.array({'when': __import__('fractions').Fraction(1, 3)}, dtype=object)
    np.savez(out('bad/foreign-pickle.npz'), meta=foreign)
    # GLOBAL 'os system' + REDUCE: what a malicious file looks like (written byte by byte,
    # never created by pickling a live object).
    evil = (b'\x80\x03cos\nsystem\nq\x00X\x0b\x00\x00\x00touch pwnedq\x01\x85q\x02Rq\x03.')
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {'descr': '|O', 'fortran_order': False, 'shape': ()})
    write_zip(out('bad/evil-pickle.npz'), {'evil.npy': header.getvalue() + evil}, zipfile.ZIP_STORED)
    with open(out('bad/evil-pickle.npy'), 'wb') as f:
        f.write(header.getvalue() + evil)
    # numpy's bare object-array .npy
    np.save(out('npy/object-dict.npy'), payload['1d'], allow_pickle=True)
    d1 = payload['1d'].item()
    record('npy/object-dict.npy', '/object-dict/x_px', d1['x_px'])
    record('npy/object-dict.npy', '/object-dict/y_px', d1['y_px'])

    # A zip member numpy would not write: bzip2 compression method.
    with zipfile.ZipFile(out('bad/bzip2-member.npz'), 'w', compression=zipfile.ZIP_BZIP2) as zf:
        buf = io.BytesIO()
        np.save(buf, np.arange(4))
        info = zipfile.ZipInfo('x.npy', date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_BZIP2
        zf.writestr(info, buf.getvalue())


# ---------------------------------------------------------------------------------------------
# HDF5 (h5py, PyTables for blosc and bzip2)


def write_h5_fixtures():
    if h5py is None:
        print('h5py missing: HDF5 fixtures not written', file=sys.stderr)
        return
    arrays = sample_arrays()
    path = out('h5/types.h5')
    with h5py.File(path, 'w') as f:
        f.attrs['title'] = 'dtype zoo'
        f.attrs['version'] = np.int32(3)
        f.attrs['limits'] = np.array([0.5, 1.5])
        g = f.create_group('numeric')
        g.attrs['NX_class'] = 'NXcollection'
        for name, arr in arrays.items():
            if arr.dtype.kind in 'US':
                continue
            g.create_dataset(name, data=arr)
            record('h5/types.h5', f'/numeric/{name}', arr)
            if arr.dtype.itemsize > 1 and arr.dtype.kind in 'iufc':
                g.create_dataset(f'{name}-be', data=arr.astype(arr.dtype.newbyteorder('>')))
                record('h5/types.h5', f'/numeric/{name}-be', arr)
        s = f.create_group('strings')
        vlen = np.array(['', 'a', 'héllo', '日本語'], dtype=object)
        s.create_dataset('vlen_utf8', data=vlen, dtype=h5py.string_dtype('utf-8'))
        record_value('h5/types.h5', '/strings/vlen_utf8', list(vlen))
        fixed = np.array([b'ab', b'xyz', b''], dtype='S4')
        s.create_dataset('fixed_ascii', data=fixed)
        record('h5/types.h5', '/strings/fixed_ascii', fixed)
        s.create_dataset('scalar_str', data='just one')
        record_value('h5/types.h5', '/strings/scalar_str', 'just one')
        s.attrs['note'] = 'strings live here'
        c = f.create_group('compound')
        rec = np.array([(1.5, 2, b'a'), (-0.25, -7, b'bc')], dtype=[('x', '<f4'), ('n', '<i2'), ('tag', 'S2')])
        c.create_dataset('records', data=rec)
        MANIFEST['files'].setdefault('h5/types.h5', {})['/compound/records'] = {
            'shape': [2], 'fields': ['x', 'n', 'tag'],
            'records': [[float(r['x']), int(r['n']), r['tag'].decode('latin-1')] for r in rec]}
        color = h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 42}, basetype='u1')
        c.create_dataset('colors', data=np.array([0, 42, 1, 1], dtype=np.uint8), dtype=color)
        MANIFEST['files']['h5/types.h5']['/compound/colors'] = {
            'shape': [4], 'values': [0, 42, 1, 1], 'enum': {'RED': 0, 'GREEN': 1, 'BLUE': 42}}
        f.create_dataset('scalar', data=np.float64(6.25))
        record('h5/types.h5', '/scalar', np.float64(6.25))
        f.create_dataset('empty', data=np.zeros((0, 3), dtype=np.float32))
        record('h5/types.h5', '/empty', np.zeros((0, 3), dtype=np.float32))
        f.create_dataset('null', data=h5py.Empty('f4'))
        MANIFEST['files']['h5/types.h5']['/null'] = {'null': True}
        f['soft'] = h5py.SoftLink('/numeric/int8')
        f['dangling'] = h5py.SoftLink('/nowhere')
        f['external'] = h5py.ExternalLink('other.h5', '/data')
        vl = f.create_dataset('vlen_ints', (2,), dtype=h5py.vlen_dtype(np.int32))
        vl[0] = [1, 2, 3]
        vl[1] = [4]

    # Filters h5py can write here: gzip, shuffle, fletcher32, lzf, scaleoffset, nbit (+szip if
    # this HDF5 has the encoder). Chunked 3-D stack so single images can be read as hyperslabs.
    stack = ((np.arange(8 * 32 * 32) * 7) % 1000).astype(np.float32).reshape(8, 32, 32)
    ints = ((np.arange(8 * 32 * 32) * 13) % 5000).astype(np.int32).reshape(8, 32, 32)
    path = out('h5/filters.h5')
    with h5py.File(path, 'w') as f:
        chunks = (1, 32, 32)
        made = {
            'gzip': f.create_dataset('gzip', data=stack, chunks=chunks, compression='gzip', compression_opts=4),
            'gzip_shuffle': f.create_dataset('gzip_shuffle', data=stack, chunks=chunks, compression='gzip', shuffle=True),
            'fletcher32': f.create_dataset('fletcher32', data=stack, chunks=chunks, fletcher32=True),
            'lzf': f.create_dataset('lzf', data=stack, chunks=chunks, compression='lzf'),
            'scaleoffset': f.create_dataset('scaleoffset', data=ints, chunks=chunks, scaleoffset=0),
        }
        try:
            made['szip'] = f.create_dataset('szip', data=ints, chunks=chunks, compression='szip')
        except (ValueError, OSError) as e:
            print(f'szip encoder not available here: {e}', file=sys.stderr)
        for name in made:
            record('h5/filters.h5', f'/{name}', ints if name in ('scaleoffset', 'szip') else stack)

    if tables is not None:
        path = out('h5/pytables-filters.h5')
        with tables.open_file(path, 'w') as f:
            for complib in ['blosc', 'blosc:lz4', 'blosc:zstd', 'bzip2', 'lzo']:
                name = complib.replace(':', '_')
                filters = tables.Filters(complevel=5, complib=complib, shuffle=True)
                f.create_carray('/', name, obj=stack[:2], filters=filters, chunkshape=(1, 32, 32))
                if complib != 'lzo':  # no LZO plugin exists for h5wasm: the "missing filter" case
                    record('h5/pytables-filters.h5', f'/{name}', stack[:2])
    else:
        print('PyTables missing: blosc/bzip2 fixtures not written', file=sys.stderr)

    # A corrupt chunk: image 0 of a gzip stack gets garbage; images 1.. stay readable.
    src = out('h5/filters.h5')
    dst = out('bad/corrupt-chunk.h5')
    shutil.copyfile(src, dst)
    with h5py.File(dst, 'r') as f:
        for name in ('gzip', 'fletcher32'):
            info = f[name].id.get_chunk_info(0)
            MANIFEST['files'].setdefault('bad/corrupt-chunk.h5', {})[f'/{name}'] = {
                'corrupt_chunk_offset': info.byte_offset, 'corrupt_chunk_size': info.size}
    with open(dst, 'r+b') as fh:
        for entry in MANIFEST['files']['bad/corrupt-chunk.h5'].values():
            fh.seek(entry['corrupt_chunk_offset'] + 16)
            fh.write(bytes((i * 37 + 11) % 256 for i in range(64)))

    # NeXus-style file (.nxs is HDF5 with NX_class attributes).
    path = out('h5/scan.nxs')
    with h5py.File(path, 'w') as f:
        entry = f.create_group('entry')
        entry.attrs['NX_class'] = 'NXentry'
        data = entry.create_group('data')
        data.attrs['NX_class'] = 'NXdata'
        data.attrs['signal'] = 'counts'
        data.attrs['axes'] = ['two_theta']
        tt = np.linspace(10, 80, 8)
        counts = (np.arange(8) ** 2).astype(np.int64)
        data.create_dataset('two_theta', data=tt).attrs['units'] = 'degrees'
        data.create_dataset('counts', data=counts)
        record('h5/scan.nxs', '/entry/data/two_theta', tt)
        record('h5/scan.nxs', '/entry/data/counts', counts)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    write_npy_fixtures()
    write_npz_fixtures()
    write_h5_fixtures()
    # An .h5 file that is really .npy, and the other way round: detection is by magic bytes.
    shutil.copyfile(out('npy/int16.npy'), out('npy/really-npy.h5'))
    MANIFEST['files']['npy/really-npy.h5'] = {'/really-npy': MANIFEST['files']['npy/int16.npy']['/int16']}
    if h5py is not None:
        shutil.copyfile(out('h5/scan.nxs'), out('h5/really-h5.npy'))
        # A global heap whose first object (the NX_class string) lost its size and the next
        # object's header: the HDF5 library (h5py too) loops forever reading that attribute.
        with open(out('h5/scan.nxs'), 'rb') as f:
            data = bytearray(f.read())
        heap = data.find(b'GCOL')
        data[heap + 24:heap + 56] = bytes(32)
        with open(out('bad/hdf5-loop.nxs'), 'wb') as f:
            f.write(data)
    with open(os.path.join(ROOT, 'manifest.json'), 'w') as f:
        json.dump(MANIFEST, f, indent=1, ensure_ascii=False, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(ROOT) for n in ns)
    print(f'fixtures written to {os.path.normpath(ROOT)} ({total / 1024:.0f} KiB)')


if __name__ == '__main__':
    main()
