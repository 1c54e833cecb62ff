/**
 * Tests of the native readiness checks: which extension modules are found in C, C++, Cython and
 * Rust sources and build files (exact NativeModule records), project-wide opt-ins, and how
 * preprocessor guards are read.
 *
 * Stage: readiness. Inputs are in-memory files; outputs are NativeAnalysis records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseNative } from '../src/readiness/native/index.js';
import { Build, evaluate, lineBuilds } from '../src/readiness/native/guards.js';
import type { NativeModule } from '../src/readiness/types.js';

async function analyse(files: Record<string, string>) {
  return analyseNative(Object.entries(files).map(([rel, text]) => ({ rel, text })));
}

const span = (line: number, column: number, endLine: number, endColumn: number) => ({ line, column, endLine, endColumn });

test('C modules: multi-phase slot arrays named by their PyModuleDef, single-phase PyModule_Create, with signals', async () => {
  const result = await analyse({
    'src/multi.c': [
      '#include <Python.h>',
      '#include "pythoncapi_compat.h"',
      'static PyModuleDef_Slot slots[] = {',
      '#ifdef Py_GIL_DISABLED',
      '    {Py_mod_gil, Py_MOD_GIL_NOT_USED},',
      '#endif',
      '    {0, NULL}};',
      'static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "pkg._multi", NULL, 0, NULL, slots};',
      'static PyObject *f(PyObject *d) { PyObject *v; PyDict_GetItemRef(d, d, &v); return v; }',
      '',
    ].join('\n'),
    'src/single.c': [
      '#include <Python.h>',
      'static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "single", NULL, -1, NULL};',
      'PyMODINIT_FUNC PyInit_single(void) {',
      '    return PyModule_Create(&def);',
      '}',
      '',
    ].join('\n'),
  });
  const expected: NativeModule[] = [
    {
      name: 'pkg._multi', binding: 'c', file: 'src/multi.c', span: span(3, 8, 3, 35), declaresFreeThreading: true,
      signals: { 'pythoncapi-compat': 1, 'gil-disabled-guard': 1, 'strong-ref-api': 1 },
    },
    { name: 'single', binding: 'c', file: 'src/single.c', span: span(4, 12, 4, 27), declaresFreeThreading: false },
  ];
  assert.deepEqual(result.nativeModules, expected);
  assert.deepEqual(result.problems.map((p) => `${p.check} ${p.file}:${p.span.line} ${p.subject}`), ['B01 src/single.c:4 single']);
});

test('a Makefile whose cython command passes the directive declares every Cython module; one that only mentions it does not', async () => {
  const passes = await analyse({
    Makefile: '# builds the parsers\nsrc/%.c: src/%.pyx\n\t$(CYTHON) -3 -X freethreading_compatible=True -o $@ $<\n',
    'src/_parser.pyx': 'def f(): pass\n',
  });
  assert.deepEqual(passes.nativeModules.map((m) => [m.name, m.declaresFreeThreading]), [['_parser', true]]);
  const mentions = await analyse({
    Makefile: [
      '# cython -X freethreading_compatible=True (a comment)',
      'src/%.c: src/%.pyx',
      '\tcython -3 -X boundscheck=False -o $@ $<',
      'note:',
      '\techo "run cython with freethreading_compatible=True later"',
      '',
    ].join('\n'),
    'src/_scan.pyx': 'def f(): pass\n',
  });
  assert.deepEqual(mentions.nativeModules.map((m) => [m.name, m.declaresFreeThreading]), [['_scan', false]]);
  assert.deepEqual(mentions.problems.map((p) => `${p.check} ${p.file}`), ['B02 src/_scan.pyx']);
});

test('a slot array whose PyModuleDef lives in another file takes its name from there', async () => {
  const result = await analyse({
    'slots.c': 'PyModuleDef_Slot mod_slots[] = {{Py_mod_exec, mod_exec}, {0, NULL}};\n',
    'def.c': 'extern PyModuleDef_Slot mod_slots[];\nPyModuleDef moddef = {PyModuleDef_HEAD_INIT, .m_name = "_split", .m_slots = mod_slots};\n',
  });
  assert.deepEqual(result.nativeModules.map((m) => [m.name, m.file, m.declaresFreeThreading]), [['_split', 'slots.c', false]]);
});

test('pybind11, nanobind, PyO3, Cython and f2py modules', async () => {
  const result = await analyse({
    'src/core.cpp': '#include <pybind11/pybind11.h>\nPYBIND11_MODULE(_core, m, py::mod_gil_not_used()) {}\n',
    'src/nb.cpp': '#include <nanobind/nanobind.h>\nNB_MODULE(_nb, m) {}\n',
    'CMakeLists.txt': 'nanobind_add_module(_nb FREE_THREADED src/nb.cpp)\n',
    'rust/src/lib.rs': 'use pyo3::prelude::*;\n#[pymodule]\n#[pyo3(name = "_rs")]\nfn rs(m: &Bound<PyModule>) -> PyResult<()> { Ok(()) }\n',
    'pkg/_fast.pyx': '# cython: freethreading_compatible=True\ndef f(): pass\n',
    'pkg/_slow.pyx': 'def f(): pass\n',
    'fortran/meson.build': "custom_target('x', command: [py, '-m', 'numpy.f2py', '@INPUT@', '-m', '_flib'])\n",
  });
  const expected: NativeModule[] = [
    { name: '_nb', binding: 'nanobind', file: 'CMakeLists.txt', span: span(1, 1, 1, 20), declaresFreeThreading: true },
    { name: '_flib', binding: 'f2py', file: 'fortran/meson.build', span: span(1, 41, 1, 51), declaresFreeThreading: false },
    { name: '_fast', binding: 'cython', file: 'pkg/_fast.pyx', span: span(1, 1, 1, 40), declaresFreeThreading: true },
    { name: '_slow', binding: 'cython', file: 'pkg/_slow.pyx', span: span(1, 1, 1, 1), declaresFreeThreading: false },
    { name: '_rs', binding: 'pyo3', file: 'rust/src/lib.rs', span: span(2, 1, 2, 12), declaresFreeThreading: false },
    { name: '_core', binding: 'pybind11', file: 'src/core.cpp', span: span(2, 1, 2, 50), declaresFreeThreading: true },
  ];
  assert.deepEqual(result.nativeModules, expected);
  assert.deepEqual(result.problems.map((p) => `${p.check} ${p.subject}`).sort(), ['B02 _slow', 'B06 _rs', 'B07 _flib']);
});

test('a project-wide Cython directive covers every .pyx: setup.py, meson.build, pyproject.toml', async () => {
  const pyx = { 'a/_one.pyx': 'def f(): pass\n', 'b/_two.pyx': '# cython: language_level=3\ndef g(): pass\n' };
  const cases: Record<string, string>[] = [
    { 'setup.py': 'from Cython.Build import cythonize\ncythonize("**/*.pyx", compiler_directives={"freethreading_compatible": True})\n' },
    { 'setup.py': 'directives = dict(language_level=3, freethreading_compatible=True)\n' },
    { 'meson.build': "add_project_arguments('-Xfreethreading_compatible=true', language: 'cython')\n" },
    { 'pyproject.toml': '[tool.scikit-build.cmake.define]\nCYTHON_ARGS = "-X freethreading_compatible=True"\n' },
  ];
  for (const files of cases) {
    const result = await analyse({ ...pyx, ...files });
    assert.deepEqual(result.nativeModules.map((m) => m.declaresFreeThreading), [true, true], JSON.stringify(files));
    assert.deepEqual(result.problems.filter((p) => p.check === 'B02'), []);
  }
  const commented = await analyse({ ...pyx, 'setup.py': '# compiler_directives={"freethreading_compatible": True}\n' });
  assert.deepEqual(commented.problems.filter((p) => p.check === 'B02').map((p) => `${p.file}:${p.span.line}`), ['a/_one.pyx:1', 'b/_two.pyx:1']);
});

