/**
 * Dims of MAT-file arrays as error messages show them. A file (or a MatVariable built by hand) may
 * declare any number of dims: a message shows a short list whole and the first few of a long one.
 */

/** Dims shown whole in messages; a longer list is shortened to its first DIMS_SHOWN. */
const DIMS_WHOLE = 8;
const DIMS_SHOWN = 4;

/** '100x20'; a long list shortened: '2x3x4x5x... (1000000 dims)'. */
export function dimsText(dims: readonly number[]): string {
  if (dims.length <= DIMS_WHOLE) return dims.join('x');
  return `${dims.slice(0, DIMS_SHOWN).join('x')}x... (${dims.length} dims)`;
}
