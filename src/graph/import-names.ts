/**
 * Names in the report as Python imports them: `streamlink.cache.Cache.set`, not
 * `src.streamlink.cache.Cache.set`.
 *
 * Stage: graph (the index holds it), used by classify and findings. Inside the analysis a module
 * is named by its path (`src/streamlink/cache.py` is `src.streamlink.cache`), so that two files
 * never share a name. A package under folders that are not packages (a `src/` layout) is imported
 * by the name below those folders, and that is the name its users know: the report shows it
 * (findings/run.ts; fingerprints keep the path's name, so baselines written before stay valid),
 * and configured API patterns match it. A package whose import name another module already has
 * (`pkg/` beside `src/pkg/`), or that two folders hold, keeps its path's name.
 */
import type { ModuleFacts } from '../facts/types.js';

/**
 * A rewrite of the path names of modules in packages under non-package folders into their import
 * names, or undefined when no module has one (most projects).
 *
 * The folders above a package may be a source root (`src/`, a Django project's folder) or a
 * namespace package (PEP 420: `beetsplug/` with no `__init__.py`). Only the code tells them apart,
 * so a package is named without the folders above it when the project imports it by that name
 * (`from streamlink.cache import Cache`) and no module outside those folders imports it through
 * them (`import beetsplug`). Folders between packages (`discord/ext/` in `discord/`) are always
 * a namespace package.
 */
export function importNames(modules: readonly Pick<ModuleFacts, 'path' | 'module' | 'isPackage' | 'imports'>[]): ((text: string) => string) | undefined {
  const packages = new Set(modules.filter((m) => m.isPackage).map((m) => m.path.replace(/\/__init__\.pyi?$/, '')));
  const owned = new Set(modules.map((m) => m.module));
  /** Each candidate: the folders dropped (dotted and as a path) and the top-level package below them. */
  const candidates = new Map<string, { dropped: string; folder: string; top: string; free: boolean }>();
  const claimed = new Map<string, string>();
  for (const module of modules) {
    if (!module.module) continue;
    const dirs = module.path.split('/').slice(0, -1);
    // The topmost package folder holding the module; none for a module outside any package.
    let top = dirs.length;
    while (top > 0 && packages.has(dirs.slice(0, top).join('/'))) top--;
    if (top === dirs.length || top === 0) continue;
    const above = dirs.slice(0, top);
    if (above.some((_, i) => packages.has(above.slice(0, i + 1).join('/')))) continue;
    const dropped = above.join('.');
    if (!module.module.startsWith(`${dropped}.`)) continue;
    const name = module.module.slice(dropped.length + 1);
    const first = name.split('.')[0];
    const key = `${dropped}\0${first}`;
    let candidate = candidates.get(key);
    if (!candidate) candidates.set(key, (candidate = { dropped, folder: `${above.join('/')}/`, top: first, free: true }));
    // The import name must be this module's alone: no module's own name, nor another folder's module.
    const holder = claimed.get(name);
    if (owned.has(name)) candidate.free = false;
    // Two folders holding a package of one name (`src/app/`, `lib/app/`): which one is imported is not known.
    if (holder !== undefined && holder !== dropped) candidate.free = candidates.get(`${holder}\0${candidate.top}`)!.free = false;
    claimed.set(name, holder ?? dropped);
  }
  const imported = importEvidence(modules, new Map([...candidates.values()].map((c) => [c.dropped, c.folder])));
  const patterns = new Map<string, string[]>();
  for (const candidate of candidates.values()) {
    if (candidate.free && imported.tops.has(candidate.top) && !imported.through.has(candidate.dropped)) {
      const tops = patterns.get(candidate.dropped) ?? [];
      tops.push(escape(candidate.top));
      patterns.set(candidate.dropped, tops);
    }
  }
  if (patterns.size === 0) return undefined;
  const alternatives = [...patterns].map(([dropped, tops]) => `${escape(dropped)}\\.(?=(?:${tops.join('|')})(?![\\p{L}\\p{N}_]))`);
  // A name starts after anything but a name's character or a dot (`x.src.pkg` is not one).
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_.])(?:${alternatives.join('|')})`, 'gu');
  return (text) => text.replace(pattern, '');
}

/**
 * What the project's imports say of the candidates (`folders`: each dropped prefix's path): the
 * first names of everything imported (`streamlink` for `from streamlink.cache import Cache`), and
 * the dropped prefixes something outside them imports through (`import beetsplug`). Inside the
 * folders a relative import reads as the path's name, so only an import from outside counts.
 */
function importEvidence(modules: readonly Pick<ModuleFacts, 'path' | 'imports'>[], folders: ReadonlyMap<string, string>): { tops: Set<string>; through: Set<string> } {
  const tops = new Set<string>();
  const through = new Set<string>();
  for (const module of modules) {
    for (const { target } of module.imports) {
      const dot = target.indexOf('.');
      tops.add(dot < 0 ? target : target.slice(0, dot));
      for (const [dropped, folder] of folders) {
        if ((target === dropped || target.startsWith(`${dropped}.`)) && !module.path.startsWith(folder)) through.add(dropped);
      }
    }
  }
  return { tops, through };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
