/**
 * Which variables of a MAT-file hold the features (X) and the labels (Y). A variable the caller names
 * is taken (exact name, else a unique case-insensitive match; missing is an error, never a guess).
 * Otherwise, in order:
 * 1. X and Y, by name;
 * 2. the first of MAT_NAME_PAIRS found whole, by name, case-insensitively: a numeric features variable
 *    and a labels variable of numbers or text (char or cell);
 * 3. when only one of X and Y (or of the caller's x and y) is known, the other: by name (Y or X, then
 *    the labels or features names of the pairs), else by shape, as in 4;
 * 4. by shape: the only numeric or sparse 2-D matrix with both dims > 1, and the only label candidate
 *    (a numeric vector, a char matrix or a cell vector of strings) with one entry per row of it.
 * Anything else is a DataFormatError that lists the variables (name, class, dims) and says how to
 * choose them: the x and y options, or --x-var and --y-var on the command line.
 *
 * Features alone (chooseMatFeatures, for data without labels): the variable the caller names, else X by
 * name, else the first numeric variable named as one of the pairs' features (fea, data, features,
 * inputs), else the only numeric or sparse 2-D matrix with both dims > 1, whatever its name.
 */
import { DataFormatError } from '../errors';
import { describe } from '../validate';
import { trimDims, type MatFile, type MatVariable } from './mat';
import { dimsText } from './mat-dims';
import { textLabelCount } from './mat-labels';

/**
 * (features, labels) name pairs tried after X and Y, in order, case-insensitively: Deng Cai's
 * datasets (fea, gnd), then common names.
 */
export const MAT_NAME_PAIRS: readonly (readonly [string, string])[] = Object.freeze([
  Object.freeze(['fea', 'gnd'] as const),
  Object.freeze(['data', 'label'] as const),
  Object.freeze(['data', 'labels'] as const),
  Object.freeze(['features', 'labels'] as const),
  Object.freeze(['inputs', 'targets'] as const),
]);

const FEATURE_NAMES = [...new Set(MAT_NAME_PAIRS.map((p) => p[0]))];
const LABEL_NAMES = [...new Set(MAT_NAME_PAIRS.map((p) => p[1]))];
const PAIRS_TEXT = MAT_NAME_PAIRS.map((p) => p.join('/')).join(', ');
/** Variables listed in an error message at most. */
const LISTED = 20;

export interface ChosenVariables {
  x: MatVariable;
  y: MatVariable;
}

/** The features and labels variables (see the rules above); `x` and `y` are the names the caller gave, if any. */
export function chooseMatVariables(mat: MatFile, x: string | undefined, y: string | undefined, file?: string): ChosenVariables {
  const vars = mat.variables;
  if (x !== undefined && y !== undefined) {
    const both = { x: named(vars, x, file), y: named(vars, y, file) };
    // The labels as a feature would be a perfect, and useless, predictor.
    if (both.x === both.y) {
      throw new DataFormatError(`the x and y options (--x-var and --y-var) both name the variable ${JSON.stringify(both.x.name)}; the features and the labels must be different variables`, file);
    }
    return both;
  }
  if (x !== undefined) {
    const xv = named(vars, x, file);
    return { x: xv, y: labelsFor(vars, xv, 'the x option', file) };
  }
  if (y !== undefined) {
    const yv = named(vars, y, file);
    return { x: featuresFor(vars, yv, 'the y option', file), y: yv };
  }
  const X = byName(vars, 'X');
  const Y = byName(vars, 'Y');
  if (X && Y) return { x: X, y: Y };
  for (const [a, b] of MAT_NAME_PAIRS) {
    const xv = byName(vars, a);
    const yv = byName(vars, b);
    if (xv && yv && xv !== yv && isNumeric(xv) && isLabelKind(yv)) return { x: xv, y: yv };
  }
  if (X) return { x: X, y: labelsFor(vars, X, 'its name', file) };
  if (Y) return { x: featuresFor(vars, Y, 'its name', file), y: Y };
  return byShape(vars, file);
}

/** The features variable of a file without labels (see the rules above); `x` is the name the caller gave, if any. */
export function chooseMatFeatures(mat: MatFile, x: string | undefined, file?: string): MatVariable {
  const vars = mat.variables;
  if (x !== undefined) return named(vars, x, file);
  const { found, matrices } = findFeatures(vars);
  if (found) return found;
  throw new DataFormatError(
    `cannot tell which variable holds the features; the file holds ${listVariables(vars)}. ` +
      `Tried X, then ${FEATURE_NAMES.join(', ')} (any case), then the only 2-D numeric matrix: ${matrixCount(matrices)}. ` +
      nestedHint(vars, 'X') +
      'Name it with the x option of loadMatFeatures (--x-var NAME on the command line)',
    file,
  );
}

