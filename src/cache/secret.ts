/**
 * The machine's cache key: a random secret kept in the user's cache folder, never in a project.
 *
 * Stage: cache. Entries are sealed with it (see entry.ts), so an entry that came with the audited
 * repository, or from another machine, never verifies and is rebuilt. Kept in
 * `$XDG_CACHE_HOME/gil-audit/key` (else `~/.cache/gil-audit/key`; `%LOCALAPPDATA%` on Windows).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

/** The folder holding the key. */
export function secretDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'gil-audit');
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, 'gil-audit');
  return join(homedir(), '.cache', 'gil-audit');
}

/**
 * The key, made on first use. Two first runs at once agree: each writes a candidate and links it
 * into place, which only one link can do; both then read the one that won. Throws when the key
 * can neither be read nor made (the caller then runs without the cache).
 */
export function loadSecret(dir = secretDir()): Buffer {
  const file = join(dir, 'key');
  const read = () => {
    try {
      const text = readFileSync(file, 'latin1');
      return KEY_TEXT.test(text) ? Buffer.from(text.slice(0, 64), 'hex') : undefined;
    } catch {
      return undefined;
    }
  };
  const found = read();
  if (found) return found;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const candidate = join(dir, `key.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(candidate, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(candidate, file);
  } catch (error) {
    // EEXIST: another run made it first. Anything else (a broken key file) is replaced.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!read()) {
      unlinkSync(file);
      linkSync(candidate, file);
    }
  } finally {
    unlinkSync(candidate);
  }
  const made = read();
  if (!made) throw new Error(`cannot read the cache key ${file}`);
  return made;
}
