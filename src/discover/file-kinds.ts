/**
 * Tells, from a file's name alone, whether discover collects it and into which list.
 *
 * Stage: discover. Input: a file name and the name of the directory holding it.
 * Output: the lists (`files`, `manifests`, `nativeSources`) the file belongs in; `setup.py`
 * belongs in two.
 */

export type FileKind = 'python' | 'manifest' | 'native';

const NO_KINDS: readonly FileKind[] = [];
const PYTHON: readonly FileKind[] = ['python'];
const MANIFEST: readonly FileKind[] = ['manifest'];
const NATIVE: readonly FileKind[] = ['native'];
const PYTHON_AND_MANIFEST: readonly FileKind[] = ['python', 'manifest'];

const MANIFEST_NAMES = new Set([
  'pyproject.toml',
  'setup.cfg',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'uv.lock',
  'environment.yml',
  'environment.yaml',
]);

const NATIVE_NAMES = new Set(['Cargo.toml', 'meson.build', 'CMakeLists.txt']);

const NATIVE_EXTENSIONS = new Set(['.c', '.cc', '.cpp', '.cxx', '.h', '.hpp', '.pyx', '.pxd', '.rs']);

/** The file's extension including the dot (`.py`), or '' when it has none or is a dotfile. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/**
 * The lists a file named `name`, inside a directory named `dirName`, is collected into; empty
 * when discover ignores it. Matching is case-sensitive.
 */
export function kindsOf(name: string, dirName: string): readonly FileKind[] {
  const ext = extensionOf(name);
  if (ext === '.py' || ext === '.pyi') return name === 'setup.py' ? PYTHON_AND_MANIFEST : PYTHON;
  if (MANIFEST_NAMES.has(name)) return MANIFEST;
  if (ext === '.txt' && (name.startsWith('requirements') || dirName === 'requirements')) return MANIFEST;
  if (NATIVE_EXTENSIONS.has(ext) || NATIVE_NAMES.has(name)) return NATIVE;
  return NO_KINDS;
}
