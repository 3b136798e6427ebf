#!/usr/bin/env bash
# Pack smoke test: the npm tarball installs and trains on a machine without a compiler.
#
#  1. npm run build:prebuild (unless NPSET_SKIP_PREBUILD=1): prebuilds/linux-x64/{npset.glibc.node,libgomp.so.1}
#  2. npm pack, and check what the tarball holds
#  3. npm install <tarball> into an empty folder with scripts enabled, while PATH holds only node, npm, sh
#     and coreutils (no g++, cc, c++, cmake, make, ninja): the install script must find the prebuild
#  4. run a smoke script there: create a model, train on random data, print the accuracy; check that
#     libgomp was loaded from the package's prebuilds folder
#  5. copy the installed folder elsewhere ($ORIGIN must still work): ldd with LD_LIBRARY_PATH unset must
#     resolve libgomp to the copy's prebuilds folder; run the smoke there; and, where `unshare -m` works
#     (root), again with every system libgomp.so.1 masked by /dev/null in a private mount namespace
#
# NPSET_KEEP_SMOKE=1 keeps the temporary folder. NPSET_SMOKE_REQUIRE_API=1 fails when dist/index.js
# (the TypeScript API) is missing from the package.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/npset-pack-smoke.XXXXXX")
cleanup() {
  if [[ "${NPSET_KEEP_SMOKE:-0}" == 1 ]]; then echo "pack-smoke: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

say() { printf '\n== pack-smoke: %s\n' "$*"; }
die() { printf '\npack-smoke: FAILED: %s\n' "$*" >&2; exit 1; }

cd "$ROOT"

# ---------------------------------------------------------------------------------------------------
if [[ "${NPSET_SKIP_PREBUILD:-0}" != 1 ]]; then
  say "prebuild"
  node scripts/prebuild.js
fi
ls prebuilds/linux-x64/*.node >/dev/null 2>&1 || die "no prebuild in prebuilds/linux-x64 (run npm run build:prebuild)"
[[ -f prebuilds/linux-x64/libgomp.so.1 ]] || die "prebuilds/linux-x64/libgomp.so.1 is missing"

# ---------------------------------------------------------------------------------------------------
say "npm pack"
npm pack --pack-destination "$WORK" >"$WORK/pack.log" 2>&1 || { cat "$WORK/pack.log"; die "npm pack failed"; }
TGZ=$(ls "$WORK"/npset-*.tgz)
echo "pack-smoke: $(basename "$TGZ") ($(du -h "$TGZ" | cut -f1))"
tar tzf "$TGZ" | sed 's|^package/||' | sort >"$WORK/contents.txt"
for f in package.json LICENSE THIRD_PARTY_NOTICES.md CMakeLists.txt scripts/install-native.js \
  prebuilds/linux-x64/libgomp.so.1 native/binding/addon.cpp native/core/include/npset/model.hpp \
  native/third_party/eigen/COPYING.MPL2 bench/core_bench.cpp bench/kernel_bench.cpp bench/topology_bench.cpp bench/layout_probe.cpp; do
  grep -qx "$f" "$WORK/contents.txt" || die "the tarball lacks $f"
done
grep -q '^prebuilds/linux-x64/.*\.node$' "$WORK/contents.txt" || die "the tarball lacks the .node prebuild"
if grep -qE '^(build|build-[^/]*|node_modules|test|native/core/tests)/' "$WORK/contents.txt"; then
  die "the tarball holds build outputs, node_modules or tests: $(grep -E '^(build|build-[^/]*|node_modules|test|native/core/tests)/' "$WORK/contents.txt" | head -5 | tr '\n' ' ')"
fi
echo "pack-smoke: $(wc -l <"$WORK/contents.txt") files; prebuilds: $(grep '^prebuilds/' "$WORK/contents.txt" | tr '\n' ' ')"

# ---------------------------------------------------------------------------------------------------
say "a PATH without compilers or build tools"
SAFEBIN="$WORK/safebin"
mkdir -p "$SAFEBIN"
NODE_BIN=$(command -v node)
NPM_CLI=$(readlink -f "$(command -v npm)")
NPX_CLI=$(readlink -f "$(command -v npx)")
ln -s "$(readlink -f "$NODE_BIN")" "$SAFEBIN/node"
ln -s "$NPM_CLI" "$SAFEBIN/npm"
ln -s "$NPX_CLI" "$SAFEBIN/npx"
for tool in sh bash env cat cp mv rm mkdir rmdir ln ls chmod dirname basename readlink realpath uname head tail tr \
  sort uniq wc touch date sleep true false test expr mktemp id printf echo sed grep tar gzip; do
  p=$(command -v "$tool" || true)
  [[ -n "$p" && "$p" == /* ]] && ln -sf "$(readlink -f "$p")" "$SAFEBIN/$tool"
done
for tool in g++ gcc cc c++ clang clang++ cmake make ninja ld; do
  if PATH="$SAFEBIN" command -v "$tool" >/dev/null 2>&1; then die "$tool is reachable on the restricted PATH"; fi
done
echo "pack-smoke: restricted PATH has: $(ls "$SAFEBIN" | tr '\n' ' ')"

# Run a command with the restricted PATH, no compiler variables and no LD_LIBRARY_PATH.
restricted() {
  env -u LD_LIBRARY_PATH -u CC -u CXX -u CMAKE -u npm_config_build_from_source -u NPSET_BUILD_FROM_SOURCE \
    PATH="$SAFEBIN" "$@"
}

# ---------------------------------------------------------------------------------------------------
say "npm install the tarball (scripts enabled)"
APP="$WORK/app"
mkdir -p "$APP"
cat >"$APP/package.json" <<'EOF'
{ "name": "npset-pack-smoke", "version": "1.0.0", "private": true }
EOF
(cd "$APP" && restricted npm install --ignore-scripts=false --foreground-scripts --no-audit --no-fund \
  --prefer-offline "$TGZ") >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; die "npm install failed"; }
grep -E '^npset:' "$WORK/install.log" || die "the install script of npset did not run (see $WORK/install.log)"
if grep -q 'building from source' "$WORK/install.log"; then die "the install script built from source instead of using the prebuild"; fi
if [[ -e "$APP/node_modules/npset/build" ]]; then die "node_modules/npset/build exists: something compiled"; fi

export NPSET_SMOKE_MAT73="$ROOT/test/fixtures/mat73/layout.mat"
cat >"$WORK/smoke.js" <<'EOF'
// Runs inside the folder that installed the npset tarball.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function fail(msg) {
  console.error(`pack-smoke: FAILED: ${msg}`);
  process.exit(1);
}

const pkgDir = path.dirname(require.resolve('npset/package.json', { paths: [process.cwd()] }));
const gypBuild = require(require.resolve('node-gyp-build', { paths: [pkgDir] }));
const addonFile = gypBuild.resolve(pkgDir);

function libgompMapped() {
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
  return [...new Set(maps.filter((l) => l.includes('libgomp')).map((l) => l.slice(l.indexOf('/'))))];
}

// Learnable random data: labels from the sign pattern of two projections.
function data(samples, features, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const x = new Float32Array(samples * features);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    let a = 0;
    let b = 0;
    for (let f = 0; f < features; f++) {
      const v = rnd();
      x[i * features + f] = v;
      a += f % 2 ? v : 0;
      b += f % 3 ? 0 : v;
    }
    y[i] = a > 0 ? (b > 0 ? 2 : 1) : 0;
  }
  return { x, y };
}

async function rawAddonSmoke() {
  const addon = require(addonFile);
  const samples = 1200;
  const features = 24;
  const { x, y } = data(samples, features, 7);
  const ds = new addon.Dataset(x, y, samples, features);
  const model = await addon.createModel({ layers: [features, 64, 3], seed: 42, threads: 2 });
  const epochs = 5;
  for (let e = 0; e < epochs; e++) {
    await model.trainEpoch(ds, { batchSize: 32, learningRate: 0.05 }, e);
    if (e + 1 < epochs) await model.evolve({}, e);
  }
  const ev = await model.evaluate(ds);
  model.dispose();
  console.log(
    `pack-smoke: raw addon ${path.relative(pkgDir, addonFile)} v${addon.version} (${addon.kernels} kernels): ` +
      `${epochs} epochs on ${samples} random samples, ` +
      `accuracy ${(ev.accuracy * 100).toFixed(1)}% (chance ~33%)`,
  );
  if (!(ev.accuracy > 0.4)) fail(`accuracy ${ev.accuracy} is not above chance`);
}

async function highLevelSmoke() {
  // ============================================================================================
  // HIGH-LEVEL API SMOKE (owner: lead). Goes through require('npset') (dist/index.js) as a user
  // would. Adjust the calls below when the TypeScript API changes.
  // ============================================================================================
  if (!fs.existsSync(path.join(pkgDir, 'dist', 'index.js'))) {
    if (process.env.NPSET_SMOKE_REQUIRE_API === '1') fail('dist/index.js is missing from the package');
    console.log('pack-smoke: dist/index.js is not in the package yet: high-level API smoke not run');
    return;
  }
  const npset = require(require.resolve('npset', { paths: [process.cwd()] }));
  if (typeof npset.SparseMLP !== 'function') {
    if (process.env.NPSET_SMOKE_REQUIRE_API === '1') fail('require("npset").SparseMLP is missing');
    console.log(`pack-smoke: require('npset') has no SparseMLP yet (exports: ${Object.keys(npset).join(', ')})`);
    return;
  }
  const samples = 600;
  const features = 24;
  const { x, y } = data(samples, features, 11);
  const model = await npset.SparseMLP.create({ layers: [features, 64, 3], seed: 1 });
  const { history } = await model.fit({ X: x, y, samples, features }, { epochs: 2 });
  const last = history[history.length - 1];
  console.log(
    `pack-smoke: high-level API: SparseMLP.fit ${history.length} epochs, train accuracy ${(last.trainAccuracy * 100).toFixed(1)}%`,
  );
  if (typeof model.dispose === 'function') model.dispose();
  // h5wasm, a dependency loaded only for MAT v7.3 files, must come with the package.
  const mat73 = process.env.NPSET_SMOKE_MAT73;
  if (mat73) {
    const d = await npset.loadMatDataset(mat73);
    console.log(`pack-smoke: MAT v7.3 file read (h5wasm): ${d.samples} samples x ${d.features} features`);
    if (d.samples !== 6 || d.features !== 4) fail(`${mat73}: expected 6 x 4, read ${d.samples} x ${d.features}`);
  }
}

(async () => {
  await rawAddonSmoke();
  const gomp = libgompMapped();
  const expected = fs.realpathSync(path.join(path.dirname(addonFile), 'libgomp.so.1'));
  console.log(`pack-smoke: libgomp mapped from ${gomp.join(', ')}`);
  if (gomp.length !== 1 || gomp[0] !== expected) fail(`libgomp should come only from ${expected}`);
  await highLevelSmoke();
})().catch((err) => fail(err && err.stack ? err.stack : String(err)));
EOF

say "smoke in the installed folder"
(cd "$APP" && restricted node "$WORK/smoke.js")
say "smoke with the baseline (generic x86-64) kernels forced"
(cd "$APP" && NPSET_ISA=generic restricted node "$WORK/smoke.js" | grep 'raw addon')

# ---------------------------------------------------------------------------------------------------
say "a copy of the folder elsewhere (\$ORIGIN), libgomp only beside the .node"
MOVED="$WORK/elsewhere/moved-app"
mkdir -p "$(dirname "$MOVED")"
cp -a "$APP" "$MOVED"
rm -rf "$APP"
PREB="$MOVED/node_modules/npset/prebuilds/linux-x64"
NODEFILE=$(ls "$PREB"/*.node)
LDD=$(env -u LD_LIBRARY_PATH ldd "$NODEFILE")
echo "$LDD" | sed 's/^/    /'
GOMP_LINE=$(echo "$LDD" | grep 'libgomp.so.1' || true)
[[ "$GOMP_LINE" == *"=> $PREB/libgomp.so.1 "* ]] || die "ldd does not resolve libgomp.so.1 to $PREB: $GOMP_LINE"
(cd "$MOVED" && restricted node "$WORK/smoke.js")

if [[ "$(id -u)" == 0 ]] && unshare -m --propagation private true 2>/dev/null; then
  say "again with every system libgomp.so.1 masked (private mount namespace)"
  mapfile -t SYSGOMP < <( (ldconfig -p 2>/dev/null | awk '/libgomp\.so\.1 /{print $NF}';
    ls /usr/lib/x86_64-linux-gnu/libgomp.so.1* /lib/x86_64-linux-gnu/libgomp.so.1* /usr/lib64/libgomp.so.1* 2>/dev/null) |
    xargs -r -n1 readlink -f | sort -u)
  echo "pack-smoke: masking ${SYSGOMP[*]:-nothing (no system libgomp)}"
  SMOKE_DIR="$MOVED" SMOKE_JS="$WORK/smoke.js" SAFEBIN="$SAFEBIN" \
    unshare -m --propagation private bash -euo pipefail -c '
      for f in "$@"; do mount --bind /dev/null "$f"; done
      for f in "$@"; do [[ ! -s "$f" ]] || { echo "could not mask $f" >&2; exit 1; }; done
      cd "$SMOKE_DIR"
      env -u LD_LIBRARY_PATH PATH="$SAFEBIN" node "$SMOKE_JS"
    ' masked "${SYSGOMP[@]}"
else
  echo "pack-smoke: unshare -m is not available here: the ldd and /proc/self/maps checks above stand in for it"
fi

say "the C++ benchmark builds from the installed package with CMake alone (README)"
CORE_BUILD="$WORK/core-build"
cmake -S "$MOVED/node_modules/npset" -B "$CORE_BUILD" -DCMAKE_BUILD_TYPE=Release >"$WORK/cmake.log" 2>&1 ||
  { cat "$WORK/cmake.log"; die "cmake could not configure the installed package"; }
cmake --build "$CORE_BUILD" -j "$(nproc)" --target npset_bench >>"$WORK/cmake.log" 2>&1 ||
  { tail -30 "$WORK/cmake.log"; die "npset_bench did not build from the installed package"; }
"$CORE_BUILD/native/core/npset_bench" --workload custom --layers 50,50,2 --samples 64 --threads 1 --epochs 1 >"$WORK/core-bench.log" ||
  { cat "$WORK/core-bench.log"; die "npset_bench built from the installed package failed"; }
tail -1 "$WORK/core-bench.log"

say "OK"
