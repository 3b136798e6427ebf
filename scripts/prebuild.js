#!/usr/bin/env node
// `npm run build:prebuild`: the linux-x64 prebuild that npm users get without a compiler.
//
//  1. prebuildify --napi --strip --tag-libc --target <this node> --node-gyp scripts/prebuildify-cmake.js
//     -> prebuilds/linux-x64/npset.glibc.node (Node-API 8: one binary for every Node >= 20)
//  2. copies the system libgomp.so.1 (from `g++ -print-file-name=libgomp.so.1`, symlinks resolved) beside it
//  3. checks: RUNPATH is exactly $ORIGIN and libgomp.so.1 is NEEDED; no code outside the run-time
//     dispatched code (npset::isa_avx2/avx512, Eigen_isa_avx2/avx512) uses instructions beyond the x86-64 baseline;
//     prints the glibc / libstdc++ version floors; loads the prebuild in a child process (PREBUILDS_ONLY)
//     and checks that libgomp came from the prebuilds folder.
'use strict';

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const platformDir = `${process.platform}-${process.arch}`;
const builds = path.join(root, 'prebuilds', platformDir);
const unstripped = path.join(root, 'build-prebuild', 'Release', 'npset.node');

function step(msg) {
  console.log(`\n== prebuild: ${msg}`);
}

