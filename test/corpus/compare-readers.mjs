#!/usr/bin/env node
// Reads every migration module of the laid-out corpus both ways, from its text alone
// (plain-module.ts) and through the syntax tree (extract.ts), and compares the models wherever the
// text reader took the file. Prints how many it took and every difference; exits 1 on one.
// Usage: npx tsc -b && node test/corpus/compare-readers.mjs [corpus dir]
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'server', 'src', 'analysis');
const { initParser, parse } = require(join(out, 'parser.js'));
const { extractMigration } = require(join(out, 'extract.js'));
const { readPlainModule } = require(join(out, 'plain-module.js'));

const corpus = process.argv[2] ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'migration-lens', 'corpus');
const files = [];
const walk = (d, inMigrations) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (e.name !== '.git' && e.name !== '__pycache__') walk(join(d, e.name), /migrations$/.test(e.name));
    } else if (inMigrations && e.name.endsWith('.py') && !/^[_~]/.test(e.name)) files.push(join(d, e.name));
  }
};
walk(corpus, false);

const json = (m) => JSON.parse(JSON.stringify(m, (k, v) => (k === 'parent' ? undefined : v instanceof Map ? [...v].map(([a, b]) => [a, [...b]]) : v instanceof Set ? [...v] : v)));
await initParser();
let read = 0;
let readBytes = 0;
let allBytes = 0;
let differ = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  allBytes += text.length;
  const name = basename(f, '.py');
  const plain = readPlainModule(text, f, 'app', name);
  if (!plain) continue;
  read++;
  readBytes += text.length;
  const tree = parse(text);
  const model = json(extractMigration(tree, text, f, 'app', name));
  tree.delete();
  const mine = json(plain);
  if (isDeepStrictEqual(mine, model)) continue;
  differ++;
  console.log(`differs: ${f}`);
  for (const k of Object.keys(model)) if (!isDeepStrictEqual(mine[k], model[k])) console.log(`  ${k}: ${JSON.stringify(mine[k]).slice(0, 200)}\n  tree: ${JSON.stringify(model[k]).slice(0, 200)}`);
}
console.log(`${files.length} modules; read from their text: ${read} (${((100 * readBytes) / allBytes).toFixed(0)}% of the bytes); different from the tree's reading: ${differ}`);
process.exit(differ ? 1 : 0);
