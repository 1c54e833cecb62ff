/**
 * Turns Node file-system errors into the short, actionable messages discover reports.
 *
 * Stage: discover. Input: an error thrown by `node:fs`. Output: text such as
 * `EACCES (permission denied)` for the `errors` list of a `DiscoverResult`.
 */

const CODE_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  EBUSY: 'resource busy',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
};

/** The `code` of a Node system error (`EACCES`), or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** `EACCES (permission denied)`; the error's own message when it has no known code. */
export function describeFsError(err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined) return CODE_TEXT[code] ? `${code} (${CODE_TEXT[code]})` : code;
  return err instanceof Error ? err.message : String(err);
}

/** True for errors meaning "nothing there" (a missing path or a path through a non-directory). */
export function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The fix appended to messages about paths the walk could not read. */
export const PERMISSION_FIX = 'check its permissions or exclude it with --exclude';
