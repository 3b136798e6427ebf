/**
 * The published source maps are self-contained: package.json "files" ships dist/ but not lib/, so every
 * dist/**.js.map must carry its TypeScript source (sourcesContent, from tsconfig's inlineSources) rather
 * than point to ../lib/*.ts that an installed package does not have. Checked by compiling one file with
 * the project's own compiler options (no full build).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

function projectOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, (f) => readFileSync(f, 'utf8'));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file).options;
}

describe('source maps', () => {
  it('embed the TypeScript source (sourcesContent), which the package does not ship', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('dist/');
    expect(pkg.files.some((f) => f === 'lib' || f.startsWith('lib/'))).toBe(false);

    const options = projectOptions();
    expect(options.sourceMap).toBe(true);
    expect(options.inlineSources).toBe(true);
    const fileName = path.join(ROOT, 'lib', 'errors.ts');
    const source = readFileSync(fileName, 'utf8');
    const { sourceMapText } = ts.transpileModule(source, { compilerOptions: options, fileName });
    const map = JSON.parse(sourceMapText!) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sources).toHaveLength(1);
    expect(map.sourcesContent).toEqual([source]);
  });
});
