/**
 * Tests of the reporters: exact text lines, JSON schema validity, determinism, Markdown content,
 * SARIF structure and the HTML page, all from one hand-made `AuditRun`.
 *
 * Stage: report (test). Input: a fixed `AuditRun`. Output: node:test results.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import type * as Sarif from 'sarif';
import { RUN_PARTS, type AuditRun, type FunctionReport, type RuleMeta } from '../src/model/types.js';
import { REPORT_FORMATS, REPORT_PARTS, render, reporters } from '../src/report/index.js';
import { assess } from '../src/findings/groups.js';

// ajv is CommonJS: under NodeNext the default import is `module.exports`, whose `default` is the class.
const Ajv = AjvModule.default;

function rule(meta: Partial<RuleMeta> & Pick<RuleMeta, 'id' | 'name' | 'category' | 'severity' | 'confidence'>): RuleMeta {
  return {
    engine: 'declarative',
    status: 'stable',
    since: '0.1.0',
    summary: `Checks for ${meta.name.replace(/-/g, ' ')}`,
    message: '`{{callee}}` blocks the event loop inside async function `{{function}}`',
    rationale: 'asyncio runs every task on one thread; a blocking call parks that thread, so nothing else runs.',
    fix: { recommendation: 'Use `await asyncio.sleep(...)`, or move the blocking work to `asyncio.to_thread`.' },
    examples: { bad: 'async def poll():\n    time.sleep(1)\n', good: 'async def poll():\n    await asyncio.sleep(1)\n' },
    equivalents: [],
    references: ['https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code'],
    source: `rules/${meta.category}/${meta.id}-${meta.name}.yaml`,
    ...meta,
  };
}

const RUN: AuditRun = {
  tool: { name: 'gil-audit', version: '0.0.0-test' },
  roots: ['app'],
  summary: {
    files: 4,
    lines: 1234,
    functions: 12,
    asyncFunctions: 4,
    findings: 3,
    bySeverity: { error: 2, warning: 0, note: 1 },
    byRule: { GA110: 1, GA101: 1, GA202: 1 },
    errors: 1,
  },
  rules: {
    GA110: rule({
      id: 'GA110',
      name: 'blocking-call-via-helper-in-async-function',
      category: 'async-blocking',
      severity: 'error',
      confidence: 'medium',
    }),
    GA101: rule({
      id: 'GA101',
      name: 'blocking-sleep-in-async-function',
      category: 'async-blocking',
      severity: 'error',
      confidence: 'high',
      equivalents: ['ruff:ASYNC251'],
    }),
    GA202: rule({
      id: 'GA202',
      name: 'cpu-bound-call-in-thread',
      category: 'gil-contention',
      severity: 'note',
      confidence: 'low',
      rationale: 'Only one thread holds the GIL at a time, so CPU-bound Python in threads does not run in parallel.',
      fix: { recommendation: 'Run CPU-bound work in a `ProcessPoolExecutor`.' },
    }),
  },
  findings: [
    {
      rule: 'GA101',
      name: 'blocking-sleep-in-async-function',
      severity: 'error',
      confidence: 'high',
      file: 'app/api.py',
      line: 14,
      column: 5,
      endLine: 14,
      endColumn: 18,
      message: '`time.sleep` blocks the event loop inside async function `app.api.handler`',
      recommendation: 'Use `await asyncio.sleep(...)`, or move the blocking work to `asyncio.to_thread`.',
      equivalents: ['ruff:ASYNC251'],
      chain: [
        { function: 'app.api.handler', file: 'app/api.py', line: 14 },
        { function: 'time.sleep', file: '', line: 0 },
      ],
      function: 'app.api.handler',
      fingerprint: 'GA101:app/api.py:app.api.handler:time.sleep',
      snippet: 'time.sleep(1)',
    },
    {
      rule: 'GA110',
      name: 'blocking-call-via-helper-in-async-function',
      severity: 'error',
      confidence: 'medium',
      file: 'app/api.py',
      line: 20,
      column: 12,
      endLine: 20,
      endColumn: 26,
      message: '`app.api._load` blocks the event loop inside async function `app.api.list_users`',
      recommendation: 'Call `app.api._load` through `await asyncio.to_thread(...)`, or make the chain async.',
      equivalents: [],
      chain: [
        { function: 'app.api.list_users', file: 'app/api.py', line: 20 },
        { function: 'app.api._load', file: 'app/api.py', line: 9 },
        { function: 'app.repo.read_rows', file: 'app/repo.py', line: 4 },
        { function: 'requests.get', file: '', line: 0 },
      ],
      function: 'app.api.list_users',
      fingerprint: 'GA110:app/api.py:app.api.list_users:app.api._load',
      snippet: 'rows = _load(user_id)',
    },
    {
      rule: 'GA202',
      name: 'cpu-bound-call-in-thread',
      severity: 'note',
      confidence: 'low',
      file: 'app/workers.py',
      line: 8,
      column: 9,
      endLine: 8,
      endColumn: 40,
      message: '`hashlib.pbkdf2_hmac` runs CPU-bound work in thread target `app.workers.crunch`',
      recommendation: 'Run CPU-bound work in a `ProcessPoolExecutor`.',
      equivalents: [],
      chain: [
        { function: 'app.workers.crunch', file: 'app/workers.py', line: 8 },
        { function: 'hashlib.pbkdf2_hmac', file: '', line: 0 },
      ],
      function: 'app.workers.crunch',
      fingerprint: 'GA202:app/workers.py:app.workers.crunch:hashlib.pbkdf2_hmac',
      snippet: 'hashlib.pbkdf2_hmac("sha256", pw, salt, 10**6)',
    },
  ],
  errors: [{ file: 'app/broken.py', message: 'Syntax error at line 3: expected `:` after `if x < 1` near <eof>' }],
};

const CPU_REMEDY =
  'Threads serialise on the GIL here: use a ProcessPoolExecutor (or InterpreterPoolExecutor on 3.14+), vectorise with NumPy, or move the loop to Cython/C/Rust that releases the GIL; free-threaded 3.14t lets threads scale.';

/** Function profiles, hottest first as the analysis ranks them (not sorted by anything else). */
const FUNCTIONS: FunctionReport[] = [
  {
    qualname: 'app.workers.crunch',
    file: 'app/workers.py',
    line: 5,
    isAsync: false,
    classification: 'cpu-gil',
    confidence: 'high',
    evidence: [
      { kind: 'cpu-gil', reason: 'nested loops (depth 2) with 14 arithmetic operations', file: 'app/workers.py', line: 6 },
      {
        kind: 'cpu-gil',
        reason: '`app.workers._score` does CPU work holding the GIL',
        file: 'app/workers.py',
        line: 9,
        chain: [
          { function: 'app.workers.crunch', file: 'app/workers.py', line: 9 },
          { function: 'app.workers._score', file: 'app/workers.py', line: 15 },
        ],
      },
    ],
    entryPoints: [
      { kind: 'thread-pool', file: 'app/main.py', line: 30, via: 'concurrent.futures.ThreadPoolExecutor().submit' },
      { kind: 'main', file: 'app/main.py', line: 44, via: '__main__' },
    ],
    hotness: 92,
    remedy: CPU_REMEDY,
  },
  {
    qualname: 'app.api.list_users',
    file: 'app/api.py',
    line: 18,
    isAsync: true,
    classification: 'io',
    confidence: 'medium',
    evidence: [{ kind: 'io', reason: 'awaits `session.get`', file: 'app/api.py', line: 22 }],
    entryPoints: [{ kind: 'request-handler', file: 'app/api.py', line: 17, via: 'fastapi' }],
    hotness: 80,
    remedy: 'Awaiting I/O is what coroutines are for; keep blocking calls out of it (use the async client).',
  },
  {
    qualname: 'app.sync.fetch_feed',
    file: 'app/sync.py',
    line: 12,
    isAsync: false,
    classification: 'io',
    confidence: 'high',
    evidence: [{ kind: 'io', reason: '`requests.get` waits on I/O', file: 'app/sync.py', line: 13 }],
    entryPoints: [{ kind: 'thread', file: 'app/sync.py', line: 40, via: 'threading.Thread' }],
    hotness: 71,
    remedy: 'Threads are a good fit: the GIL is released while waiting on I/O.',
  },
  {
    qualname: 'app.media.digest',
    file: 'app/media.py',
    line: 3,
    isAsync: false,
    classification: 'releases-gil',
    confidence: 'high',
    evidence: [{ kind: 'releases-gil', reason: '`hashlib.sha256` runs native code that releases the GIL', file: 'app/media.py', line: 4 }],
    entryPoints: [{ kind: 'thread', file: 'app/media.py', line: 20, via: 'threading.Thread' }],
    hotness: 66,
    remedy: 'Threads scale here: the native code releases the GIL.',
  },
  {
    qualname: 'app.plugins.run',
    file: 'app/plugins.py',
    line: 7,
    isAsync: false,
    classification: 'unknown',
    confidence: 'low',
    evidence: [],
    entryPoints: [{ kind: 'main', file: 'app/plugins.py', line: 30, via: '__main__' }],
    hotness: 40,
    remedy: '',
  },
];

