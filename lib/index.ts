/**
 * npset: truly sparse MLPs trained with SET and NPSET on multicore CPUs.
 *
 *   import { SparseMLP, loadMatDataset } from 'npset';
 */
export * from './errors';
export * from './model';
export * from './data';
export { METHODS, METHOD_SPECS, type Method, type MethodSpec } from './experiment/methods';
export { prepareData, splitAndStandardize, type PreparedData, type PrepareOptions } from './experiment/prepare';
export { RUN_DEFAULTS, runMethod, type RunResult, type RunSettings, type RunSettingsInput, type EpochRecord, type RunOptions } from './experiment/run';
export { PAPER_DATASETS, PAPER_HYPERPARAMETERS, findPaperDataset, type PaperDataset, type PaperMethod } from './experiment/paper';
export * from './report';
