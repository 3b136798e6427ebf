export * from './options';
export { LR_SCHEDULE_TYPES, learningRateAt, type LearningRateFunction, type LearningRateSchedule, type LearningRateScheduleSpec, type LearningRateScheduleType, type ResolvedLearningRateSchedule } from './schedule';
export { SparseMLP } from './sparse-mlp';
export type {
  CreateOptions,
  EpochCallbackResult,
  EpochInfo,
  EpochTimes,
  Evaluation,
  EvaluateOptions,
  EvolveOptions,
  EvolveResult,
  FitOptions,
  FitResult,
  LayerCsr,
  LayerStats,
  LoadOptions,
  MemoryStats,
  PruneNeuronsOptions,
  TopologyStats,
  TrainEpochOptions,
  TrainEpochResult,
} from './sparse-mlp';
export { NativeData, type ModelData } from './data';
export { ModelFileError } from './model-file';
export type { SaveOptions, SavedInfo } from './persist';
export type { ModelShape, PrepareInputOptions, PreparedInput } from './prepare-input';