/** X, the pairs' features names (numeric), or the only matrix among `vars`; else the matrices found. */
function findFeatures(vars: MatVariable[]): { found?: MatVariable; matrices: MatVariable[] } {
  const xv = byName(vars, 'X') ?? FEATURE_NAMES.map((n) => byName(vars, n)).find((v) => v !== undefined && isNumeric(v));
  if (xv) return { found: xv, matrices: [] };
  const matrices = vars.filter(isMatrix);
  return matrices.length === 1 ? { found: matrices[0], matrices } : { matrices };
}

/** A variable the caller named: exact name first, then a unique case-insensitive match. */
function named(vars: MatVariable[], wanted: string, file?: string): MatVariable {
  const exact = vars.find((v) => v.name === wanted);
  if (exact) return exact;
  const folded = caseFolded(vars, wanted);
  if (folded.length === 1) return folded[0];
  const what = folded.length > 1 ? `variable ${describe(wanted)} is ambiguous` : `no variable ${describe(wanted)}`;
  throw new DataFormatError(`${what} (found: ${listVariables(vars)})`, file);
}

/** As `named`, but undefined when missing or ambiguous. */
function byName(vars: MatVariable[], wanted: string): MatVariable | undefined {
  const exact = vars.find((v) => v.name === wanted);
  if (exact) return exact;
  const folded = caseFolded(vars, wanted);
  return folded.length === 1 ? folded[0] : undefined;
}

/** The variables named `wanted` but for case (lowered once, not per variable: a name may be long). */
function caseFolded(vars: MatVariable[], wanted: string): MatVariable[] {
  const lower = wanted.toLowerCase();
  return vars.filter((v) => v.name.toLowerCase() === lower);
}

/** Numbers, dense or sparse, read or not (MatVariable.unread): chosen as if read, refused when chosen. */
function isNumeric(v: MatVariable): boolean {
  return v.data !== undefined || v.sparse !== undefined || v.unread !== undefined;
}

function isLabelKind(v: MatVariable): boolean {
  return isNumeric(v) || v.className === 'char' || v.className === 'cell';
}

/** A numeric or sparse 2-D matrix with both dims > 1. */
function isMatrix(v: MatVariable): boolean {
  const d = trimDims(v.dims);
  return isNumeric(v) && d.length === 2 && d[0] > 1 && d[1] > 1;
}

function rowsOf(v: MatVariable): number {
  return v.dims[0] ?? 0;
}

/** The labels `v` gives as a label candidate: a numeric vector's length, or textLabelCount; -1 if it is none. */
function labelCount(v: MatVariable): number {
  if (!isNumeric(v)) return textLabelCount(v);
  const d = trimDims(v.dims);
  return d.length === 2 && (d[0] === 1 || d[1] === 1) ? d[0] * d[1] : -1;
}

/** Label candidates of `rows` entries (2 or more: a scalar is no label vector) among `vars`. */
function labelCandidates(vars: MatVariable[], rows: number): MatVariable[] {
  return rows > 1 ? vars.filter((v) => labelCount(v) === rows) : [];
}

/** The labels for features `xv` (named by the caller, or found as X): Y, the pairs' label names, or by shape. */
function labelsFor(vars: MatVariable[], xv: MatVariable, how: string, file?: string): MatVariable {
  const rest = vars.filter((v) => v !== xv);
  const yv = byName(rest, 'Y') ?? LABEL_NAMES.map((n) => byName(rest, n)).find((v) => v !== undefined && isLabelKind(v));
  if (yv) return yv;
  const rows = rowsOf(xv);
  const found = labelCandidates(rest, rows);
  if (found.length === 1) return found[0];
  // found is empty for a features of 1 row: no label vector has 1 entry.
  const why = found.length > 1 ? `${found.length} have ${rows} entries (${names(found)})` : `none has ${rows} ${rows === 1 ? 'entry' : 'entries'}`;
  throw new DataFormatError(
    `cannot tell which variable holds the labels for the features ${JSON.stringify(xv.name)} (${dimsText(xv.dims)}, chosen by ${how}); ` +
      `the file holds ${listVariables(vars)}. Tried Y, then ${LABEL_NAMES.join(', ')} (any case), then the only label vector ` +
      `(numbers, a char matrix or a cell array of strings) with one entry per row of the features: ${why}. ` +
      nestedHint(vars, 'X and Y') +
      'Name it with the y option of loadMatDataset (--y-var NAME on the command line)',
    file,
  );
}

