#!/usr/bin/env node
// NPSET against SET with more seeds than `npset reproduce --seeds 3`: the same protocol (split, standardisation,
// the paper's hidden sizes and hyperparameters, the reproduction's training settings), SET and NPSET only,
// for seeds FROM..TO; prints each pair's maximum test accuracies and the mean paired difference with its
// standard error. Usage: node bench/npset-vs-set-seeds.js [DATA_DIR] [FROM] [TO] [THREADS]
'use strict';
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { findPaperFiles, REPRODUCE_DEFAULTS, reproduceSettings, reproduceWeightInit } = require(path.join(root, 'dist/experiment/reproduce.js'));
const { loadData, splitAndStandardize } = require(path.join(root, 'dist/experiment/prepare.js'));
const { runMethod } = require(path.join(root, 'dist/experiment/run.js'));

const [dir = path.join(root, '..', 'shared', 'datasets', 'asu'), from = '4', to = '8', threads = '0'] = process.argv.slice(2);
const base = reproduceSettings(REPRODUCE_DEFAULTS.epochs, Number(threads));

(async () => {
  const diffs = [];
  const started = Date.now();
  for (const { paper, file } of findPaperFiles(dir)) {
    const data = await loadData(file);
    for (let seed = Number(from); seed <= Number(to); seed++) {
      const prepared = splitAndStandardize(data, { seed });
      const max = {};
      for (const method of ['npset', 'set']) {
        const r = await runMethod({ data: prepared, method, settings: { ...base, hidden: paper.hidden, seed, weightInit: reproduceWeightInit(method) }, onDivergence: 'continue' });
        max[method] = r.maxTestAccuracy * 100;
      }
      diffs.push(max.npset - max.set);
      console.log(`${paper.displayName.padEnd(14)} seed ${seed}  SET ${max.set.toFixed(2)}  NPSET ${max.npset.toFixed(2)}  diff ${(max.npset - max.set).toFixed(2)}`);
    }
  }
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  console.log(`${n} pairs: mean NPSET - SET ${mean.toFixed(2)} points, standard error ${(sd / Math.sqrt(n)).toFixed(2)}; ${((Date.now() - started) / 60000).toFixed(1)} min`);
})();
