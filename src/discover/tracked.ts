/**
 * The files git tracks below a directory, so that an audit run from a hook skips scratch files.
 *
 * Stage: discover. Runs `git ls-files` with the repository's filesystem monitor switched off, so
 * that no program the audited repository configures is started; nothing else of git runs.
 */
import { execFileSync } from 'node:child_process';

/** Paths relative to `root` (`/`-separated) that git tracks, or a message saying why they cannot be listed. */
export function trackedFiles(root: string): Set<string> | { problem: string } {
  let out: Buffer;
  try {
    out = execFileSync('git', ['-c', 'core.fsmonitor=false', '-C', root, 'ls-files', '-z', '--cached', '--', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
    });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim().split('\n')[0] || (error as Error).message;
    return { problem: `cannot list the files git tracks (${detail}); every file found is audited` };
  }
  return new Set(out.toString('utf8').split('\0').filter(Boolean));
}
