/**
 * Regenerates rules/free-threading-packages.json, the package catalogue the dependency checks
 * read, from the project's shared research data (shared/freethreading-packages.json).
 *
 * Run with `npm run packages` (optionally `-- <path to freethreading-packages.json>`); without a
 * path it uses the nearest `shared/freethreading-packages.json` above the repository. The output
 * is deterministic, so a test can tell when the shipped file is stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The shape of the shared data this script reads. */
interface SharedData {
  header: {
    status_rules: Record<string, string>;
    caveats: string[];
    sources: {
      wheel_tracker: { repo: string; branch: string; path: string; commit: string; last_update: string };
      tracking_table: { repo: string; path: string; commit: string; date: string };
    };
  };
  packages: { package: string; status: string; first_version: string | null; source: string; as_of: string; note?: string }[];
}

interface Source {
  repository: string;
  ref?: string;
  path: string;
  commit: string;
  date: string;
  what: string;
}

interface Entry {
  status: string;
  firstVersion?: string;
  sources: string[];
  asOf: string;
  note?: string;
}

/** The shape of rules/free-threading-packages.json (its schema: src/schema/free-threading-packages.schema.json). */
export interface PackageCatalogueFile {
  about: string;
  generated: string;
  asOf: string;
  sources: Record<string, Source>;
  statuses: Record<string, string>;
  caveats: string[];
  counts: Record<string, number>;
  packages: Record<string, Entry>;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the generated catalogue is written. */
export const CATALOGUE_PATH = join(REPO, 'rules', 'free-threading-packages.json');

/** The nearest `shared/freethreading-packages.json` in `start` or above it, or null. */
export function findSharedData(start = REPO): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'freethreading-packages.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The catalogue for the shared data; throws on a source it does not know, so a new one is looked at. */
export function buildPackageCatalogue(shared: SharedData): PackageCatalogueFile {
  const { wheel_tracker: wheels, tracking_table: table } = shared.header.sources;
  const wheelDates = new Set<string>();
  const sources: Record<string, Source> = {};
  const packages: Record<string, Entry> = {};
  const counts: Record<string, number> = {};
  for (const p of [...shared.packages].sort((a, b) => (a.package < b.package ? -1 : 1))) {
    const keys: string[] = [];
    for (const part of p.source.split('; ')) {
      const snapshot = /^first snapshot ([0-9a-f]{7,40}) \((\d{4}-\d{2}-\d{2})\)/.exec(part);
      if (part.startsWith(`${wheels.repo}@${wheels.branch}:${wheels.path}`)) {
        keys.push('wheel-tracker');
        wheelDates.add(p.as_of);
      } else if (part.startsWith(`${table.repo}:${table.path}`)) {
        keys.push('tracking-table');
      } else if (snapshot) {
        keys.push('wheel-tracker-first-snapshot');
        sources['wheel-tracker-first-snapshot'] = {
          repository: wheels.repo, ref: wheels.branch, path: wheels.path, commit: snapshot[1], date: snapshot[2],
          what: 'first snapshot of the wheel tracker: packages it listed as providing pure-Python wheels',
        };
      } else {
        throw new Error(`${p.package}: unknown source '${part}'; teach scripts/packages.ts about it`);
      }
    }
    const entry: Entry = { status: p.status, sources: keys, asOf: p.as_of };
    if (p.first_version) entry.firstVersion = p.first_version;
    if (p.note) entry.note = p.note;
    packages[p.package] = entry;
    counts[p.status] = (counts[p.status] ?? 0) + 1;
  }
  if (wheelDates.size !== 1) throw new Error(`wheel-tracker packages have several dates: ${[...wheelDates].join(', ')}`);
  const wheelDate = [...wheelDates][0];
  sources['wheel-tracker'] = {
    repository: wheels.repo, ref: wheels.branch, path: wheels.path, commit: wheels.commit, date: wheelDate,
    what: 'which packages of the top of PyPI ship free-threaded (cp3XXt) wheels in their latest release',
  };
  sources['tracking-table'] = {
    repository: table.repo, path: table.path, commit: table.commit, date: table.date,
    what: 'per-project free-threading support: upstream CI, nightly wheels, first PyPI release with support',
  };
  const ordered: Record<string, Source> = {};
  for (const key of Object.keys(sources).sort()) ordered[key] = sources[key];
  return {
    about: 'Free-threading (PEP 703) status of PyPI packages, read by the dependency readiness checks (GA401-GA408). firstVersion is the first release the tracking table lists with support.',
    generated: 'by `npm run packages` (scripts/packages.ts) from shared/freethreading-packages.json; do not edit by hand',
    asOf: [wheelDate, table.date].sort().at(-1)!,
    sources: ordered,
    statuses: shared.header.status_rules,
    caveats: shared.header.caveats,
    counts: { ...counts, total: shared.packages.length },
    packages,
  };
}

/** The file's text: the header indented, one package per line (small diffs when data changes). */
export function renderCatalogue(catalogue: PackageCatalogueFile): string {
  const { packages, ...header } = catalogue;
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  const lines = Object.entries(packages).map(([name, entry]) => `    ${JSON.stringify(name)}: ${JSON.stringify(entry)}`);
  return `${head},\n  "packages": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function main(): void {
  const from = process.argv[2] ? resolve(process.argv[2]) : findSharedData();
  if (!from) {
    process.stderr.write('no shared/freethreading-packages.json found above the repository; give its path: npm run packages -- <path>\n');
    process.exit(2);
  }
  const shared = JSON.parse(readFileSync(from, 'utf8')) as SharedData;
  writeFileSync(CATALOGUE_PATH, renderCatalogue(buildPackageCatalogue(shared)));
  process.stdout.write(`wrote ${CATALOGUE_PATH} (${shared.packages.length} packages) from ${from}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