/** `run` with the assessment the findings stage builds (groups, actions, scores, thread verdicts). */
function assessed(run: AuditRun): AuditRun {
  const { assessment: _old, ...rest } = run;
  return { ...rest, assessment: assess(rest) };
}

RUN.assessment = assess(RUN);

/** The same run, with function profiles. */
const PROFILED: AuditRun = assessed({ ...RUN, functions: FUNCTIONS });

const SCHEMA_URL = new URL('../../src/schema/report.schema.json', import.meta.url);

describe('text reporter', () => {
  const text = render('text', RUN, {});
  const lines = text.split('\n');

  it('prints path:line:col: RULE message for each finding', () => {
    assert.equal(lines[0], 'app/api.py:14:5: GA101 `time.sleep` blocks the event loop inside async function `app.api.handler`');
    assert.ok(lines.includes('app/workers.py:8:9: GA202 `hashlib.pbkdf2_hmac` runs CPU-bound work in thread target `app.workers.crunch`'));
  });

  it('prints a code frame with a caret and the help line for a direct finding', () => {
    assert.deepEqual(lines.slice(1, 5), [
      '   14 | time.sleep(1)',
      '      | ^^^^^^^^^^^^^',
      '    = help: Use `await asyncio.sleep(...)`, or move the blocking work to `asyncio.to_thread`.',
      '',
    ]);
  });

  it('prints the chain of a transitive finding, down to the API', () => {
    const start = lines.indexOf('app/api.py:20:12: GA110 `app.api._load` blocks the event loop inside async function `app.api.list_users`');
    assert.ok(start > 0);
    assert.deepEqual(lines.slice(start + 1, start + 7), [
      '    via app.api.list_users (app/api.py:20)',
      '    via app.api._load (app/api.py:9)',
      '    via app.repo.read_rows (app/repo.py:4)',
      '    via requests.get',
      '   20 | rows = _load(user_id)',
      '      |        ^^^^^^^^^^^^^^',
    ]);
  });

  it('ends with the summary and the file errors', () => {
    assert.ok(text.endsWith('\n'));
    assert.ok(lines.includes('Found 3 findings (2 errors, 0 warnings, 1 note) in 4 files.'));
    assert.ok(lines.includes('  app/broken.py: Syntax error at line 3: expected `:` after `if x < 1` near <eof>'));
  });

  it('says so when there are no findings', () => {
    const clean: AuditRun = {
      ...RUN,
      findings: [],
      errors: [],
      rules: {},
      summary: { ...RUN.summary, findings: 0, bySeverity: { error: 0, warning: 0, note: 0 }, byRule: {}, errors: 0 },
    };
    assert.equal(render('text', clean, {}), 'No findings in 4 files.\n');
  });

  it('colours only when asked', () => {
    assert.doesNotMatch(text, /\u001b\[/);
    assert.match(render('text', RUN, { color: true }), /\u001b\[/);
  });
});

describe('json reporter', () => {
  const json = render('json', RUN, {});
  const profiledJson = render('json', PROFILED, {});

  function validator() {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: true });
    return { ajv, validate: ajv.compile(schema) };
  }

  it('validates against report.schema.json', () => {
    const { ajv, validate } = validator();
    const report: unknown = JSON.parse(json);
    assert.ok(validate(report), ajv.errorsText(validate.errors));
    assert.ok(!validate({ ...(report as object), extra: 1 }), 'unknown top-level keys are rejected');
    assert.ok(!validate({ ...(report as object), functions: [{ anything: true }] }), 'functions has a fixed shape');
    const { functions: _functions, ...withoutFunctions } = report as Record<string, unknown>;
    assert.ok(!validate(withoutFunctions), 'functions is required');
  });

  it('writes functions as [] when the run has none', () => {
    assert.deepEqual((JSON.parse(json) as { functions: unknown[] }).functions, []);
    assert.ok(json.includes('"functions": [],\n  "errors": ['));
  });

  it('validates with functions, and the schema rejects malformed ones', () => {
    const { ajv, validate } = validator();
    const report = JSON.parse(profiledJson) as { functions: Record<string, unknown>[] };
    assert.ok(validate(report), ajv.errorsText(validate.errors));
    const withFunction = (patch: Record<string, unknown>) => ({ ...report, functions: [{ ...report.functions[0], ...patch }] });
    assert.ok(!validate(withFunction({ classification: 'cpu' })), 'classification is an enum');
    assert.ok(!validate(withFunction({ confidence: 'certain' })), 'confidence is an enum');
    assert.ok(!validate(withFunction({ hotness: 101 })), 'hotness is at most 100');
    assert.ok(!validate(withFunction({ hotness: 50.5 })), 'hotness is an integer');
    assert.ok(!validate(withFunction({ extra: true })), 'no unknown keys');
    assert.ok(!validate(withFunction({ entryPoints: [{ kind: 'fork', file: 'a.py', line: 1, via: 'os.fork' }] })), 'entry kind is an enum');
    assert.ok(!validate(withFunction({ evidence: [{ kind: 'mixed', reason: 'r', file: 'a.py', line: 1 }] })), 'evidence kind is an enum');
  });

  it('writes functions after findings, in the given order, with keys in the published order', () => {
    const report = JSON.parse(profiledJson) as Record<string, unknown> & { functions: (Record<string, unknown> & { evidence: Record<string, unknown>[]; entryPoints: Record<string, unknown>[] })[] };
    assert.deepEqual(Object.keys(report), ['version', 'tool', 'roots', 'summary', 'rules', 'findings', 'functions', 'errors', 'assessment']);
    assert.deepEqual(
      report.functions.map((f) => f.qualname),
      FUNCTIONS.map((f) => f.qualname),
    );
    const [first] = report.functions;
    assert.deepEqual(Object.keys(first), ['qualname', 'file', 'line', 'isAsync', 'classification', 'confidence', 'evidence', 'entryPoints', 'hotness', 'remedy']);
    assert.deepEqual(Object.keys(first.evidence[0]), ['kind', 'reason', 'file', 'line']);
    assert.deepEqual(Object.keys(first.evidence[1]), ['kind', 'reason', 'file', 'line', 'chain']);
    assert.deepEqual(Object.keys(first.entryPoints[0]), ['kind', 'file', 'line', 'via']);
    assert.deepEqual(report.functions, JSON.parse(JSON.stringify(FUNCTIONS)));
  });

  it('is pretty-printed, ordered and complete', () => {
    assert.ok(json.endsWith('}\n'));
    assert.ok(json.startsWith('{\n  "version": "1.2",\n  "tool": {'));
    const report = JSON.parse(json) as {
      rules: { id: string; recommendation: string }[];
      summary: { byRule: Record<string, number> };
      findings: { chain: unknown[] }[];
      errors: unknown[];
    };
    assert.deepEqual(Object.keys(report), ['version', 'tool', 'roots', 'summary', 'rules', 'findings', 'functions', 'errors', 'assessment']);
    assert.deepEqual(report.rules.map((r) => r.id), ['GA101', 'GA110', 'GA202']);
    assert.deepEqual(Object.keys(report.summary.byRule), ['GA101', 'GA110', 'GA202']);
    assert.equal(report.rules[2].recommendation, 'Run CPU-bound work in a `ProcessPoolExecutor`.');
    assert.equal(report.findings[1].chain.length, 4);
    assert.equal(report.errors.length, 1);
  });
});

