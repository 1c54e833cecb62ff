/** Temporary folders for tests, removed when the test file's process exits (each file runs in its own). */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder under the system's temporary folder, named `gil-audit-<name>-XXXXXX`. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gil-audit-${name}-`));
  if (made.length === 0) process.on('exit', removeAll);
  made.push(dir);
  return dir;
}

function removeAll(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A test left a folder it locked (chmod 000): open it again, then remove it. What still
      // cannot be removed is left: a failure here must not fail the tests that ran.
      unlock(dir);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Left in the temporary folder.
      }
    }
  }
}

function unlock(dir: string): void {
  try {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (lstatSync(path).isDirectory()) unlock(path);
    }
  } catch {
    // What cannot be opened is left.
  }
}
