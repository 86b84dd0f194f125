#!/usr/bin/env node
// The peer of a cold `migration-lens check`: a whole process that reads the same migration files
// and only parses them with tree-sitter (the same web-tree-sitter and grammar), nothing else.
// Usage: node test/bench/parse-only.mjs <dir>...
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Parser, Language } = require('web-tree-sitter');

const SKIP = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', 'site-packages']);
const files = [];
const walk = (d, inMigrations) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) walk(join(d, e.name), /^(db_)?migrations$/.test(e.name));
    } else if (inMigrations && e.name.endsWith('.py') && !/^[_~]/.test(e.name)) files.push(join(d, e.name));
  }
};
for (const d of process.argv.slice(2)) walk(d, false);

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(join(repo, 'dist', 'tree-sitter-python.wasm')));
let nodes = 0;
for (const f of files) {
  const tree = parser.parse(readFileSync(f, 'utf8'));
  nodes += tree.rootNode.descendantCount;
  tree.delete();
}
console.log(`${files.length} files parsed, ${nodes} nodes`);