function die(msg) {
  console.error(`\nprebuild: FAILED: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) die(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function out(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch (err) {
    die(`${cmd} ${args.join(' ')}: ${err.message}`);
  }
}

// Instructions beyond x86-64 baseline (SSE2): any VEX/EVEX form (v* mnemonics, ymm/zmm/mask registers),
// SSE3/SSSE3/SSE4.x, POPCNT, LZCNT, BMI1/2, MOVBE. (tzcnt is left out: GCC emits `rep bsf` for ctz on the
// baseline on purpose, which disassembles as tzcnt and runs as bsf on older CPUs.)
const beyond = new Set(
  (
    'addsubps addsubpd haddps haddpd hsubps hsubpd lddqu movddup movshdup movsldup fisttp ' +
    'pabsb pabsw pabsd palignr phaddw phaddd phaddsw phsubw phsubd phsubsw pmaddubsw pmulhrsw pshufb psignb psignw psignd ' +
    'blendpd blendps blendvpd blendvps dppd dpps extractps insertps movntdqa mpsadbw packusdw pblendvb pblendw pcmpeqq ' +
    'pextrb pextrd pextrq phminposuw pinsrb pinsrd pinsrq pmaxsb pmaxsd pmaxud pmaxuw pminsb pminsd pminud pminuw ' +
    'pmuldq pmulld ptest roundpd roundps roundsd roundss pcmpestri pcmpestrm pcmpistri pcmpistrm pcmpgtq ' +
    'popcnt lzcnt andn bextr blsi blsmsk blsr bzhi mulx pdep pext rorx sarx shlx shrx movbe'
  ).split(' '),
);
const notVex = new Set(['verr', 'verw']);
function isBeyondBaseline(mnemonic, operands) {
  if (/%[yz]mm\d|%k[0-7]\b/.test(operands)) return true;
  if (mnemonic.startsWith('v') && !notVex.has(mnemonic)) return true;
  if (beyond.has(mnemonic)) return true;
  if (/^(crc32[bwlq]?|pmov[sz]x[bwd][wdq])$/.test(mnemonic)) return true;
  return beyond.has(mnemonic.replace(/[bwlq]$/, ''));
}
// Code compiled for AVX2/AVX-512 and reached only through the run-time dispatch table: the kernels
// (namespace npset::isa_avx2 / isa_avx512) and the per-ISA copies of Eigen (namespace Eigen_isa_avx2 /
// Eigen_isa_avx512). A name that mentions such a namespace anywhere (even in template arguments) can only
// have been instantiated in that ISA's translation unit; identically named functions are the ODR hazard
// this check looks for.
const dispatched = /\b(npset::isa_|Eigen_isa_)(avx2|avx512)::/;
// Functions outside the run-time dispatched kernels that use instructions beyond the baseline.
function scanIsa(file) {
  const disasm = spawnSync('objdump', ['-d', '-C', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (disasm.status !== 0) die(`objdump -d ${file} failed: ${disasm.stderr}`);
  let fn = '';
  let inDispatched = false;
  const offenders = new Map();
  let dispatchedFns = 0;
  for (const line of disasm.stdout.split('\n')) {
    const head = /^[0-9a-f]+ <(.*)>:$/.exec(line);
    if (head) {
      fn = head[1];
      inDispatched = dispatched.test(fn);
      if (inDispatched) dispatchedFns++;
      continue;
    }
    const ins = /^\s+[0-9a-f]+:\s+(?:(?:rep|repz|repnz|lock|notrack|bnd|data16|cs|ds|es|ss|fs|gs|addr32)\s+)*([a-z][a-z0-9]*)\s*(.*)$/.exec(line);
    if (!ins || inDispatched) continue;
    if (isBeyondBaseline(ins[1], ins[2]) && !offenders.has(fn)) offenders.set(fn, `${ins[1]} ${ins[2]}`.trim());
  }
  return { offenders, dispatchedFns };
}
if (process.argv[2] === '--check-isa') {
  const { offenders, dispatchedFns } = scanIsa(process.argv[3]);
  console.log(JSON.stringify({ dispatchedFns, offenders: Object.fromEntries(offenders) }, null, 1));
  process.exit(offenders.size ? 1 : 0);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  die(`this script makes the linux-x64 prebuild; this machine is ${platformDir}`);
}

// ------------------------------------------------------------------------------------------------
step('build with prebuildify + cmake-js');
fs.rmSync(builds, { recursive: true, force: true });
const wrapper = path.join(root, 'scripts', 'prebuildify-cmake.js');
fs.chmodSync(wrapper, 0o755); // spawned directly by prebuildify
const prebuildifyBin = path.join(path.dirname(require.resolve('prebuildify/package.json', { paths: [root] })), 'bin.js');
// prebuildify picks the binary up from <cwd>/build/Release: give it a staging folder as cwd (with the
// package.json it reads the name from), so that a development build in build/ is left alone.
const stage = path.join(root, 'build-prebuild-stage'); // not inside build-prebuild/, which cmake-js rebuild wipes
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
fs.copyFileSync(path.join(root, 'package.json'), path.join(stage, 'package.json'));
run(process.execPath, [
  prebuildifyBin,
  '--napi',
  '--strip',
  '--tag-libc',
  '--target',
  process.versions.node,
  '--node-gyp',
  wrapper,
  '--cwd',
  stage,
  '--out',
  root,
]);
const nodeFiles = fs.readdirSync(builds).filter((f) => f.endsWith('.node'));
if (nodeFiles.length !== 1) die(`expected one .node file in ${builds}, found ${JSON.stringify(nodeFiles)}`);
const addon = path.join(builds, nodeFiles[0]);
console.log(`prebuild: ${path.relative(root, addon)} (${fs.statSync(addon).size} bytes)`);

// ------------------------------------------------------------------------------------------------
step('copy libgomp.so.1 beside the addon');
const cxx = process.env.CXX || 'g++';
const gompLink = out(cxx, ['-print-file-name=libgomp.so.1']).trim();
if (!path.isAbsolute(gompLink) || !fs.existsSync(gompLink)) {
  die(`${cxx} -print-file-name=libgomp.so.1 gave ${JSON.stringify(gompLink)}: install libgomp1 (apt-get install libgomp1)`);
}
const gompReal = fs.realpathSync(gompLink);
const gompDest = path.join(builds, 'libgomp.so.1');
fs.copyFileSync(gompReal, gompDest);
fs.chmodSync(gompDest, 0o644);
console.log(`prebuild: ${gompReal} -> ${path.relative(root, gompDest)} (${fs.statSync(gompDest).size} bytes)`);
const dpkg = spawnSync('dpkg', ['-S', gompReal], { encoding: 'utf8' });
if (dpkg.status === 0) {
  const pkgName = dpkg.stdout.split(':')[0].trim();
  const ver = spawnSync('dpkg-query', ['-W', '-f=${Version} (source ${source:Package})', pkgName], { encoding: 'utf8' });
  const version = ver.status === 0 ? ver.stdout.trim() : 'unknown version';
  console.log(`prebuild: libgomp comes from the Debian package ${pkgName} ${version}`);
  const notices = fs.readFileSync(path.join(root, 'THIRD_PARTY_NOTICES.md'), 'utf8');
  const plainVersion = version.split(' ')[0];
  if (!notices.includes(plainVersion)) {
    console.warn(
      `prebuild: WARNING: THIRD_PARTY_NOTICES.md does not name libgomp version ${plainVersion}; update its source reference`,
    );
  }
}

// ------------------------------------------------------------------------------------------------
step('check the dynamic section (readelf -d)');
const dyn = out('readelf', ['-d', addon]);
const runpath = /\((RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[(.*)\]/.exec(dyn);
const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]);
console.log(`prebuild: NEEDED ${needed.join(', ')}`);
console.log(`prebuild: ${runpath ? `${runpath[1]} [${runpath[2]}]` : 'no RUNPATH'}`);
if (!runpath || runpath[1] !== 'RUNPATH' || runpath[2] !== '$ORIGIN') die('the addon must have RUNPATH [$ORIGIN]');
if (!needed.includes('libgomp.so.1')) die('the addon does not need libgomp.so.1: was OpenMP linked?');
const allowed = new Set(['libgomp.so.1', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6', 'libpthread.so.0', 'libdl.so.2']);
const unexpected = needed.filter((n) => !allowed.has(n));
if (unexpected.length) die(`unexpected shared library dependencies: ${unexpected.join(', ')}`);

// ------------------------------------------------------------------------------------------------
step('version floors (glibc, libstdc++)');
function floors(file) {
  const text = out('objdump', ['-T', file]);
  const cmp = (a, b) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  const max = {};
  for (const m of text.matchAll(/\b(GLIBC|GLIBCXX|CXXABI|GCC)_(\d+(?:\.\d+)*)\b/g)) {
    const v = m[2].split('.').map(Number);
    if (!max[m[1]] || cmp(v, max[m[1]]) > 0) max[m[1]] = v;
  }
  return Object.fromEntries(Object.entries(max).map(([k, v]) => [k, v.join('.')]));
}
console.log(`prebuild: ${path.basename(addon)} needs at most ${JSON.stringify(floors(addon))}`);
console.log(`prebuild: libgomp.so.1 needs at most ${JSON.stringify(floors(gompDest))}`);

// ------------------------------------------------------------------------------------------------
step('instruction sets (objdump -d of the unstripped build)');
if (!fs.existsSync(unstripped)) die(`${unstripped} is missing (the wrapper keeps the unstripped build there)`);
const { offenders, dispatchedFns } = scanIsa(unstripped);
console.log(`prebuild: ${dispatchedFns} functions in the run-time dispatched code (npset::isa_avx2/avx512, Eigen_isa_avx2/avx512) may use AVX2/AVX-512`);
if (offenders.size) {
  const list = [...offenders].slice(0, 30).map(([f, i]) => `  ${f}: ${i}`);
  die(
    `${offenders.size} functions outside the dispatched kernels use instructions beyond x86-64 baseline ` +
      `(e.g. an inline function or template instantiated in an AVX translation unit and chosen by the linker):\n${list.join('\n')}`,
  );
}
console.log('prebuild: no other code uses instructions beyond the x86-64 baseline');

// ------------------------------------------------------------------------------------------------
step('load the prebuild (PREBUILDS_ONLY=1, no LD_LIBRARY_PATH)');
const env = { ...process.env, PREBUILDS_ONLY: '1' };
delete env.LD_LIBRARY_PATH;
const probe = `
  const addon = require('node-gyp-build')(${JSON.stringify(root)});
  const maps = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n');
  const gomp = [...new Set(maps.filter((l) => l.includes('libgomp')).map((l) => l.slice(l.indexOf('/'))))];
  console.log(JSON.stringify({ version: addon.version, threads: addon.hardwareConcurrency(), gomp }));
`;
const loaded = spawnSync(process.execPath, ['-e', probe], { cwd: root, env, encoding: 'utf8' });
if (loaded.status !== 0) die(`the prebuild does not load:\n${loaded.stderr}`);
const info = JSON.parse(loaded.stdout.trim().split('\n').pop());
console.log(`prebuild: loaded version ${info.version}; libgomp mapped from ${info.gomp.join(', ')}`);
if (info.gomp.length !== 1 || path.dirname(info.gomp[0]) !== builds) die('libgomp was not loaded from the prebuilds folder');

console.log(`\nprebuild: OK -> ${path.relative(root, builds)}/: ${fs.readdirSync(builds).join(', ')}`);
