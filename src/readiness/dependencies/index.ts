/**
 * Dependencies: reads the project's manifests and lock files, looks each package up in the
 * free-threading package catalogue, and reports the ones that would hold a free-threaded build back.
 * Also reads the configuration that sets up the interpreter and the wheel build (Dockerfiles, CI,
 * tox) for settings that force the GIL off, hide its warning, or leave free-threaded wheels out.
 *
 * Stage: readiness. Input: manifests and configuration files as text. Policy, so each concern is
 * reported once where it can be fixed:
 * - a declared dependency is reported at each line that declares it (a package in both
 *   requirements.txt and pyproject.toml is reported in both);
 * - lock files (and constraints files, and requirements files compiled by pip-tools or uv) report
 *   a package's status only when no manifest of the project declares it (a transitive
 *   dependency), and a version locked below the first free-threaded release only when no
 *   declaration of it was already reported for its version;
 * - a dependency whose environment marker rules out free-threaded CPython (`python_version <
 *   "3.13"`, PyPy only) is not reported;
 * - development dependencies (and locks kept for development: `requirements-docs.txt` compiled by
 *   pip-tools) are not reported as partly ready: the pure-Python fallback installs and works,
 *   and what its compiled part would add matters in the application's process only;
 * - a lock kept for development is not reported for its locked versions: re-locking lifts them,
 *   and they reach neither the project's users nor its deployments;
 * - a pin of exactly the lower bound another declaration of the project gives the same package
 *   (an extra `min-versions = ["click ==7.0"]` beside `click >=7.0`) is how the project tests its
 *   oldest supported version: the declaration with the bound is the one judged;
 * - packages the catalogue does not know are `unknown` and not reported.
 */
import type { Dependency, PackagingSignals, ReadinessInput, ReadinessProblem } from '../types.js';
import { loadBuildTools, loadPackageCatalogue, type BuildTool, type PackageCatalogue } from './catalogue.js';
import type { Declared, ManifestReading } from './declared.js';
import { isRequirementsPath, manifestKind, type ManifestKind } from './kinds.js';
import { includedRequirements } from './included.js';
import { readPipfile, readPipfileLock, readTomlLock } from './locks.js';
import { markerExcludesFreeThreading } from './pep508.js';
import { readPyproject, type PackagingReading } from './pyproject.js';
import { namedForDevelopment, readRequirements } from './requirements.js';
import { scanSettings } from './settings.js';
import { readSetupCfg } from './setup-cfg.js';
import { readSetupPy } from './setup-py.js';
import { capsBelow, exactPin, lowerBound, sameVersion } from './versions.js';

/** What the dependency side hands to the readiness stage. */
export interface DependencyAnalysis {
  dependencies: Dependency[];
  problems: ReadinessProblem[];
  errors: { file: string; message: string }[];
  signals: PackagingSignals;
}

/** The kinds whose text is scanned for interpreter and build settings, and whether each configures CI. */
const SETTINGS: Partial<Record<ManifestKind, { ci: boolean }>> = {
  pyproject: { ci: false }, 'setup-cfg': { ci: false }, 'pytest-ini': { ci: false }, dockerfile: { ci: false },
  compose: { ci: false }, env: { ci: false }, tox: { ci: true }, ci: { ci: true },
};

/** Reads every manifest and configuration file among `inputs` and judges the dependencies found. */
export function analyseDependencies(inputs: ReadinessInput[]): DependencyAnalysis {
  const analysis: DependencyAnalysis = {
    dependencies: [], problems: [], errors: [],
    signals: { classifiers: [], ciLegs: [], declaresPackage: false, hasCi: false },
  };
  const byRel = new Map(inputs.map((i) => [i.rel, i]));
  const included = includedRequirements(inputs);
  const declared: { file: string; dep: Declared }[] = [];
  for (const input of inputs) {
    const kind = manifestKind(input.rel) ?? (included.has(input.rel) ? 'requirements' : null);
    if (!kind) continue;
    // A file reached through `-c` holds pins, unless its own name says what it is.
    const reading = read(input, kind, included.get(input.rel) === 'constraint' && manifestKind(input.rel) === null);
    for (const message of reading.errors) analysis.errors.push({ file: input.rel, message });
    for (const include of reading.includes ?? []) {
      if (include.rel === null) {
        analysis.errors.push({ file: input.rel, message: `line ${include.line}: \`${include.written}\` is outside the audited folder, so its requirements are not checked; audit the folder that holds it` });
      } else if (!byRel.has(include.rel)) {
        analysis.errors.push({ file: input.rel, message: `line ${include.line}: \`${include.written}\` names no readable file; fix the path` });
      }
    }
    for (const dep of reading.declared) declared.push({ file: input.rel, dep });
    if ('problems' in reading) {
      const packaging = reading as PackagingReading;
      analysis.problems.push(...packaging.problems);
      if (packaging.declaresPackage) analysis.signals.declaresPackage = true;
      for (const c of packaging.classifiers) analysis.signals.classifiers.push({ file: input.rel, ...c });
    }
    const settings = SETTINGS[kind];
    if (settings) {
      const scan = scanSettings(input.rel, input.text, settings.ci);
      analysis.problems.push(...scan.problems);
      for (const leg of scan.ciLegs) analysis.signals.ciLegs.push({ file: input.rel, ...leg });
      if (settings.ci) analysis.signals.hasCi = true;
    }
  }
  const judged = judge(declared, loadPackageCatalogue(), loadBuildTools('pypi'));
  analysis.dependencies = judged.dependencies;
  analysis.problems.push(...judged.problems);
  return analysis;
}

