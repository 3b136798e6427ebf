/**
 * Text clean-ups written as scans rather than regular expressions: a pattern of a repeated class anchored at
 * the end, or a repeated class around a line break, tries every start inside a long run of those characters,
 * which takes time quadratic in the run (a minute for a MAT name or label of 100,000 NULs or spaces and a
 * letter, as a hostile file may hold).
 */

/** `text` without the characters of `chars` at its end. */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * `text` on one line: each line break, with the white space around it, becomes one space (a run of blank
 * lines too): white space, a line break, white space, replaced by one space everywhere.
 */
export function oneLine(text: string): string {
  if (!text.includes('\n')) return text;
  const parts = text.split('\n');
  const last = parts.length - 1;
  const kept: string[] = [];
  parts.forEach((part, i) => {
    let p = part;
    if (i > 0) p = p.trimStart();
    if (i < last) p = p.trimEnd();
    // Blank lines between two others merge into the one space; the first and the last part stay, empty or not.
    if (p !== '' || i === 0 || i === last) kept.push(p);
  });
  return kept.join(' ');
}

/** A file name for a line of output: as typed, or JSON-quoted when it holds a line break or another control character. */
export function pathText(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}
