export * from './options';
export { LR_SCHEDULE_TYPES, learningRateAt, type LearningRateFunction, type LearningRateSchedule, type LearningRateScheduleSpec, type LearningRateScheduleType, type ResolvedLearningRateSchedule } from './schedule';
export { SparseMLP } from './sparse-mlp';
export type { EpochInfo, EpochTimes, Evaluation, FitOptions, FitResult, LayerStats, TopologyStats, TrainEpochOptions } from './sparse-mlp';
export { NativeData, type ModelData } from './data';
export { ModelFileError } from './model-file';
export type { SaveOptions, SavedInfo } from './persist';
export type { ModelShape, PrepareInputOptions, PreparedInput } from './prepare-input';
