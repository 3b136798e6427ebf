// The data layer: MAT-file, CSV and LIBSVM reading, datasets, standardisation, splits, seeded randomness, synthetic data.
export { parseMat, readMat, sparseToDense, denseData, DEFAULT_MAX_DENSE_BYTES } from './mat';
export type { MatFile, MatVariable, SparseMatrix, ParseMatOptions, DenseOptions } from './mat';
export { loadMatDataset, loadMatFeatures, datasetFromMatFile, featuresFromMatFile, datasetFromArrays, validateDataset } from './dataset';
export type { Dataset, FeatureSet, MatDatasetOptions, MatFeaturesOptions } from './dataset';
export { loadCsvDataset, loadCsvFeatures, CSV_DELIMITERS } from './csv';
export type { CsvDatasetOptions, CsvFeaturesOptions, CsvDelimiter } from './csv';
export { loadLibsvmDataset, loadLibsvmFeatures } from './libsvm';
export type { LibsvmDatasetOptions, LibsvmFeaturesOptions } from './libsvm';
export { fitStandardizer, applyStandardizer } from './standardize';
export type { Standardizer } from './standardize';
export { stratifiedSplit, allocateTest, subset } from './split';
export type { Split, SplitOptions } from './split';
export { Random, createRandom } from './random';
export type { MutableArrayLike } from './random';
export { makeSyntheticDataset } from './synthetic';
export type { SyntheticOptions } from './synthetic';
