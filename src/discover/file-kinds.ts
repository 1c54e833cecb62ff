/**
 * Tells, from a file's name and the directories above it, whether discover collects it and into
 * which list.
 *
 * Stage: discover. Input: a file name and the path of the directory holding it.
 * Output: the lists (`files`, `manifests`, `nativeSources`) the file belongs in; `setup.py`
 * belongs in two. `manifests` holds dependency manifests and lock files, and the configuration
 * the readiness checks scan for interpreter and wheel-build settings (CI workflows, tox.ini,
 * Dockerfiles, compose and `.env` files).
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
  'tox.ini',
  'pytest.ini',
  '.gitlab-ci.yml',
  'azure-pipelines.yml',
  'Dockerfile',
  'Containerfile',
  '.env',
]);

/** Build files of native code; a Makefile is read for the Cython directives its `cython` commands pass. */
const NATIVE_NAMES = new Set(['Cargo.toml', 'meson.build', 'CMakeLists.txt', 'Makefile', 'GNUmakefile', 'makefile']);

const NATIVE_EXTENSIONS = new Set(['.c', '.cc', '.cpp', '.cxx', '.h', '.hpp', '.pyx', '.pxd', '.rs']);

/** The file's extension including the dot (`.py`), or '' when it has none or is a dotfile. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/**
 * The lists a file named `name`, inside the directory `dirPath` (a `/`-separated path whose last
 * segment is the directory's name), is collected into; empty when discover ignores it. Matching
 * is case-sensitive.
 */
export function kindsOf(name: string, dirPath: string): readonly FileKind[] {
  const ext = extensionOf(name);
  if (ext === '.py' || ext === '.pyi') return name === 'setup.py' ? PYTHON_AND_MANIFEST : PYTHON;
  if (MANIFEST_NAMES.has(name) || isManifestName(name, dirPath)) return MANIFEST;
  if (NATIVE_EXTENSIONS.has(ext) || NATIVE_NAMES.has(name)) return NATIVE;
  return NO_KINDS;
}

/** Requirements, constraints and lock files; CI workflows; Dockerfile, compose and `.env` variants. */
function isManifestName(name: string, dirPath: string): boolean {
  const segments = dirPath.split('/');
  const dirName = segments[segments.length - 1];
  const parentName = segments[segments.length - 2];
  if (/^(requirements|constraints).*\.(txt|in)$/.test(name)) return true;
  if (dirName === 'requirements' && /\.(txt|in)$/.test(name)) return true;
  if (/^pylock\.([^.]+\.)?toml$/.test(name)) return true;
  if (dirName === 'workflows' && parentName === '.github' && /\.ya?ml$/.test(name)) return true;
  if (dirName === '.circleci' && /^config\.ya?ml$/.test(name)) return true;
  if (/^(Dockerfile|Containerfile)\..+$/.test(name) || /\.(dockerfile|Dockerfile|containerfile)$/.test(name)) return true;
  if (/^(docker-)?compose(\.[^.]+)?\.ya?ml$/.test(name)) return true;
  return name.startsWith('.env.');
}
