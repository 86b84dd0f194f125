// The short, seeded fuzz run of the test suite (`npm run fuzz` is the long one): mutated migration
// files through the analysis engine and through the running language server.
import * as assert from 'assert';
import { EngineFuzzer } from '../fuzz/engine';
import { LspFuzzer } from '../fuzz/lsp';

const SEED = 20261124;

describe('fuzz (short seeded run)', function () {
  this.timeout(300_000);

  it('3,000 mutated files through the engine: no crash, every case under 5 s', async () => {
    const f = new EngineFuzzer();
    await f.start();
    try {
      const bad: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const r = f.run(f.case(SEED, i));
        if (r.crash) bad.push(`case ${i} (${r.kind}): ${r.crash}`);
        else if (r.ms > 5000) bad.push(`case ${i} (${r.kind}): ${r.ms.toFixed(0)} ms`);
      }
      assert.deepStrictEqual(bad, []);
    } finally {
      f.dispose();
    }
  });

  it('the crash check sees a rule that fails and a finding outside its file', async () => {
    const f = new EngineFuzzer();
    await f.start();
    try {
      // Negative control: a case whose text makes no finding, then one with an injected bad finding.
      const good = f.run({ index: 0, kind: 'control', files: {} });
      assert.strictEqual(good.crash, undefined);
      const ws = (f as unknown as { ws: { findings: (file: string) => unknown[] } }).ws;
      const original = ws.findings.bind(ws);
      ws.findings = () => [{ code: 'ML000', message: 'Not fully analyzed: rule ML000 failed on this file (boom).', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
      const c = f.case(SEED, 1);
      assert.match(f.run(c).crash ?? '', /rule ML000 threw/);
      ws.findings = () => [{ code: 'ML000', message: 'x', range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } }];
      assert.match(f.run(c).crash ?? '', /out of its file/);
      ws.findings = original;
    } finally {
      f.dispose();
    }
  });

  it('1,000 mutated files opened, changed and closed in fast sequence over LSP: the server answers and logs no error', async () => {
    const f = new LspFuzzer();
    await f.start();
    try {
      for (let i = 0; i < 1000; i++) {
        await f.send(f.case(SEED + 1, i));
        if (i % 250 === 249) assert.ok(await f.alive(), `the server answers after case ${i}${f.exited ? ` (${f.exited})` : ''}`);
      }
      assert.deepStrictEqual(f.logged, []);
    } finally {
      await f.stop();
    }
  });
});
