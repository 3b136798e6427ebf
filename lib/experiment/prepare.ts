/** Loads a dataset, splits it (stratified, ceil(n/3) test by default) and standardises on the training rows. */
import { basename, extname } from 'node:path';
import {
  applyStandardizer,
  fitStandardizer,
  loadMatDataset,
  makeSyntheticDataset,
  stratifiedSplit,
  subset,
  type Dataset,
} from '../data';

export interface PreparedData {
  name: string;
  train: Dataset;
  test: Dataset;
  classes: number;
  features: number;
}

export interface PrepareOptions {
  /** MAT-file path; omitted: the built-in synthetic dataset. */
  file?: string;
  /** Fraction of samples in the test split; omitted: ceil(n / 3) samples, as the paper's splits. */
  testFraction?: number;
  /** Seed of the split. */
  seed?: number;
}

/** The dataset's name: the file's base name without extension, as given. */
export function datasetName(file: string): string {
  return basename(file, extname(file));
}

export async function loadData(file?: string): Promise<Dataset> {
  return file ? loadMatDataset(file) : makeSyntheticDataset({ seed: 0 });
}

export function splitAndStandardize(data: Dataset, options: Omit<PrepareOptions, 'file'> = {}): PreparedData {
  const split = stratifiedSplit(data.y, {
    ...(options.testFraction !== undefined ? { testFraction: options.testFraction } : {}),
    seed: options.seed ?? 0,
  });
  const train = subset(data, split.train);
  const test = subset(data, split.test);
  const s = fitStandardizer(train.X, train.samples, train.features);
  train.X = applyStandardizer(s, train.X, train.samples, train.features);
  test.X = applyStandardizer(s, test.X, test.samples, test.features);
  return { name: data.name, train, test, classes: data.classes, features: data.features };
}

export async function prepareData(options: PrepareOptions = {}): Promise<PreparedData> {
  const data = await loadData(options.file);
  if (options.file) data.name = datasetName(options.file);
  return splitAndStandardize(data, options);
}
