import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, REPO, writeProject } from '../helpers/project';

/** Deterministic pseudo-random numbers, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('robustness of the state replay and the risk rules', () => {
  it('survives 2,000 random cuts, duplications and swaps of real migrations while typing', async () => {
    const shop = path.join(REPO, 'examples', 'shop');
    const files: Record<string, string> = {};
    for (const app of ['store', 'orders']) {
      for (const n of fs.readdirSync(path.join(shop, app, 'migrations')).filter((f) => /^\d.*\.py$/.test(f))) {
        files[`${app}/migrations/${n}`] = fs.readFileSync(path.join(shop, app, 'migrations', n), 'utf8');
      }
    }
    const root = writeProject(files);
    const ws = await analyze(root);
    const rand = rng(7);
    const rels = Object.keys(files);
    const current = { ...files };
    for (let i = 0; i < 2000; i++) {
      const rel = rels[Math.floor(rand() * rels.length)];
      let t = current[rel];
      const a = Math.floor(rand() * t.length);
      const b = Math.min(t.length, a + Math.floor(rand() * 40));
      const r = rand();
      if (r < 0.4) t = t.slice(0, a) + t.slice(b);
      else if (r < 0.7) t = t.slice(0, b) + t.slice(a, b) + t.slice(b);
      else if (r < 0.85) t = files[rel];
      else t = t.slice(0, a) + files[rels[Math.floor(rand() * rels.length)]].slice(a, b) + t.slice(a);
      current[rel] = t;
      const file = path.join(root, rel);
      ws.update(file, t);
      for (const f of ws.findings(file)) {
        assert.ok(f.range.start.line >= 0 && f.message.length > 0, `${rel} after ${i} edits`);
        assert.ok(!/failed on this file/.test(f.message), `a rule threw on ${rel} after ${i} edits: ${f.message}\n${t}`);
      }
    }
  });
});
