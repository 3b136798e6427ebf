#!/usr/bin/env node
// Stand-in for node-gyp, passed to prebuildify with `--node-gyp` (prebuildify has no cmake-js backend and
// always runs `node-gyp rebuild --target=X --devdir=D --arch=A --release|--debug`).
//
// It builds the addon from scratch with cmake-js in build-prebuild/ (leaving a development build/ and its
// CMake cache alone; the core's C++ tests and bench are not built) and copies npset.node to
// <cwd>/build/<Release|Debug>/ (cwd: the staging folder scripts/prebuild.js gives prebuildify), where
// prebuildify picks it up, strips it and moves it to prebuilds/. The unstripped build stays in
// build-prebuild/ for the checks of scripts/prebuild.js.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith('-'));
const opt = (name) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : undefined;
};
const debug = argv.includes('--debug');

if (command !== 'rebuild' && command !== 'build') {
  console.error(`prebuildify-cmake: unsupported node-gyp command ${JSON.stringify(command)} (args: ${argv.join(' ')})`);
  process.exit(2);
}

const out = path.join(root, 'build-prebuild');
const cwd = process.cwd(); // the staging folder (cmake-js rebuild wipes `out`, so it must lie outside it)
const config = debug ? 'Debug' : 'Release';
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json', { paths: [root] })), 'bin', 'cmake-js');
const args = [cmakeJs, command === 'rebuild' ? 'rebuild' : 'compile', '--out', out, '--CDNPSET_BUILD_TESTS=OFF'];
if (opt('arch')) args.push('--arch', opt('arch'));
if (debug) args.push('--debug');
// --target is a Node version: irrelevant for Node-API builds (cmake-js uses node-api-headers).

console.log(`prebuildify-cmake: node ${args.map((a) => (path.isAbsolute(a) ? path.relative(root, a) : a)).join(' ')}`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
if (r.error || r.status !== 0) {
  console.error(`prebuildify-cmake: cmake-js failed (${r.error ? r.error.message : `exit code ${r.status}`})`);
  process.exit(r.status || 1);
}

const built = path.join(out, config, 'npset.node');
if (!fs.existsSync(built)) {
  console.error(`prebuildify-cmake: ${built} was not produced`);
  process.exit(1);
}
const dest = path.join(cwd, 'build', config);
fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(built, path.join(dest, 'npset.node'));
console.log(`prebuildify-cmake: ${path.relative(root, built)} -> ${path.relative(root, path.join(dest, 'npset.node'))}`);
