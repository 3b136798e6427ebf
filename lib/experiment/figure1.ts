/**
 * The paper's Figure 1: test accuracy of a trained SET-MLP as the first hidden layer's neurons with the
 * fewest outgoing connections are removed, from none to all, without retraining.
 */
import type { Dataset } from '../data';
import { NativeData, type SparseMLP } from '../model';

export interface RemovalPoint {
  removed: number;
  fraction: number;
  testAccuracy: number;
}

/** Accuracy after removing the first k neurons in pruning order, for `steps` + 1 values of k from 0 to n. */
export async function neuronRemovalCurve(model: SparseMLP, test: Dataset, steps = 20): Promise<RemovalPoint[]> {
  const order = model.neuronOrder(1, 'out-degree');
  const n = order.length;
  const ks = [...new Set(Array.from({ length: steps + 1 }, (_, s) => Math.round((s * n) / steps)))];
  const points: RemovalPoint[] = [];
  const data = NativeData.from(test, 'test'); // one copy for all the evaluations
  try {
    for (const k of ks) {
      const copy = await model.clone();
      try {
        // Indices refer to the unpruned layer, so remove the whole prefix at once.
        if (k > 0) copy.removeNeurons(1, order.subarray(0, k));
        const e = await copy.evaluate(data);
        points.push({ removed: k, fraction: k / n, testAccuracy: e.accuracy });
      } finally {
        copy.dispose();
      }
    }
  } finally {
    data.dispose();
  }
  return points;
}
