export * from './options';
export { SparseMLP } from './sparse-mlp';
export type { EpochInfo, EpochTimes, Evaluation, FitOptions, FitResult, LayerStats, TopologyStats, TrainEpochOptions } from './sparse-mlp';
export { NativeData, type ModelData } from './data';
