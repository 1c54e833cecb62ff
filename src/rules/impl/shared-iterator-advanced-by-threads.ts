/**
 * Reports a module-level iterator advanced by code that threads run (see thread-state.ts).
 *
 * Stage: rules.
 */
import { threadStateRule } from './thread-state.js';

export const create = threadStateRule('shared-iterator');
