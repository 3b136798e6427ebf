/**
 * The paper's methods as model and training settings. NPSET variants differ in which hidden layers are
 * pruned; direct-set / direct-fc are built directly with given (usually NPSET's final) hidden sizes;
 * dense is a fully connected MLP of the original sizes (the paper's Dense-MLP).
 */
import type { PruneLayers } from '../model/options';

export const METHODS = Object.freeze(['set', 'npset', 'npset-1st', 'npset-2nd', 'direct-set', 'direct-fc', 'dense'] as const);
export type Method = (typeof METHODS)[number];

export interface MethodSpec {
  /** Dense layers instead of sparse ones. */
  dense: boolean;
  /** Which hidden layers NPSET prunes; null: no pruning. */
  prune: PruneLayers | null;
  /** SET evolution between epochs. */
  evolve: boolean;
  /** How the paper labels it. */
  label: string;
}

// Frozen to the leaves: runMethod reads these specs, so a write (METHOD_SPECS.set.dense = true) by any
// importer would change every later run.
export const METHOD_SPECS: Readonly<Record<Method, Readonly<MethodSpec>>> = Object.freeze({
  set: Object.freeze({ dense: false, prune: null, evolve: true, label: 'SET-MLP' }),
  npset: Object.freeze({ dense: false, prune: 'all', evolve: true, label: 'NPSET-MLP' }),
  'npset-1st': Object.freeze({ dense: false, prune: 'first', evolve: true, label: '1st NPSET-MLP' }),
  'npset-2nd': Object.freeze({ dense: false, prune: 'second', evolve: true, label: '2nd NPSET-MLP' }),
  'direct-set': Object.freeze({ dense: false, prune: null, evolve: true, label: 'Direct SET-MLP' }),
  'direct-fc': Object.freeze({ dense: true, prune: null, evolve: false, label: 'Direct FC-MLP' }),
  dense: Object.freeze({ dense: true, prune: null, evolve: false, label: 'Dense-MLP' }),
});
