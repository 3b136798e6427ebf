/**
 * The paper's methods as model and training settings. NPSET variants differ in which hidden layers are
 * pruned; direct-set / direct-fc are built directly with given (usually NPSET's final) hidden sizes;
 * dense is a fully connected MLP of the original sizes (the paper's Dense-MLP).
 */
import type { PruneLayers } from '../model/options';

export const METHODS = ['set', 'npset', 'npset-1st', 'npset-2nd', 'direct-set', 'direct-fc', 'dense'] as const;
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

export const METHOD_SPECS: Readonly<Record<Method, MethodSpec>> = Object.freeze({
  set: { dense: false, prune: null, evolve: true, label: 'SET-MLP' },
  npset: { dense: false, prune: 'all', evolve: true, label: 'NPSET-MLP' },
  'npset-1st': { dense: false, prune: 'first', evolve: true, label: '1st NPSET-MLP' },
  'npset-2nd': { dense: false, prune: 'second', evolve: true, label: '2nd NPSET-MLP' },
  'direct-set': { dense: false, prune: null, evolve: true, label: 'Direct SET-MLP' },
  'direct-fc': { dense: true, prune: null, evolve: false, label: 'Direct FC-MLP' },
  dense: { dense: true, prune: null, evolve: false, label: 'Dense-MLP' },
});
