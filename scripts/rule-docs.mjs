#!/usr/bin/env node
// Writes docs/rules/<code>.md for every rule and docs/rules/index.md from the rule files (through
// the compiled server: run `npx tsc -b` first, or `npm run docs`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { RULES } = require(join(repo, 'out/server/src/rules/registry.js'));
const { rulePage, ruleIndex } = require(join(repo, 'out/server/src/rules/pages.js'));

const dir = join(repo, 'docs', 'rules');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (/^ML\d+\.md$/.test(f)) rmSync(join(dir, f));
for (const rule of RULES) writeFileSync(join(dir, `${rule.code}.md`), rulePage(rule));
writeFileSync(join(dir, 'index.md'), `# Rules\n\nOne page per rule, written from its rule file (\`npm run docs\`).\n\n${ruleIndex(RULES).replaceAll('docs/rules/', '')}\n`);
console.log(`${RULES.length} rule pages in ${dir}`);
