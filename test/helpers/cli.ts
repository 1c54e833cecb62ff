/**
 * Running the built command in tests: synchronously or as a child process to run alongside others.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './fixtures.js';

/** The built command. */
export const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** This process's environment with `env` over it (a variable given as undefined is removed), and no colour. */
function environment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete out[name];
  return out;
}

/** Runs the command with `args` in `cwd`, in `environment(env)`. */
export function runCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: environment(env) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, started: its process id, and its result as a promise, so that runs can overlap or be killed. */
export function startCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): { pid: number; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: environment(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { pid: child.pid!, result };
}
