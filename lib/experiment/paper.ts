/**
 * Reference numbers from the NPSET paper ("SET with Neurons Pruning"): Tables 1-3, transcribed so
 * that reports can put our results next to the published ones. Hidden layer sizes are not printed
 * in the paper; they are derived from the FC-MLP parameter counts of Table 3
 * (features*h1 + h1*h2 + h2*classes).
 */

/** The six methods of Table 2, in the paper's column order. */
export type PaperMethod = 'set' | 'npset' | 'npset-1st' | 'npset-2nd' | 'direct-set' | 'direct-fc';

export const PAPER_METHODS: readonly PaperMethod[] = Object.freeze([
  'set',
  'npset',
  'npset-1st',
  'npset-2nd',
  'direct-set',
  'direct-fc',
] as const);

/** Column headers of Table 2, for reports that mirror the paper. */
export const PAPER_METHOD_LABELS: Readonly<Record<PaperMethod, string>> = Object.freeze({
  set: 'SET-MLP',
  npset: 'NPSET-MLP',
  'npset-1st': '1st NPSET-MLP',
  'npset-2nd': '2nd NPSET-MLP',
  'direct-set': 'Direct SET-MLP',
  'direct-fc': 'Direct FC-MLP',
});

/**
 * Table 3: sizes of the trained models, as printed. Neuron counts include the input layer but not
 * the output layer (Carcinom's printed 27,182 is one less than 9183 + 2 * 9000).
 */
export interface PaperTable3 {
  paramsFC: number;
  paramsSET: number;
  paramsNPSET: number;
  neuronsFC: number;
  neuronsSET: number;
  neuronsNPSET: number;
  /** paramsFC / paramsSET, rounded, as printed ("335x"); gisette's printed 238 should be 239. */
  compressionSET: number;
  /** paramsFC / paramsNPSET, rounded, as printed. */
  compressionNPSET: number;
}

export interface PaperDataset {
  /** Lower-case file base name, e.g. 'lung_discrete'. */
  key: string;
  /** The name as printed in the paper's tables, e.g. 'Lung-discrete'. */
  displayName: string;
  /** File name in the ASU feature-selection repository, e.g. 'lung_discrete.mat'. */
  file: string;
  samples: number;
  features: number;
  classes: number;
  /** Training / test split sizes of Table 1. */
  train: number;
  test: number;
  /** Table 1's "Data Type" column. */
  dataType: 'discrete' | 'continuous';
  hidden: [number, number];
  /** Table 2: maximum test accuracy in percent. */
  table2: Record<PaperMethod, number>;
  table3: PaperTable3;
}

type Table2Row = [number, number, number, number, number, number];
type Table3Row = [number, number, number, number, number, number, number, number];

function dataset(
  key: string,
  displayName: string,
  file: string,
  [samples, features, classes, train, test]: [number, number, number, number, number],
  dataType: PaperDataset['dataType'],
  hidden: [number, number],
  t2: Table2Row,
  t3: Table3Row,
): PaperDataset {
  const [paramsFC, paramsSET, paramsNPSET, neuronsFC, neuronsSET, neuronsNPSET, compressionSET, compressionNPSET] = t3;
  const table2 = Object.fromEntries(PAPER_METHODS.map((m, i) => [m, t2[i]])) as Record<PaperMethod, number>;
  // Frozen: these are reference values shared by every report; copy before changing.
  return Object.freeze({
    key,
    displayName,
    file,
    samples,
    features,
    classes,
    train,
    test,
    dataType,
    hidden: Object.freeze(hidden) as [number, number],
    table2: Object.freeze(table2),
    table3: Object.freeze({
      paramsFC,
      paramsSET,
      paramsNPSET,
      neuronsFC,
      neuronsSET,
      neuronsNPSET,
      compressionSET,
      compressionNPSET,
    }),
  });
}

const D = 'discrete';
const C = 'continuous';

