/** Stage times on stderr when GIL_AUDIT_TIMING is set (for profiling, not for users). */

/** A function that prints the time since its last call (or since it was made) under a stage's name. */
export function timer(): (stage: string) => void {
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    if (process.env.GIL_AUDIT_TIMING) {
      const memory = process.memoryUsage();
      process.stderr.write(`timing: ${stage}: ${(now - last).toFixed(0)} ms, heap ${mb(memory.heapUsed)} MB, external ${mb(memory.external)} MB, rss ${mb(memory.rss)} MB\n`);
    }
    last = now;
  };
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}
