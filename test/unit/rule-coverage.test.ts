// Every rule has a positive, a negative and a suppressed test: the rule tests record each kind right
// after the assertions that prove it (test/helpers/rule-coverage.ts), and this file checks the record
// once the whole run is over. Its hooks are declared outside any describe, so they belong to mocha's
// root suite: the afterEach sees every test of every file, the after runs last.
//
// Only a run of the whole loaded suite, the unit layer included, is judged. A single file, --grep or
// .only runs a part of it, and a part proves nothing about the rest: then the check says nothing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../server/src/rules/registry';
import { missing } from '../helpers/rule-coverage';

/** The tests whose run reached the root afterEach: passed, failed, or skipped from inside. */
const ran = new Set<Mocha.Test>();

afterEach(function () {
  if (this.currentTest) ran.add(this.currentTest);
});

function testsOf(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(testsOf)];
}

/** The files that define the loaded suites and tests. */
function filesOf(suite: Mocha.Suite, into = new Set<string>()): Set<string> {
  if (suite.file) into.add(path.resolve(suite.file));
  for (const t of suite.tests) if (t.file) into.add(path.resolve(t.file));
  for (const s of suite.suites) filesOf(s, into);
  return into;
}

after(function () {
  const root = this.test!.parent!;
  const tests = testsOf(root);
  // Skipped without running (it.skip, or a before hook that calls this.skip(): a database or Django
  // that is not there) is part of the whole run too; a test --grep left out was never reached.
  const skipped = tests.filter((t) => t.state === 'pending' && !ran.has(t)).length;
  // mocha drops what .only leaves out from the tree before the run, so the count cannot see it.
  const only = (root as Mocha.Suite & { hasOnly(): boolean }).hasOnly();
  if (only || ran.size + skipped !== root.total()) return;
  // Every unit test file is loaded (this one defines no tests: it counts as loaded).
  const loaded = filesOf(root).add(path.resolve(__filename));
  const unit = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js'));
  if (!unit.every((f) => loaded.has(path.join(__dirname, f)))) return;

  const gaps = missing(RULES.map((r) => r.code));
  if (gaps.length) {
    assert.fail(
      `Every rule has a positive, a negative and a suppressed test; these kinds were not proven in this run (a kind is recorded by covered() after its assertions pass):\n  ${gaps.join('\n  ')}`,
    );
  }
});