function read(input: ReadinessInput, kind: ManifestKind, constraint: boolean): ManifestReading {
  switch (kind) {
    case 'requirements': {
      const reading = readRequirements(input.rel, input.text);
      if (constraint) for (const d of reading.declared) d.group = 'lock';
      return reading;
    }
    case 'pyproject': return readPyproject(input.rel, input.text);
    case 'setup-cfg': return readSetupCfg(input.text);
    case 'setup-py': return readSetupPy(input.text);
    case 'pipfile': return readPipfile(input.text);
    case 'pipfile-lock': return readPipfileLock(input.text);
    case 'poetry-lock':
    case 'uv-lock':
    case 'pylock':
      return readTomlLock(input.text, kind);
    default:
      return { declared: [], errors: [] };
  }
}

const KIND_LABEL: Record<Dependency['group'], string> = {
  runtime: 'Dependency', optional: 'Optional dependency', dev: 'Development dependency', build: 'Build requirement', lock: 'Locked dependency',
};

/** Dependencies with their catalogue status, and the problems the policy above keeps. */
function judge(declared: { file: string; dep: Declared }[], catalogue: PackageCatalogue, tools: BuildTool[]) {
  const dependencies: Dependency[] = [];
  const problems: ReadinessProblem[] = [];
  const declaredDirectly = new Set(declared.filter((d) => d.dep.group !== 'lock').map((d) => d.dep.name));
  const versionReported = new Set<string>();
  const floors = lowerBounds(declared);
  // Direct declarations first, so the lock policy can see what they reported.
  const ordered = [...declared.filter((d) => d.dep.group !== 'lock'), ...declared.filter((d) => d.dep.group === 'lock')];
  for (const { file, dep } of ordered) {
    const info = catalogue.packages.get(dep.name);
    const dependency: Dependency = {
      name: dep.name, requirement: dep.requirement, file, span: dep.span, group: dep.group, status: info?.status ?? 'unknown',
    };
    if (info?.firstVersion) {
      dependency.firstVersion = info.firstVersion;
      dependency.capsBelowFirst = capsBelow(dep.specifier, info.firstVersion, dep.dialect);
    }
    dependencies.push(dependency);
    if (markerExcludesFreeThreading(dep.marker)) continue;
    const kind = dep.group === 'lock' && isRequirementsPath(file) ? 'Pinned dependency' : KIND_LABEL[dep.group];
    const base = { package: dep.name, requirement: dep.requirement, kind, asOf: info?.asOf ?? catalogue.asOf };
    const at = (check: string, values: Record<string, string>): ReadinessProblem => ({ check, file, span: dep.span, subject: dep.name, values: { ...base, ...values } });
    const isLock = dep.group === 'lock';
    const devLock = isLock && isRequirementsPath(file) && namedForDevelopment(file);
    const forDevelopment = dep.group === 'dev' || devLock;
    const testsFloor = pinsDeclaredFloor(dep, floors);

    // Version: a build tool's minimum, else the first free-threaded release.
    const tool = tools.find((t) => t.package === dep.name && (t.groups === 'any' || dep.group === 'build'));
    const alreadyReported = isLock && versionReported.has(dep.name);
    if (tool && !alreadyReported && capsBelow(dep.specifier, tool.minimum, dep.dialect) && !markerExcludesFreeThreading(dep.marker, tool.python)) {
      problems.push(at(tool.check, { label: tool.label ?? tool.package, minimum: tool.minimum, capability: tool.capability }));
      versionReported.add(dep.name);
    } else if (!tool && info?.firstVersion && (info.status === 'ready' || info.status === 'pure-python') && !alreadyReported && dependency.capsBelowFirst
      && !devLock && !testsFloor) {
      const check = dep.group === 'build' ? 'B11-build-capped' : 'B11-capped';
      problems.push(at(check, { label: dep.name, minimum: info.firstVersion, firstVersion: info.firstVersion, capability: 'has free-threading support' }));
      versionReported.add(dep.name);
    }

    // Status: once per declaration; from a lock only for packages nothing declares.
    if ((isLock && declaredDirectly.has(dep.name)) || testsFloor) continue;
    if (info?.status === 'not-ready') {
      problems.push(at('B11-not-ready', { note: info.note ?? '' }));
    } else if (info?.status === 'partial' && !forDevelopment) {
      problems.push(at('B11-partial', { note: info.note ?? catalogue.statuses.partial, firstVersion: info.firstVersion ?? 'none yet' }));
    }
  }
  dependencies.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.line - b.span.line || a.span.column - b.span.column));
  return { dependencies, problems };
}

/** By package: the lower bounds (`>=7.0`) its declarations outside locks give, from requirements that are not exact pins. */
function lowerBounds(declared: { dep: Declared }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { dep } of declared) {
    if (dep.group === 'lock' || exactPin(dep.specifier, dep.dialect) !== null) continue;
    const floor = lowerBound(dep.specifier, dep.dialect);
    if (floor === null) continue;
    const list = out.get(dep.name);
    if (list) list.push(floor);
    else out.set(dep.name, [floor]);
  }
  return out;
}

/** Whether a declaration pins exactly a lower bound the project declares for the package elsewhere (see the policy above). */
function pinsDeclaredFloor(dep: Declared, floors: ReadonlyMap<string, string[]>): boolean {
  if (dep.group === 'lock') return false;
  const pin = exactPin(dep.specifier, dep.dialect);
  return pin !== null && (floors.get(dep.name) ?? []).some((floor) => sameVersion(floor, pin));
}
