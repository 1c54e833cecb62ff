/**
 * Reports context variables read on threads, whose starting context 3.14t changes (see thread-state.ts).
 *
 * Stage: rules.
 */
import { threadStateRule } from './thread-state.js';

export const create = threadStateRule('context-inherited');