describe('determinism', () => {
  for (const format of ['json', 'markdown', 'sarif', 'html', 'text'] as const) {
    it(`${format} is byte-identical across calls`, () => {
      assert.equal(render(format, RUN, {}), render(format, structuredClone(RUN), {}));
      assert.equal(render(format, PROFILED, {}), render(format, structuredClone(PROFILED), {}));
    });
  }
});

describe('the run members each format shows (REPORT_PARTS)', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format} reads no member of the run beyond those listed for it (the run memo leaves the others out)`, () => {
      const without = structuredClone(PROFILED) as unknown as Record<string, unknown>;
      for (const part of RUN_PARTS) if (!REPORT_PARTS[format].includes(part)) delete without[part];
      assert.ok(PROFILED.functions!.length > 0 && PROFILED.assessment!.groups.length > 0);
      assert.equal(render(format, without as unknown as AuditRun, {}), render(format, PROFILED, {}));
    });
  }
});

describe('markdown reporter', () => {
  const md = render('markdown', RUN, {});

  it('has the title, the cover table and the executive summary', () => {
    assert.ok(md.startsWith('# gil-audit report\n\n| Scope | `app`: 4 Python files, 1,234 lines, 12 functions (4 `async def`) |\n| --- | --- |\n'));
    assert.ok(md.includes('| Tool | gil-audit 0.0.0-test, static analysis: the audited code is never imported or run |'));
    assert.ok(md.includes('## Executive summary\n\nOverall risk: **high**. Event-loop score 72/100, 2 root causes of error severity. The 3 findings come from 3 root causes;'));
    assert.ok(md.includes('| Event loop | 72/100 | **fair** | 2 root causes (2 findings): code that blocks the event loop. |'));
    assert.ok(md.includes('| GIL / CPU | 98/100 | **good** | 1 root cause (1 finding): code that runs CPU-bound Python where the GIL serialises it. |'));
    assert.match(md, /\*\*1 place blocks the event loop directly\*\*/);
    assert.match(md, /\*\*1 place blocks the event loop through helper functions\*\* \(rule GA110/);
  });

  it('has the rules appendix, with the row for GA110 and each rationale once', () => {
    const appendix = md.slice(md.indexOf('## Appendix: the rules'));
    assert.ok(appendix.includes('| GA110 | `blocking-call-via-helper-in-async-function` | error | 1 |'));
    assert.ok(appendix.includes('### GA202 `cpu-bound-call-in-thread`\n\n**note** · confidence low · gil-contention · 1 in the code\n\nChecks for cpu bound call in thread\n\nOnly one thread holds the GIL'));
    const rationale = 'asyncio runs every task on one thread; a blocking call parks that thread, so nothing else runs.';
    assert.equal(md.split(rationale).length - 1, 2, 'once for each of the two rules that have it, in the appendix only');
    assert.ok(md.indexOf(rationale) > md.indexOf('## Appendix: the rules'));
  });

  it('has the contents, the action plan and every chapter, in order', () => {
    const order = ['## Contents', '## Executive summary', '## Action plan', '## Findings by root cause', '## Method and limitations', '## How to read the scores', '## Appendix: the rules', '## Files not fully analysed'].map((h) => md.indexOf(`\n${h}\n`));
    assert.ok(order.every((i) => i > 0), String(order));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.ok(md.includes('- [Action plan](#action-plan)\n- [Findings by root cause](#findings-by-root-cause)\n'));
    assert.ok(md.includes('| G1 | **now** | `time.sleep` blocks the event loop inside async function `app.api.handler` | `app/api.py:14` | 1 | small | **high** |'));
    assert.ok(md.includes('| G2 | **now** | `app.repo.read_rows` calls `requests.get`, reached from 1 caller | `app/repo.py:4` | 1 | medium | **high** |'));
    assert.ok(md.includes('| G3 | **later** | `hashlib.pbkdf2_hmac` runs CPU-bound work in thread target `app.workers.crunch` | `app/workers.py:8` | 1 | large | **low** |'));
  });

  it('groups findings by root cause, with code frame, the chain as a Mermaid flowchart, call sites and remedy', () => {
    const section = md.slice(md.indexOf('### G2: '), md.indexOf('### G3: '));
    assert.equal(
      section,
      [
        '### G2: `app.repo.read_rows` calls `requests.get`, reached from 1 caller',
        '',
        '**error** · confidence medium · Event loop · rule GA110',
        '',
        '`app.repo.read_rows` makes the call at `app/repo.py:4`. Fixing it there fixes the finding below, where a coroutine reaches it.',
        '',
        '`app/api.py:20`:',
        '',
        '```python',
        'rows = _load(user_id)',
        '```',
        '',
        '**Call chain** (from the first call site down to the API):',
        '',
        '```mermaid',
        'flowchart TD',
        '  n0["app.api.list_users<br/>app/api.py:20"]',
        '  n1["app.api._load<br/>app/api.py:9"]',
        '  n2["app.repo.read_rows<br/>app/repo.py:4"]',
        '  n3["requests.get"]',
        '  n0 --> n1',
        '  n1 --> n2',
        '  n2 --> n3',
        '  class n3 api',
        '  classDef api stroke-width:3px',
        '```',
        '',
        '**Call site:**',
        '',
        '- `app/api.py:20` in `app.api.list_users`',
        '',
        '**Remedy:** Call `app.api._load` through `await asyncio.to_thread(...)`, or make the chain async.',
        '',
        '',
      ].join('\n'),
    );
    assert.ok(!md.includes('Why this matters'), 'rationales are in the appendix only');
  });

  it('lists file errors last, with HTML escaped outside code spans', () => {
    const errors = md.slice(md.indexOf('## Files not fully analysed'));
    assert.ok(errors.length > 0 && md.endsWith(`${errors}`));
    assert.ok(errors.includes('- `app/broken.py`: Syntax error at line 3: expected `:` after `if x < 1` near &lt;eof&gt;'));
  });
});

