/**
 * Builds a readiness problem of the native checks.
 *
 * Stage: readiness.
 */
import type { Span } from '../../facts/types.js';
import type { ReadinessProblem } from '../types.js';

export function problem(check: string, file: string, span: Span, subject: string, values: Record<string, string>): ReadinessProblem {
  return { check, file, span, subject, values };
}
