/**
 * Running the compiled `npset` CLI (dist/cli/main.js) as a child process. `ensureBuilt()` compiles
 * lib/ with tsc first when dist/ is missing or older than any source file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  /** Exit code (null when killed by a signal). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Whether some lib/**.ts file has no compiled dist/**.js or a newer modification time than it. */
export function distIsStale(): boolean {
  const lib = path.join(ROOT, 'lib');
  for (const src of sources(lib)) {
    const out = path.join(ROOT, 'dist', path.relative(lib, src)).replace(/\.ts$/, '.js');
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) return true;
  }
  return false;
}

/** Compiles lib/ into dist/ when needed (tsc emits even on type errors; those are reported, not fatal). */
export function ensureBuilt(): void {
  if (existsSync(CLI) && !distIsStale()) return;
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  if (!existsSync(CLI)) {
    throw new Error(`tsc did not produce ${CLI} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  if (r.status !== 0) console.warn(`tsc reported errors (dist was still emitted):\n${r.stdout}${r.stderr}`);
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NPSET_DEBUG; // the CLI prints stack traces with it
  delete env.NODE_OPTIONS;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** Runs `node dist/cli/main.js ...args` and collects its output. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 100_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** Runs the CLI with --json and parses the single JSON object it must print. */
export async function runJson(args: string[], env?: Record<string, string | undefined>): Promise<{ result: CliResult; json: Record<string, unknown> }> {
  const result = await runCli([...args, '--json'], { env });
  if (result.status !== 0) throw new Error(`npset ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const lines = result.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected exactly one line on stdout, got ${lines.length}:\n${result.stdout}`);
  return { result, json: JSON.parse(lines[0]) as Record<string, unknown> };
}

/**
 * Asserts a usage error: one `npset: ...` line on stderr matching `pattern` (and not `forbidden`), exit code 2,
 * nothing on stdout (the check came before any output), no signal.
 */
export function expectUsageError(r: CliResult, pattern: RegExp, forbidden?: RegExp): void {
  expect(r.signal).toBeNull();
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^npset: /);
  expect(lines[0]).not.toContain('unexpected error');
  if (forbidden) expect(lines[0]).not.toMatch(forbidden);
  expect(lines[0]).toMatch(pattern);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
}

/**
 * For one test file: before its tests, the CLI built (ensureBuilt) and a fresh temporary directory, given to
 * `ready` (which may write fixtures into it); after them, the directory removed.
 */
export function cliTempDir(prefix: string, ready: (dir: string) => void): void {
  let dir: string | undefined;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    ready(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

/** stderr without the "npset: note: ..." lines (settings that will not do all they say), for tests of the rest. */
export function withoutNotes(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !l.startsWith('npset: note: '))
    .join('\n');
}