/** The 15 datasets of Tables 1-3, in the paper's order. */
// prettier-ignore
export const PAPER_DATASETS: readonly PaperDataset[] = Object.freeze([
  //      key              display name     file                 samples features classes train test   type hidden          Table 2: set  npset  1st    2nd    dirSET dirFC   Table 3: paramsFC paramsSET paramsNPSET neuronsFC neuronsSET neuronsNPSET compSET compNPSET
  dataset('leukemia',      'Leukemia',      'leukemia.mat',      [72,   7070,  2,  48,   24],   D, [7000, 7000],   [87.50, 87.50, 87.50, 87.50, 87.50, 75.00], [98504000, 294235, 40039, 21070, 21070, 9710, 335, 2460]),
  dataset('pcmac',         'PCMAC',         'PCMAC.mat',         [1943, 3289,  2,  1295, 648],  D, [3000, 3000],   [87.35, 88.43, 86.73, 88.43, 87.81, 85.19], [18873000, 128432, 18622, 9289, 9289, 4435, 147, 1013]),
  dataset('lung_discrete', 'Lung-discrete', 'lung_discrete.mat', [73,   325,   7,  48,   25],   D, [300, 300],     [88.00, 88.00, 88.00, 84.00, 88.00, 80.00], [189600, 13446, 2447, 925, 925, 457, 14, 77]),
  dataset('gisette',       'gisette',       'gisette.mat',       [7000, 5000,  2,  4666, 2334], C, [5000, 5000],   [97.43, 97.52, 97.64, 97.52, 97.47, 97.60], [50010000, 209556, 29884, 15000, 15000, 6892, 238, 1673]),
  dataset('lung',          'lung',          'lung.mat',          [203,  3312,  5,  135,  68],   C, [3000, 3000],   [92.65, 94.12, 94.12, 92.65, 94.12, 92.65], [18951000, 135689, 19776, 9312, 9312, 4458, 140, 958]),
  dataset('cll_sub_111',   'CLL-SUB-111',   'CLL_SUB_111.mat',   [111,  11340, 3,  74,   37],   C, [11000, 11000], [67.57, 75.68, 62.16, 67.57, 70.27, 59.46], [245773000, 474738, 65421, 33340, 33340, 15488, 518, 3757]),
  dataset('carcinom',      'Carcinom',      'Carcinom.mat',      [174,  9183,  11, 116,  58],   C, [9000, 9000],   [79.31, 81.03, 75.86, 75.86, 77.59, 68.97], [163746000, 420592, 67726, 27182, 27182, 12580, 389, 2418]),
  dataset('orlraws10p',    'orlraws10P',    'orlraws10P.mat',    [100,  10304, 10, 66,   34],   C, [10000, 10000], [88.24, 88.24, 85.29, 88.24, 88.24, 79.41], [203140000, 465977, 72871, 30304, 30304, 14072, 436, 2788]),
  dataset('tox_171',       'TOX-171',       'TOX_171.mat',       [171,  5748,  4,  114,  57],   C, [5000, 5000],   [91.23, 91.23, 85.97, 89.47, 91.23, 82.46], [53760000, 225416, 31815, 15748, 15748, 7640, 238, 1690]),
  dataset('prostate_ge',   'Prostate-GE',   'Prostate_GE.mat',   [102,  5966,  2,  68,   34],   C, [5000, 5000],   [88.24, 88.24, 88.24, 88.24, 88.24, 79.41], [54840000, 219191, 30690, 15966, 15966, 7858, 250, 1787]),
  dataset('arcene',        'arcene',        'arcene.mat',        [200,  10000, 2,  133,  67],   C, [10000, 10000], [77.61, 77.61, 82.09, 74.63, 79.10, 77.61], [200020000, 419469, 57136, 30000, 30000, 13768, 477, 3501]),
  dataset('madelon',       'madelon',       'madelon.mat',       [2600, 500,   2,  1733, 867],  C, [1000, 1000],   [71.16, 71.28, 71.74, 70.13, 71.05, 56.40], [1502000, 36563, 5096, 2500, 2500, 896, 41, 295]),
  dataset('yale',          'Yale',          'Yale.mat',          [165,  1024,  15, 110,  55],   C, [1000, 1000],   [70.91, 74.55, 69.09, 70.91, 69.09, 63.64], [2039000, 47222, 8576, 3024, 3024, 1420, 43, 238]),
  dataset('glioma',        'GLIOMA',        'GLIOMA.mat',        [50,   4434,  4,  33,   17],   C, [4000, 4000],   [76.47, 76.47, 76.47, 76.47, 76.47, 64.71], [33752000, 178678, 25228, 12434, 12434, 5956, 189, 1338]),
  dataset('relathe',       'RELATHE',       'RELATHE.mat',       [1427, 4322,  2,  951,  476],  C, [4000, 4000],   [89.71, 90.55, 89.71, 89.92, 87.61, 90.76], [33296000, 170804, 24280, 12322, 12322, 5844, 195, 1371]),
]);

/**
 * NPSET hyperparameters (Section 4): prune a fraction alpha of hidden neurons per epoch, starting
 * after beta epochs, for gamma epochs. The paper does not state SET's sparsity epsilon; 10 is
 * inferred from the SET-MLP parameter counts of Table 3.
 */
export const PAPER_HYPERPARAMETERS = Object.freeze({ alpha: 0.04, beta: 10, gamma: 40, epsilon: 10 } as const);

// 'Lung-discrete', 'lung_discrete.mat' and 'LUNG_DISCRETE' all normalise to 'lung_discrete'.
function normalise(name: string): string {
  return name
    .trim()
    .replace(/^.*[\\/]/, '')
    .replace(/\.mat$/i, '')
    .toLowerCase()
    .replace(/-/g, '_');
}

/**
 * The paper dataset whose file base name (with or without '.mat', any directory ignored) or
 * display name equals `fileOrName`, case-insensitively and treating '-' like '_'. Whole-name
 * matches only: 'lung' finds lung, never lung_discrete.
 */
export function findPaperDataset(fileOrName: string): PaperDataset | undefined {
  if (typeof fileOrName !== 'string') return undefined;
  const wanted = normalise(fileOrName);
  if (!wanted) return undefined;
  return PAPER_DATASETS.find(
    (d) => wanted === d.key || wanted === normalise(d.file) || wanted === normalise(d.displayName),
  );
}
