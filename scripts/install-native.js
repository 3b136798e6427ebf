#!/usr/bin/env node
// npm `install` script of npset.
//
// 1. If node-gyp-build can load a binary for this platform (a prebuild in prebuilds/<platform>-<arch>/
//    or an earlier build in build/Release), do nothing.
// 2. Otherwise build from source with cmake-js, after checking that CMake, a C++17 compiler and a build
//    tool are installed (and failing with a clear message if not).
//
// Force a source build with `npm install npset --build-from-source` or NPSET_BUILD_FROM_SOURCE=1.
// Nothing else may depend on this script having run: `npm install --ignore-scripts` must still work
// with the prebuilds.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tag = 'npset';

function log(msg) {
  console.log(`${tag}: ${msg}`);
}

function truthy(v) {
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

function tryLoad() {
  try {
    const file = require('node-gyp-build').resolve(root);
    require(file);
    return { ok: true, file };
  } catch (err) {
    return { ok: false, error: err };
  }
}

function which(cmd) {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function fail(lines) {
  console.error(['', `${tag}: cannot install the native addon.`, ...lines.map((l) => `  ${l}`), ''].join('\n'));
  process.exit(1);
}

function main() {
  const fromSource = truthy(process.env.NPSET_BUILD_FROM_SOURCE) || truthy(process.env.npm_config_build_from_source);
  let reason = 'a source build was requested';
  if (!fromSource) {
    const loaded = tryLoad();
    if (loaded.ok) {
      log(`using the native addon ${path.relative(root, loaded.file)}`);
      return;
    }
    reason = `no prebuilt binary loads on ${process.platform}-${process.arch} with Node ${process.version} (${
      String(loaded.error && loaded.error.message).split('\n')[0]
    })`;
  }
  log(`${reason}; building from source with cmake-js`);

  const missing = [];
  if (!which(process.env.CMAKE || 'cmake')) missing.push('cmake (>= 3.19)');
  const cxx = process.env.CXX || ['c++', 'g++', 'clang++'].find(which);
  if (!cxx || !which(cxx)) missing.push('a C++17 compiler with OpenMP (g++ >= 9, or clang++ with libomp)');
  if (!which('make') && !which('ninja')) missing.push('make or ninja');
  if (missing.length) {
    fail([
      reason + '.',
      `Building from source needs: ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not on PATH.`,
      'On Debian/Ubuntu: sudo apt-get install -y cmake g++ make',
      'On Fedora/RHEL:   sudo dnf install -y cmake gcc-c++ make',
      'Then run: npm rebuild npset',
    ]);
  }

  let cmakeJs;
  try {
    const pkg = require.resolve('cmake-js/package.json', { paths: [root] });
    cmakeJs = path.join(path.dirname(pkg), 'bin', 'cmake-js');
  } catch {
    fail(['the cmake-js package is missing from node_modules; reinstall npset.']);
  }

  // The core's C++ tests and benchmarks are built only in a development checkout (the tests are not
  // published; the published benchmarks are built on request, see the README).
  const devCheckout = fs.existsSync(path.join(root, 'native', 'core', 'tests', 'core_tests.cpp'));
  const args = [cmakeJs, 'compile', `--CDNPSET_BUILD_TESTS=${devCheckout ? 'ON' : 'OFF'}`];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.error || r.status !== 0) {
    fail([
      `cmake-js compile failed (${r.error ? r.error.message : `exit code ${r.status}`}).`,
      'See the compiler output above. npset needs a C++17 compiler with OpenMP support.',
    ]);
  }
  const after = tryLoad();
  if (!after.ok) {
    fail([`the addon was built but does not load: ${String(after.error && after.error.message).split('\n')[0]}`]);
  }
  log(`built ${path.relative(root, after.file)}`);
}

main();
