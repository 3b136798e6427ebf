/** Class numbering of text labels, shared by the CSV and MAT loaders. */

/**
 * Number distinct label texts (given in any order, e.g. of first appearance) as classes in code-unit
 * order of the texts (JavaScript's `<` on strings, not a locale's): `classOf[i]` is the class of
 * `texts[i]`, and `labelNames[c]` the text of class c.
 */
export function textClasses(texts: readonly string[]): { classOf: Int32Array; labelNames: string[] } {
  const order = texts.map((_, id) => id).sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
  const classOf = new Int32Array(texts.length);
  order.forEach((id, c) => (classOf[id] = c));
  return { classOf, labelNames: order.map((id) => texts[id]) };
}
