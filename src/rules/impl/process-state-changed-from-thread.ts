/**
 * Reports process-state issues of shared state in functions that threads run (see thread-state.ts).
 *
 * Stage: rules.
 */
import { threadStateRule } from './thread-state.js';

export const create = threadStateRule('process-state');
