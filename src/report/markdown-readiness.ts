/**
 * The Markdown report's free-threading chapter: verdict, would it help, score by area, blockers,
 * the path to take, dependencies, what the packaging and CI declare (B14, B15), native modules,
 * and how the score is made.
 *
 * Stage: report. Presents `run.readiness` as the analysis built it; decides nothing.
 */
import type { AuditRun, ReadinessReport } from '../model/types.js';
import { mdCode, mdText } from './markdown.js';

const LEVELS: Record<ReadinessReport['level'], string> = {
  ready: 'ready', 'nearly-ready': 'nearly ready', 'work-needed': 'work needed', blocked: 'blocked',
};
const AREAS: Record<string, string> = { dependencies: 'Dependencies', 'native-code': 'Native code', 'shared-state': 'Shared state' };
const ANSWERS: Record<ReadinessReport['wouldHelp']['answer'], string> = { yes: 'Yes', no: 'No', unclear: 'Unclear' };
const STATUS_ORDER = ['not-ready', 'partial', 'ready', 'pure-python', 'unknown'];
const BLOCKERS_SHOWN = 15;

function cell(text: string): string {
  return mdText(text.trim().replace(/\s*\n\s*/g, ' ')).replace(/\|/g, '\\|');
}

export function readinessChapter(run: AuditRun): string[] {
  const r = run.readiness;
  if (!r) return [];
  const out = [
    '## Free-threaded Python (PEP 703) readiness',
    '',
    `**Readiness: ${r.score}/100 (${LEVELS[r.level]}).** Would free-threading speed this program up? **${ANSWERS[r.wouldHelp.answer]}**: ${mdText(r.wouldHelp.reason)}.`,
    '',
    `**Recommended path:** ${mdText(r.path.text)}`,
    '',
  ];
  if (r.wouldHelp.hotPaths.length > 0) {
    out.push(r.wouldHelp.answer === 'yes'
      ? 'CPU-bound functions on threads, which a free-threaded build would run in parallel:'
      : 'Functions on threads that look CPU-bound, though their work could not be shown to be large:', '');
    out.push('| Function | Where | Started by |', '|---|---|---|');
    for (const h of r.wouldHelp.hotPaths) out.push(`| ${mdCode(h.qualname)} | ${mdCode(`${h.file}:${h.line}`)} | ${mdCode(h.via)} |`);
    out.push('');
  }
  out.push('| Area | Score | What cost points |', '|---|---:|---|');
  for (const a of r.areas) out.push(`| ${AREAS[a.area]} | ${a.score}/${a.weight} | ${a.deductions.length > 0 ? cell(a.deductions.join('; ')) : 'nothing'} |`);
  out.push('');
  if (r.blockers.length > 0) {
    out.push(`### Blockers`, '');
    for (const b of r.blockers.slice(0, BLOCKERS_SHOWN)) out.push(`- ${b.rule} at ${mdCode(`${b.file}:${b.line}`)}: ${mdText(b.message)}`);
    if (r.blockers.length > BLOCKERS_SHOWN) out.push(`- … and ${r.blockers.length - BLOCKERS_SHOWN} more (see the findings).`);
    out.push('');
  }
  if (r.dependencies.length > 0) {
    const byStatus = new Map<string, string[]>();
    for (const d of r.dependencies) byStatus.set(d.status, [...(byStatus.get(d.status) ?? []), d.name]);
    out.push('### Dependencies', '', '| Status | Packages |', '|---|---|');
    for (const status of STATUS_ORDER) {
      const names = byStatus.get(status);
      if (names) out.push(`| ${status} | ${names.map(mdCode).join(', ')} |`);
    }
    out.push('');
    if (r.packageData.source) out.push(`Package statuses: ${mdText(r.packageData.source)}, as of ${mdText(r.packageData.asOf)}.`, '');
  }
  out.push(...signalLines(r.signals));
  if (r.nativeModules.length > 0) {
    out.push('### Native modules', '', '| Module | Binding | Defined at | Declares free-threading |', '|---|---|---|---|');
    for (const m of r.nativeModules) out.push(`| ${mdCode(m.name)} | ${m.binding} | ${mdCode(`${m.file}:${m.line}`)} | ${m.declaresFreeThreading ? 'yes' : '**no**'} |`);
    out.push('');
  }
  out.push(
    '<details><summary>How the readiness score is made</summary>',
    '',
    'Three areas add up to 100: dependencies (40), the project\'s native code (35) and Python state the GIL used to protect (25). '
      + 'A runtime dependency without free-threaded builds costs 10 points, a partly ready one 4; a native module that does not declare '
      + 'free-threading support costs 12 (importing it re-enables the GIL); a problem likely to crash or corrupt data without the GIL costs 6; '
      + 'other findings cost 1 each, at most 10 per area. 85 and above is ready, 60 to 84 nearly ready, 30 to 59 work needed, below 30 blocked. '
      + '"Would it help" is answered from the functions classified CPU-bound (holding the GIL) that run on threads.',
    '',
    '</details>',
  );
  return out;
}

/**
 * What the packaging and CI say about free-threading support (checklist B14, B15). A missing
 * classifier is shown only for a project that declares a package, a missing CI leg only for one
 * with CI configuration: otherwise there is nothing the absence says.
 */
function signalLines(signals: ReadinessReport['signals']): string[] {
  if (!signals || (!signals.declaresPackage && !signals.hasCi && signals.classifiers.length === 0 && signals.ciLegs.length === 0)) return [];
  const out = ['### Declared support', ''];
  if (signals.classifiers.length > 0) {
    const shown = signals.classifiers.map((c) => `${mdCode(c.value)} (${mdCode(`${c.file}:${c.line}`)})`).join(', ');
    out.push(`- Trove classifier: ${shown}.`);
  } else if (signals.declaresPackage) {
    out.push(`- Trove classifier: none. Once the package is tested on a free-threaded build, say so with ${mdCode('Programming Language :: Python :: Free Threading :: 1 - Unstable')} (or a higher level).`);
  }
  if (signals.ciLegs.length > 0) {
    const versions = [...new Set(signals.ciLegs.map((l) => l.version))].join(', ');
    const first = signals.ciLegs[0];
    out.push(`- Free-threaded CI: ${mdText(versions)} (first named at ${mdCode(`${first.file}:${first.line}`)}).`);
  } else if (signals.hasCi) {
    out.push(`- Free-threaded CI: none. No ${mdCode('3.13t')} or ${mdCode('3.14t')} in the CI matrix, so nothing tests the code without the GIL.`);
  }
  out.push('');
  return out;
}
