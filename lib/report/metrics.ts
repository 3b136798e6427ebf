/**
 * Classification metrics from true and predicted class indices: the confusion matrix and, per class,
 * precision, recall, F1 and support, with their macro averages, accuracy and balanced accuracy.
 * Conventions as scikit-learn's classification_report (zero_division=0): a precision or recall whose
 * denominator is 0 is 0; the macro averages are over the classes with support or predictions.
 */
import { expectInteger, fail, isNumberList } from '../validate';

/** One class's metrics in ClassificationMetrics.perClass; fractions in [0, 1] (0 when the denominator is 0). */
export interface ClassMetrics {
  /** Class index. */
  class: number;
  /** Of the samples predicted as this class, the fraction that are. */
  precision: number;
  /** Of the samples of this class, the fraction predicted as it. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Samples whose true class this is. */
  support: number;
  /** Samples predicted as this class. */
  predicted: number;
}

/**
 * classificationMetrics' result, as scikit-learn's classification_report (zero_division=0). Fractions are in
 * [0, 1]; the macro averages are unweighted means over the classes with support or predictions.
 */
export interface ClassificationMetrics {
  /** Samples compared. */
  samples: number;
  /** Samples whose predicted class is their true class. */
  correct: number;
  /** correct / samples. */
  accuracy: number;
  /** Mean recall over the classes present in the labels. */
  balancedAccuracy: number;
  /** Mean precision over the classes with support or predictions. */
  macroPrecision: number;
  /** Mean recall over the classes with support or predictions. */
  macroRecall: number;
  /** Mean F1 over the classes with support or predictions. */
  macroF1: number;
  /** confusion[t][p]: samples of true class t predicted as p. */
  confusion: number[][];
  /** One entry per class index, 0 .. classes - 1. */
  perClass: ClassMetrics[];
}

/**
 * Most classes taken: the confusion matrix holds classes x classes counts (16.8 million here, about 130 MB
 * as arrays of numbers), however few the samples; 1e6 classes would make 10^12 and crash the process.
 */
export const MAX_METRIC_CLASSES = 4096;

function checkIndices(name: string, v: unknown, classes: number): Int32Array {
  if (!isNumberList(v)) fail('an array of class indices', name, v);
  const a = v as ArrayLike<unknown>;
  // Each element read once, into the copy that is counted: a getter cannot answer differently after the check.
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const c = a[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= classes) fail(`a class index between 0 and ${classes - 1}`, `${name}[${i}]`, c);
    out[i] = c;
  }
  return out;
}

/** Metrics whose classes are named by their labels (`label`) rather than by index, as the CLI reports them. */
export type LabelledMetrics = Omit<ClassificationMetrics, 'perClass'> & { perClass: (Omit<ClassMetrics, 'class'> & { label: string | number })[] };

/** `m` with each class named by `labels[class]`. */
export function withLabels(m: ClassificationMetrics, labels: readonly (string | number)[]): LabelledMetrics {
  if (m === null || typeof m !== 'object' || !Array.isArray(m.perClass)) fail('metrics from classificationMetrics', 'metrics', m);
  const k = m.perClass.length;
  if (!Array.isArray(labels) || labels.length !== k) fail(`an array of ${k} labels (one per class)`, 'labels', labels);
  const names: (string | number)[] = [];
  for (let c = 0; c < k; c++) {
    const l: unknown = labels[c];
    if (typeof l !== 'string' && typeof l !== 'number') fail('a string or a number', `labels[${c}]`, l);
    names.push(l);
  }
  return {
    ...m,
    perClass: m.perClass.map((entry, i) => {
      if (entry === null || typeof entry !== 'object' || entry.class !== i) fail(`the metrics of class ${i}`, `metrics.perClass[${i}]`, entry);
      const { class: c, ...rest } = entry;
      return { label: names[c], ...rest };
    }),
  };
}

/** Metrics of predictions `predicted` against `actual` (class indices in [0, classes), classes <= 4096). */
export function classificationMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): ClassificationMetrics {
  const k = expectInteger('classes', classes, { min: 1 });
  if (k > MAX_METRIC_CLASSES) fail(`at most ${MAX_METRIC_CLASSES} classes (the confusion matrix holds classes x classes counts)`, 'classes', k);
  const t = checkIndices('actual', actual, k);
  const p = checkIndices('predicted', predicted, k);
  if (t.length !== p.length) fail(`an array of ${t.length} predictions (one per label)`, 'predicted', predicted);
  if (t.length === 0) fail('at least one sample', 'actual', actual);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) confusion[t[i]][p[i]]++;
  const perClass: ClassMetrics[] = [];
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    correct += tp;
    let support = 0;
    let predictedAs = 0;
    for (let o = 0; o < k; o++) {
      support += confusion[c][o];
      predictedAs += confusion[o][c];
    }
    const precision = predictedAs > 0 ? tp / predictedAs : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ class: c, precision, recall, f1, support, predicted: predictedAs });
  }
  const seen = perClass.filter((m) => m.support > 0 || m.predicted > 0);
  const present = perClass.filter((m) => m.support > 0);
  const avg = (ms: ClassMetrics[], f: (m: ClassMetrics) => number) => (ms.length ? ms.reduce((s, m) => s + f(m), 0) / ms.length : 0);
  return {
    samples: t.length,
    correct,
    accuracy: correct / t.length,
    balancedAccuracy: avg(present, (m) => m.recall),
    macroPrecision: avg(seen, (m) => m.precision),
    macroRecall: avg(seen, (m) => m.recall),
    macroF1: avg(seen, (m) => m.f1),
    confusion,
    perClass,
  };
}
