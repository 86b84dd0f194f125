// The rule pages are written from the rule files: a page that says something else, a rule without a
// page or without a row in the README's table, fails here (run `npm run docs`).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../server/src/rules/registry';
import { rulePage } from '../../server/src/rules/pages';
import { REPO } from '../helpers/project';

describe('rule pages', () => {
  it('docs/rules holds each rule page as its rule file writes it, and the README links each rule', () => {
    const dir = path.join(REPO, 'docs', 'rules');
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const rule of RULES) {
      const file = path.join(dir, `${rule.code}.md`);
      assert.ok(fs.existsSync(file), `${rule.code}: no page (npm run docs)`);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), rulePage(rule), `${rule.code}: the page is out of date (npm run docs)`);
      assert.ok(readme.includes(`| [${rule.code}](docs/rules/${rule.code}.md) |`), `${rule.code}: no row in the README's rule table`);
    }
    const pages = fs.readdirSync(dir).filter((f) => /^ML\d+\.md$/.test(f));
    assert.deepStrictEqual(pages.sort(), RULES.map((r) => `${r.code}.md`).sort(), 'a page without a rule');
  });
});