describe('markdown reporter: hot paths and concurrency', () => {
  const md = render('markdown', PROFILED, {});
  const plain = render('markdown', RUN, {});

  it('mentions the classified functions in the executive summary', () => {
    const summary = md.slice(md.indexOf('\n## Executive summary'), md.indexOf('\n## Action plan'));
    assert.ok(summary.includes('**5 functions were classified by workload** (see Hot paths): 1 is CPU-bound Python that holds the GIL.'));
    assert.match(summary, /1 thread target looks CPU-bound, so threads would take turns on the GIL \(see Concurrency\); none of them is a finding, where the analysis could prove the work is large enough to matter\./);
  });

  it('places Hot paths and Concurrency between the findings and the method', () => {
    const order = ['## Findings by root cause', '## Hot paths', '## Concurrency', '## Method and limitations'].map((h) => md.indexOf(`\n${h}\n`));
    assert.ok(order.every((i) => i > 0));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it('explains the ranking and has the table header', () => {
    assert.match(md, /## Hot paths\n\nFunctions are ranked by hotness \(0–100\).*work.*how often it runs.*request handlers, tasks and thread targets.*`__main__` block.*no entry point reaches\./);
    assert.ok(md.includes('| # | Function | Classification | How it runs | Hotness | Remedy |\n| ---: | --- | --- | --- | ---: | --- |\n'));
  });

  it('has one row per function, in the given order, the cpu-gil one with its remedy', () => {
    assert.ok(
      md.includes(
        `| 1 | \`app.workers.crunch\` (\`app/workers.py:5\`) | CPU-bound (holds the GIL) | thread pool, \`__main__\` | 92 | ${CPU_REMEDY} |`,
      ),
    );
    assert.ok(md.includes('| 2 | `app.api.list_users` (`app/api.py:18`) | I/O-bound | request handler | 80 |'));
    assert.ok(md.includes('| 4 | `app.media.digest` (`app/media.py:3`) | Releases the GIL | thread | 66 |'));
    assert.ok(md.includes('| 5 | `app.plugins.run` (`app/plugins.py:7`) | Unknown | `__main__` | 40 | — |'));
  });

  it('lists the threads that fight the GIL and those that scale', () => {
    const section = md.slice(md.indexOf('## Concurrency'), md.indexOf('## Method and limitations'));
    const fight = section.slice(section.indexOf('### Threads that fight the GIL'), section.indexOf('### Threads that scale'));
    const scale = section.slice(section.indexOf('### Threads that scale'));
    assert.ok(
      fight.includes(
        '- `app.workers.crunch`, CPU-bound (holds the GIL), started at `app/main.py:30` via `concurrent.futures.ThreadPoolExecutor().submit`. ' + CPU_REMEDY,
      ),
    );
    assert.ok(!fight.includes('app.sync.fetch_feed') && !fight.includes('app.api.list_users'));
    assert.ok(scale.includes('- `app.sync.fetch_feed`, started at `app/sync.py:40` via `threading.Thread`. Threads are a good fit: it waits on I/O'));
    assert.ok(scale.includes('- `app.media.digest`, started at `app/media.py:20` via `threading.Thread`. Threads are a good fit: the native code it runs releases the GIL'));
    assert.ok(!scale.includes('app.api.list_users'), 'a request handler is not a thread');
    assert.ok(!section.includes('app.plugins.run'));
  });

  it('lists a mixed thread target among those that fight the GIL', () => {
    const mixed: FunctionReport = { ...FUNCTIONS[2], qualname: 'app.sync.parse_feed', classification: 'mixed', remedy: 'Split it.' };
    const text = render('markdown', assessed({ ...RUN, functions: [mixed] }), {});
    assert.ok(text.includes('- `app.sync.parse_feed`, mixed CPU and I/O, started at `app/sync.py:40` via `threading.Thread`. Split it.'));
    assert.ok(text.includes('none of them is CPU-bound Python that holds the GIL and 1 mixes CPU work and I/O. 1 thread target looks CPU-bound'));
  });

  it('says so when a list is empty', () => {
    const noCpu = render('markdown', assessed({ ...RUN, functions: FUNCTIONS.slice(1) }), {});
    assert.ok(noCpu.includes('### Threads that fight the GIL\n\nNo thread runs CPU-bound Python.\n'));
    assert.ok(noCpu.includes('none of them is CPU-bound Python that holds the GIL.'));
    const noThreads = render('markdown', assessed({ ...RUN, functions: [FUNCTIONS[1]] }), {});
    assert.ok(noThreads.includes('### Threads that scale\n\nNo thread target was found'));
  });

  it('shows at most 20 rows', () => {
    const many = Array.from({ length: 25 }, (_, i): FunctionReport => ({ ...FUNCTIONS[4], qualname: `app.plugins.f${i}`, hotness: 60 - i }));
    const text = render('markdown', assessed({ ...RUN, functions: many }), {});
    assert.ok(text.includes('| 20 | `app.plugins.f19`'));
    assert.ok(!text.includes('| 21 |'));
    assert.ok(text.includes('The 20 hottest of the 25 profiled functions are shown'));
  });

  it('omits both sections, and the summary sentence, without functions', () => {
    for (const text of [plain, render('markdown', assessed({ ...RUN, functions: [] }), {})]) {
      assert.ok(!text.includes('## Hot paths'));
      assert.ok(!text.includes('## Concurrency'));
      assert.ok(!text.includes('classified by workload'));
    }
    assert.equal(render('markdown', assessed({ ...RUN, functions: [] }), {}), plain);
  });

  it('leaves the text report unchanged', () => {
    assert.equal(render('text', PROFILED, {}), render('text', RUN, {}));
  });

  it('renders the table in HTML with the remedy column left-aligned', () => {
    const html = reporters.html(PROFILED, {});
    assert.ok(html.includes('<h2 id="hot-paths">Hot paths</h2>'));
    assert.ok(html.includes('<th align="right">Hotness</th>'));
    assert.ok(html.includes('<th>Remedy</th>'));
    assert.ok(html.includes('td[align="right"], th[align="right"] { text-align: right; white-space: nowrap; }'));
  });
});

describe('sarif reporter', () => {
  const log = JSON.parse(render('sarif', RUN, {})) as Sarif.Log;
  const sarifRun = log.runs[0];

  it('is SARIF 2.1.0 with one rule per fired rule', () => {
    assert.equal(log.version, '2.1.0');
    const rules = sarifRun.tool.driver.rules ?? [];
    assert.deepEqual(rules.map((r) => r.id), ['GA101', 'GA110', 'GA202']);
    assert.equal(rules[0].shortDescription?.text, 'Checks for blocking sleep in async function');
    assert.deepEqual(rules[0].properties?.equivalents, ['ruff:ASYNC251']);
    assert.match(rules[0].help?.markdown ?? '', /```python\nasync def poll\(\):\n    time\.sleep\(1\)\n```/);
  });

  it('gives each result its level, fingerprint, confidence and relative location', () => {
    const results = sarifRun.results ?? [];
    assert.equal(results.length, 3);
    assert.equal(results[2].level, 'note');
    assert.equal(results[1].ruleIndex, 1);
    assert.deepEqual(results[0].partialFingerprints, { 'gilAudit/v1': 'GA101:app/api.py:app.api.handler:time.sleep' });
    assert.equal(results[0].properties?.confidence, 'high');
    assert.deepEqual(results[0].locations?.[0].physicalLocation?.artifactLocation, { uri: 'app/api.py', uriBaseId: '%SRCROOT%' });
  });

  it('turns the GA110 chain into a code flow, one location per step that has a file', () => {
    const ga110 = (sarifRun.results ?? []).find((r) => r.ruleId === 'GA110');
    const locations = ga110?.codeFlows?.[0].threadFlows[0].locations ?? [];
    assert.equal(locations.length, 3);
    assert.deepEqual(
      locations.map((l) => [l.location?.physicalLocation?.artifactLocation?.uri, l.location?.physicalLocation?.region?.startLine]),
      [
        ['app/api.py', 20],
        ['app/api.py', 9],
        ['app/repo.py', 4],
      ],
    );
    assert.equal(locations[2].location?.message?.text, 'app.repo.read_rows calls requests.get');
  });

  it('describes %SRCROOT%, and every relative location uses it (SARIF §3.4.4, §3.14.14)', () => {
    assert.deepEqual(Object.keys(sarifRun.originalUriBaseIds ?? {}), ['%SRCROOT%']);
    // No absolute path in it: the log is the same on every machine.
    assert.equal(sarifRun.originalUriBaseIds?.['%SRCROOT%'].uri, undefined);
    assert.ok(sarifRun.originalUriBaseIds?.['%SRCROOT%'].description?.text);
    const locations: Sarif.ArtifactLocation[] = [];
    JSON.stringify(log, (key, value: unknown) => {
      if (key === 'artifactLocation') locations.push(value as Sarif.ArtifactLocation);
      return value;
    });
    assert.ok(locations.length > 5);
    for (const l of locations) {
      assert.ok(l.uri !== undefined && !/^[a-z]+:/.test(l.uri) && !l.uri.startsWith('/'), l.uri);
      assert.equal(l.uriBaseId, '%SRCROOT%');
    }
  });

  it('makes paths relative to the repository root when the audited folder lies below it', () => {
    const below = JSON.parse(render('sarif', RUN, { repositoryPrefix: 'services/api' })) as Sarif.Log;
    const run = below.runs[0];
    assert.deepEqual(run.results?.[0].locations?.[0].physicalLocation?.artifactLocation, { uri: 'services/api/app/api.py', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(
      run.results?.find((r) => r.ruleId === 'GA110')?.codeFlows?.[0].threadFlows[0].locations.map((l) => l.location?.physicalLocation?.artifactLocation?.uri),
      ['services/api/app/api.py', 'services/api/app/api.py', 'services/api/app/repo.py'],
    );
    const note = run.invocations?.[0].toolExecutionNotifications?.[0];
    assert.equal(note?.locations?.[0].physicalLocation?.artifactLocation?.uri, 'services/api/app/broken.py');
    assert.match(note?.message.text ?? '', /^services\/api\/app\/broken\.py: /);
    assert.equal(render('sarif', RUN, { repositoryPrefix: '' }), render('sarif', RUN, {}));
    assert.match(render('github', RUN, { repositoryPrefix: 'services/api' }), /^::error file=services\/api\/app\/api\.py,line=/);
    assert.equal(render('json', RUN, { repositoryPrefix: 'services/api' }), render('json', RUN, {}), 'JSON keeps paths relative to the audited folder');
  });

  it('reports file errors as tool notifications', () => {
    const notes = sarifRun.invocations?.[0].toolExecutionNotifications ?? [];
    assert.equal(notes.length, 1);
    assert.equal(notes[0].locations?.[0].physicalLocation?.artifactLocation?.uri, 'app/broken.py');
  });
});

describe('html reporter', () => {
  const html = reporters.html(RUN, {});

  it('is a self-contained page rendered from the Markdown', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes('<meta charset="utf-8">'));
    assert.ok(html.includes('<title>gil-audit report: app</title>'));
    assert.ok(html.includes('<div class="table-wrap"><table>'));
    assert.ok(html.includes('<code>if x &lt; 1</code> near &lt;eof&gt;'));
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
    assert.doesNotMatch(html, /<(script|link)\b|src="http/);
  });

  it('gives headings the anchors the contents link to, and colours severities', () => {
    assert.ok(html.includes('<li><a href="#action-plan">Action plan</a></li>'));
    assert.ok(html.includes('<h2 id="action-plan">Action plan</h2>'));
    assert.ok(html.includes('<strong class="sev sev-red">error</strong>'));
    assert.ok(html.includes('<strong class="sev sev-blue">note</strong>'));
  });

  it('draws call chains as inline SVG, escaping every name, and breaks identifiers only between their parts', () => {
    assert.ok(html.includes('<figure class="flow">\n<svg class="flowchart" role="img" aria-label="Call chain: app.api.list_users calls app.api._load calls app.repo.read_rows calls requests.get"'));
    assert.ok(html.includes('<text class="flow-name" x="16" y="21">app.api.list_users</text>'));
    assert.ok(!html.includes('```mermaid') && !html.includes('gil-audit-flowchart'));
    assert.ok(html.includes('<code>app.<wbr>api.<wbr>list_users</code>'));
    assert.ok(html.includes('<td><code>app/<wbr>api.py:14</code></td>'), 'a file:line breaks only at its slashes');
    const hostile: AuditRun = structuredClone(RUN);
    hostile.findings[1].chain[1].function = 'app.<script>alert("x")</script>&\u202e';
    const page = reporters.html(assessed(hostile), {});
    assert.ok(page.includes('app.&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;\\u202e'));
    assert.doesNotMatch(page, /<script/);
    const md = render('markdown', assessed(hostile), {});
    assert.ok(md.includes('n1["app.#60;script#62;alert#40;#34;x#34;#41;#60;/script#62;#38;#92;u202e<br/>app/api.py:9"]'));
  });

  it('has a print stylesheet that opens every collapsed section', () => {
    assert.match(html, /@media print \{[^]*details::details-content \{ content-visibility: visible; display: block; \}/);
  });
});
