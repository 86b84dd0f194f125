#!/usr/bin/env node
// Runs `migration-lens check --format json` over every project of the laid-out corpus and prints
// the findings per rule and project, plus the candidate migration modules found on disk ("on
// disk") next to the files the engine analyzed ("files"). They differ by the modules of
// `migrations` folders that hold no migration at all (test packages), which Django never loads.
// With --dump <dir>, writes each project's JSON there for triage.
// Usage: node test/corpus/summary.mjs [corpus dir] [--dump dir]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', '..', 'dist', 'cli.js');
const args = process.argv.slice(2);
const dumpAt = args.indexOf('--dump');
const dump = dumpAt >= 0 ? args.splice(dumpAt, 2)[1] : undefined;
const corpus = path.resolve(args[0] ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'migration-lens', 'corpus'));
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'manifest.json'), 'utf8'));
if (dump) fs.mkdirSync(dump, { recursive: true });

/**
 * Candidate migration modules on disk: `.py` files directly in a folder whose name ends in
 * `migrations` (`db_migrations` included), not starting with `_` or `~`, outside virtualenvs.
 */
function modulesOnDisk(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !['node_modules', 'site-packages', '__pycache__', 'venv'].includes(e.name)) n += modulesOnDisk(path.join(dir, e.name));
    } else if (/migrations$/.test(path.basename(dir)) && /^[^_~][^.]*\.py$/.test(e.name)) n++;
  }
  return n;
}

const totals = {};
const full = {};
const moot = {};
const rows = [];
for (const p of manifest.projects) {
  const dir = path.join(corpus, p.name);
  if (!fs.existsSync(dir)) continue;
  const r = spawnSync(process.execPath, [cli, 'check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${p.name}: ${r.stderr}`);
  if (dump) fs.writeFileSync(path.join(dump, `${p.name}.json`), r.stdout);
  const report = JSON.parse(r.stdout);
  const counts = {};
  for (const f of report.files) {
    for (const d of f.diagnostics) {
      counts[d.code] = (counts[d.code] ?? 0) + 1;
      // High and Medium findings shown at full severity, apart from those moot where the migration runs (squashes).
      if ((d.risk === 'high' || d.risk === 'medium') && d.severity === 'warning') {
        moot[d.code] ??= 0;
        full[d.code] = (full[d.code] ?? 0) + 1;
      } else if (d.moot || d.possible) moot[d.code] = (moot[d.code] ?? 0) + 1;
    }
  }
  for (const [c, n] of Object.entries(counts)) totals[c] = (totals[c] ?? 0) + n;
  rows.push({ name: p.name, modules: modulesOnDisk(dir), files: report.files.length, counts });
}
const codes = Object.keys(totals).sort();
console.log(['project', 'on disk', 'files', ...codes].join('\t'));
for (const r of rows) console.log([r.name, r.modules, r.files, ...codes.map((c) => r.counts[c] ?? 0)].join('\t'));
console.log(['total', rows.reduce((s, r) => s + r.modules, 0), rows.reduce((s, r) => s + r.files, 0), ...codes.map((c) => totals[c])].join('\t'));
console.log('');
console.log('High/Medium at full severity, and moot or only possible (information: in squashes, or depending on data), per rule:');
for (const c of Object.keys(full)
  .concat(Object.keys(moot))
  .filter((c, i, a) => a.indexOf(c) === i)
  .sort())
  console.log(`  ${c}\t${full[c] ?? 0}\tmoot ${moot[c] ?? 0}`);
