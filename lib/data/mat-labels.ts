/**
 * Text labels in a MAT-file, as MATLAB users keep class names: a char matrix with one label per row
 * (MATLAB pads the shorter rows with spaces, which are trimmed) or a cell vector of strings
 * ({'ALL'; 'AML'; ...}). They become classes numbered in code-unit order of the texts, as the CSV
 * loader numbers its text labels, and are named in the dataset's labelNames.
 */
import { textClasses } from './labels';
import { trimDims, type MatVariable } from './mat';
import { dimsText } from './mat-dims';
import { trimEndOf } from '../text';

/** Whether a variable holds text (a char or a cell array): its labels are read by readTextLabels. */
export function isTextKind(v: MatVariable): boolean {
  return v.className === 'char' || v.className === 'cell';
}

/**
 * How many labels `v` gives as text labels, for choosing among variables: the rows of a 2-D char
 * array, or the elements of a cell vector whose elements are all char arrays; -1 for anything else.
 */
export function textLabelCount(v: MatVariable): number {
  const dims = trimDims(v.dims);
  if (dims.length !== 2) return -1;
  if (v.className === 'char') return v.lines ? v.lines.length : -1;
  if (v.className !== 'cell' || !v.cells || (dims[0] !== 1 && dims[1] !== 1)) return -1;
  return v.cells.every((c) => c.className === 'char') ? v.cells.length : -1;
}

/**
 * The label of each sample in a char matrix (its rows, trailing spaces and NULs trimmed) or a cell
 * vector of strings (char row vectors, kept as they are). `what` names the variable in messages;
 * `err` makes the error. An element that is not a string and an empty label are errors.
 */
export function readTextLabels(v: MatVariable, what: string, err: (message: string) => Error): string[] {
  const dims = trimDims(v.dims);
  if (v.className === 'char') {
    if (dims.length !== 2 || !v.lines) {
      throw err(`${what} is a char array of dims ${dimsText(v.dims)}; text labels need a 2-D char matrix, a label per row`);
    }
    const labels = v.lines.map((line) => trimEndOf(line, ' \0'));
    const blank = labels.indexOf('');
    if (blank >= 0) throw err(`${what} has an empty label in row ${blank + 1} (1-based; trailing spaces trimmed); every sample needs one`);
    return labels;
  }
  if (dims.length !== 2 || (dims[0] !== 1 && dims[1] !== 1 && dims[0] * dims[1] !== 0)) {
    throw err(`${what} must be a vector of cells (one string per sample) but has dims ${dimsText(v.dims)}`);
  }
  const cells = v.cells ?? [];
  return cells.map((c, i) => {
    const cd = trimDims(c.dims);
    const kind = `of class ${c.complex ? 'complex ' : ''}${c.className}${c.dims.length > 0 ? `, dims ${dimsText(c.dims)}` : ''}`;
    if (c.className !== 'char') throw err(`${what} must hold one string per cell, but cell ${i + 1} (1-based) is ${kind}`);
    if (cd.length !== 2 || cd[0] > 1 || c.text === undefined) {
      throw err(`${what} must hold one string per cell, but cell ${i + 1} (1-based) is ${kind}, not a single row of characters`);
    }
    if (c.text === '') throw err(`${what} has an empty label in cell ${i + 1} (1-based); every sample needs one`);
    return c.text;
  });
}

/** Class indices (0..k-1, in code-unit order of the texts) of per-sample labels, and the text of each class. */
export function encodeTextLabels(texts: readonly string[]): { y: Int32Array; labelNames: string[] } {
  const ids = new Map<string, number>();
  const idOf = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    let id = ids.get(texts[i]);
    if (id === undefined) ids.set(texts[i], (id = ids.size));
    idOf[i] = id;
  }
  const { classOf, labelNames } = textClasses([...ids.keys()]);
  for (let i = 0; i < idOf.length; i++) idOf[i] = classOf[idOf[i]];
  return { y: idOf, labelNames };
}