/** The features for labels `yv` (named by the caller, or found as Y): X, the pairs' features names, or the only matrix. */
function featuresFor(vars: MatVariable[], yv: MatVariable, how: string, file?: string): MatVariable {
  const { found, matrices } = findFeatures(vars.filter((v) => v !== yv));
  if (found) return found;
  throw new DataFormatError(
    `cannot tell which variable holds the features for the labels ${JSON.stringify(yv.name)} (chosen by ${how}); ` +
      `the file holds ${listVariables(vars)}. Tried X, then ${FEATURE_NAMES.join(', ')} (any case), then the only 2-D numeric ` +
      `matrix: ${matrixCount(matrices)}. ${nestedHint(vars, 'X and Y')}` +
      'Name it with the x option of loadMatDataset (--x-var NAME on the command line)',
    file,
  );
}

/** Rule 4: the only matrix and the only label candidate with one entry per row of it. */
function byShape(vars: MatVariable[], file?: string): ChosenVariables {
  const matrices = vars.filter(isMatrix);
  let why = matrixCount(matrices);
  if (matrices.length === 1) {
    const m = matrices[0];
    const [rows, cols] = trimDims(m.dims);
    const found = labelCandidates(vars, rows).filter((v) => v !== m);
    if (found.length === 1) return { x: m, y: found[0] };
    if (found.length > 1) why = `${found.length} label vectors have ${rows} entries, one per row of ${JSON.stringify(m.name)} (${names(found)})`;
    else {
      why = `no label vector has ${rows} entries, one per row of ${JSON.stringify(m.name)}`;
      const across = labelCandidates(vars, cols).filter((v) => v !== m);
      if (across.length === 1) {
        why += `; ${JSON.stringify(across[0].name)} has one per column: is ${JSON.stringify(m.name)} stored features x samples? Transpose it`;
      }
    }
  }
  throw new DataFormatError(
    `cannot tell which variables hold the features and the labels; the file holds ${listVariables(vars)}. ` +
      `Tried X and Y, then ${PAIRS_TEXT} (any case), then the only 2-D numeric matrix with the only label vector ` +
      `(numbers, a char matrix or a cell array of strings) of one entry per row: ${why}. ` +
      nestedHint(vars, 'X and Y') +
      'Name them with the x and y options of loadMatDataset (--x-var NAME --y-var NAME on the command line)',
    file,
  );
}

/**
 * When the file holds structs, or cells other than a vector of strings (labels): that their contents
 * are not searched, and how to save `what` (X, or X and Y) as top-level variables instead; else ''.
 * scipy saves a dict as a struct, and a MATLAB user may keep a data set in one.
 */
function nestedHint(vars: MatVariable[], what: string): string {
  const nested = vars.filter((v) => v.className === 'struct' || (v.className === 'cell' && textLabelCount(v) < 0));
  if (nested.length === 0) return '';
  const one = what === 'X';
  // A name from the file goes into MATLAB code only if it is one MATLAB could have written.
  const struct = nested.find((v) => v.className === 'struct' && /^[A-Za-z]\w{0,62}$/.test(v.name))?.name;
  const matlab = struct ? `save(f, '-struct', '${struct}')` : one ? "save(f, 'X')" : "save(f, 'X', 'Y')";
  return (
    `The fields of structs and the contents of cells (${names(nested)}) are not searched: save ${what} as ` +
    `${one ? 'a top-level variable' : 'top-level variables'} (scipy: savemat(f, ${one ? "{'X': X}" : "{'X': X, 'Y': y}"}); MATLAB: ${matlab}). `
  );
}

function matrixCount(matrices: MatVariable[]): string {
  if (matrices.length === 0) return 'there is none (a numeric or sparse array with two dims > 1)';
  return `there ${matrices.length === 1 ? 'is one' : `are ${matrices.length}`} (${names(matrices)})`;
}

/** '"a", "b"', the first LISTED names. */
function names(vars: MatVariable[]): string {
  const listed = vars.slice(0, LISTED).map((v) => JSON.stringify(v.name));
  return vars.length > LISTED ? `${listed.join(', ')}, ... (${vars.length} in all)` : listed.join(', ');
}

/** '"A" double 100x20, "b" double 1x100', the first LISTED variables; 'no variables' for none. */
export function listVariables(vars: MatVariable[]): string {
  if (vars.length === 0) return 'no variables';
  const listed = vars.slice(0, LISTED).map((v) => {
    const dims = v.dims.length > 0 ? ` ${dimsText(v.dims)}` : '';
    return `${JSON.stringify(v.name)} ${v.complex ? 'complex ' : ''}${v.className}${dims}`;
  });
  return vars.length > LISTED ? `${listed.join(', ')}, ... (${vars.length} in all)` : listed.join(', ');
}
