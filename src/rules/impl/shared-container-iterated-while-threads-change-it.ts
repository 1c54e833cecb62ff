/**
 * Reports loops over a shared container that code run by threads changes (see thread-state.ts).
 *
 * Stage: rules.
 */
import { threadStateRule } from './thread-state.js';

export const create = threadStateRule('iterated-while-mutated');
