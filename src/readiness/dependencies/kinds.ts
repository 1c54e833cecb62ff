/**
 * Which reader a readiness input goes to, from its path: the manifest formats, and the
 * configuration files scanned for interpreter and wheel-build settings.
 *
 * Stage: readiness. Native sources (C, C++, Cython, Rust, CMake, meson) are not this module's.
 */
import { baseName } from './text.js';

/** The readers and scans of this module. */
export type ManifestKind =
  | 'requirements' | 'pyproject' | 'setup-cfg' | 'setup-py' | 'pipfile' | 'pipfile-lock' | 'poetry-lock' | 'uv-lock' | 'pylock'
  | 'ci' | 'tox' | 'pytest-ini' | 'dockerfile' | 'compose' | 'env';

/** The kind of the file at `rel`, or null when this module does not read it. */
export function manifestKind(rel: string): ManifestKind | null {
  const name = baseName(rel);
  const lower = name.toLowerCase();
  switch (name) {
    case 'pyproject.toml': return 'pyproject';
    case 'setup.cfg': return 'setup-cfg';
    case 'setup.py': return 'setup-py';
    case 'Pipfile': return 'pipfile';
    case 'Pipfile.lock': return 'pipfile-lock';
    case 'poetry.lock': return 'poetry-lock';
    case 'uv.lock': return 'uv-lock';
    case 'tox.ini': return 'tox';
    case 'pytest.ini': return 'pytest-ini';
    case '.gitlab-ci.yml':
    case 'azure-pipelines.yml':
      return 'ci';
  }
  if (/^pylock\.([^.]+\.)?toml$/.test(name)) return 'pylock';
  if (isRequirementsPath(rel)) return 'requirements';
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(rel) || /(^|\/)\.circleci\/config\.ya?ml$/.test(rel)) return 'ci';
  if (/^(dockerfile|containerfile)(\..+)?$/.test(lower) || lower.endsWith('.dockerfile') || lower.endsWith('.containerfile')) return 'dockerfile';
  if (/^(docker-)?compose(\.[^.]+)?\.ya?ml$/.test(lower)) return 'compose';
  if (name === '.env' || name.startsWith('.env.')) return 'env';
  return null;
}

/** `requirements*.txt|in`, `constraints*.txt`, and `.txt` / `.in` files in a `requirements` folder. */
export function isRequirementsPath(rel: string): boolean {
  const name = baseName(rel).toLowerCase();
  const folder = rel.split('/').at(-2)?.toLowerCase();
  if (/^requirements.*\.(txt|in)$/.test(name) || /^constraints.*\.(txt|in)$/.test(name)) return true;
  return folder === 'requirements' && /\.(txt|in)$/.test(name);
}