test('cythonize calls are reported when no .pyx file is in sight', async () => {
  const result = await analyse({ 'setup.py': 'from Cython.Build import cythonize\nsetup(ext_modules=cythonize("pkg/*.pyx"))\n' });
  assert.deepEqual(result.problems.map((p) => `${p.check} ${p.file}:${p.span.line} ${p.values.module}`), ['B02 setup.py:2 "pkg/*.pyx"']);
});

test('generated and vendored sources are skipped', async () => {
  const slotless = 'static PyModuleDef_Slot s[] = {{0, NULL}};\n';
  const result = await analyse({
    'pkg/_gen.c': `/* Generated by Cython 3.0.11 */\n${slotless}`,
    'third_party/lib/mod.c': slotless,
    'extern/pybind11/tests/t.cpp': 'PYBIND11_MODULE(t, m) {}\n',
  });
  assert.deepEqual(result.nativeModules, []);
  assert.deepEqual(result.problems, []);
});

test('preprocessor guards: which builds compile a line', () => {
  assert.deepEqual(evaluate('defined(Py_GIL_DISABLED)'), { whenTrue: Build.FreeThreaded, whenFalse: Build.Gil });
  assert.deepEqual(evaluate('!defined(Py_GIL_DISABLED)'), { whenTrue: Build.Gil, whenFalse: Build.FreeThreaded });
  assert.deepEqual(evaluate('PY_VERSION_HEX < 0x030D0000'), { whenTrue: Build.Gil, whenFalse: Build.Any });
  assert.deepEqual(evaluate('PY_VERSION_HEX >= 0x030D0000'), { whenTrue: Build.Any, whenFalse: Build.Gil });
  assert.deepEqual(evaluate('PY_VERSION_HEX < 0x030E0000'), { whenTrue: Build.Any, whenFalse: Build.Any });
  assert.deepEqual(evaluate('defined(Py_GIL_DISABLED) && PY_VERSION_HEX >= 0x030D0000'), { whenTrue: Build.FreeThreaded, whenFalse: Build.Gil });
  assert.deepEqual(evaluate('defined(Py_GIL_DISABLED) && defined(FOO)'), { whenTrue: Build.FreeThreaded, whenFalse: Build.Any });
  assert.deepEqual(evaluate('0'), { whenTrue: Build.None, whenFalse: Build.Any });
  const lines = ['#ifdef Py_GIL_DISABLED', 'a', '#elif defined(FOO)', 'b', '#else', 'c', '#endif', 'd', '#if 0', 'e', '#endif'];
  assert.deepEqual([...lineBuilds(lines)].slice(1), [
    Build.Any, Build.FreeThreaded, Build.Gil, Build.Gil, Build.Gil, Build.Gil, Build.Any, Build.Any, Build.Any, Build.None, Build.Any,
  ]);
});
