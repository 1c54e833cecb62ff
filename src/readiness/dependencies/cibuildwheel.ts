/**
 * cibuildwheel's `build` and `skip` selectors (shell-style patterns over build identifiers such as
 * `cp314t-manylinux_x86_64`, with `{a,b}` alternatives): which free-threaded builds they leave out.
 *
 * Stage: readiness. Free-threaded identifiers carry a `t` after the version (`cp314t-…`).
 * Only 3.14 and later count: cibuildwheel builds 3.14t by default, while 3.13t is experimental
 * and built only on request (CPython Doc/howto/free-threading-extensions.rst; cibuildwheel's
 * `enable` option), so skipping 3.13t alone is no loss worth a finding.
 */

/** Python versions (as in identifiers) whose free-threaded wheels a skipped or narrowed selection loses. */
const VERSIONS = ['314', '315'];
const PLATFORMS = [
  'manylinux_x86_64', 'manylinux_aarch64', 'manylinux_i686', 'musllinux_x86_64', 'musllinux_aarch64',
  'macosx_x86_64', 'macosx_arm64', 'macosx_universal2', 'win_amd64', 'win32', 'win_arm64',
];

/** The patterns of a selector value (space-separated string or list). */
export function selectorPatterns(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((v): v is string => typeof v === 'string').flatMap((v) => v.split(/\s+/)).filter(Boolean);
}

/** `3.14t` for each version whose free-threaded builds `pattern` (a `skip` entry) removes while keeping the GIL ones. */
export function skippedFreeThreaded(pattern: string): string[] {
  const re = patternRegex(pattern);
  return VERSIONS.filter((v) => PLATFORMS.some((p) => re.test(`cp${v}t-${p}`) && !re.test(`cp${v}-${p}`))).map(label);
}

/**
 * `3.14t` for each version whose GIL builds the `build` patterns select but whose free-threaded
 * builds they do not; nothing when the selection names any free-threaded build (its author chose
 * which ones, as in a job that builds a limited-API wheel for 3.14 and `cp315t` beside it).
 */
export function buildLeavesOutFreeThreaded(patterns: string[]): string[] {
  const res = patterns.map(patternRegex);
  const any = (id: string) => res.some((re) => re.test(id));
  if (['313', ...VERSIONS].some((v) => PLATFORMS.some((p) => any(`cp${v}t-${p}`)))) return [];
  return VERSIONS.filter((v) => PLATFORMS.some((p) => any(`cp${v}-${p}`))).map(label);
}

function label(version: string): string {
  return `${version[0]}.${version.slice(1)}t`;
}

/** A shell pattern (`*`, `?`, `[seq]`, `[!seq]`, `{a,b}`) as an anchored regular expression. */
export function patternRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let set = pattern.slice(i + 1, close);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = pattern.indexOf('}', i);
      if (close === -1) out += '\\{';
      else {
        out += `(?:${pattern.slice(i + 1, close).split(',').map((alt) => patternRegex(alt).source.slice(1, -1)).join('|')})`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
