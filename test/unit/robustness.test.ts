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

describe('batches of files from the watcher', () => {
  const leaf = (app: string) => `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("${app}", "0001_initial")]\n    operations = []\n`;

  it('finds in one batch what the same files find one at a time, and lists at most 10 leaves', async () => {
    const shop = path.join(REPO, 'examples', 'shop');
    const files: Record<string, string> = {};
    for (const n of fs.readdirSync(path.join(shop, 'store', 'migrations')).filter((f) => /^\d.*\.py$/.test(f)))
      files[`store/migrations/${n}`] = fs.readFileSync(path.join(shop, 'store', 'migrations', n), 'utf8');
    const one = writeProject(files);
    const many = writeProject(files);
    const a = await analyze(one);
    const b = await analyze(many);
    const names = Array.from({ length: 30 }, (_, i) => `store/migrations/9${String(i).padStart(3, '0')}_leaf.py`);
    for (const n of names) a.update(path.join(one, n), leaf('store'));
    const touched = b.updateMany(names.map((n) => ({ file: path.join(many, n), text: leaf('store') })));
    assert.ok(touched.includes(path.join(many, names[0])));
    for (const n of [...names, ...Object.keys(files)]) {
      const fa = a.findings(path.join(one, n)).map((f) => `${f.code} ${f.message}`);
      const fb = b.findings(path.join(many, n)).map((f) => `${f.code} ${f.message}`);
      assert.deepStrictEqual(fb, fa, n);
    }
    const ml501 = b.findings(path.join(many, names[0])).find((f) => f.code === 'ML501')!;
    assert.match(ml501.message, /and 21 more in store\)/);
    assert.strictEqual(ml501.related?.length, 10);
    // Deleted in a batch: back to one leaf.
    b.updateMany(names.map((n) => ({ file: path.join(many, n), text: undefined })));
    assert.deepStrictEqual(
      b.findings(path.join(many, 'store/migrations/0003_product_sku_required.py')).filter((f) => f.code === 'ML501'),
      [],
    );
  });
});

describe('huge files', () => {
  it('a 5 MB migration keeps its place in the graph, says its operations are not analyzed, and costs little', async () => {
    const ops = '        migrations.RunSQL("SELECT 1", "SELECT 2"),\n'.repeat(110_000);
    const huge = `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shopapp", "0001_initial")]\n    operations = [\n${ops}    ]\n`;
    assert.ok(huge.length > 5_000_000);
    const root = writeProject({
      'shopapp/migrations/0001_initial.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = []\n',
      'shopapp/migrations/0002_huge.py': huge,
      'shopapp/migrations/0003_next.py':
        'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shopapp", "0002_huge")]\n    operations = [migrations.RunSQL("DROP TABLE x")]\n',
    });
    const t = Date.now();
    const ws = await analyze(root);
    const file = path.join(root, 'shopapp/migrations/0002_huge.py');
    ws.update(file, huge + '\n');
    assert.ok(Date.now() - t < 3000, `${Date.now() - t} ms`);
    const notes = ws.findings(file).filter((f) => f.code === 'ML506');
    assert.match(notes[0]?.message ?? '', /the file is 5\.\d MB; its operations are not analyzed above 3 MB \(its dependencies are\)/);
    assert.deepStrictEqual(
      ws.findings(path.join(root, 'shopapp/migrations/0003_next.py')).filter((f) => f.code === 'ML502' || f.code === 'ML501'),
      [],
      'the graph is whole',
    );
    assert.ok(
      ws.findings(path.join(root, 'shopapp/migrations/0003_next.py')).some((f) => f.code === 'ML104'),
      'the next file is analyzed',
    );
    // Below the limit a large file is analyzed in full.
    const large = huge.slice(0, huge.indexOf('operations = [') + 15) + '        migrations.RunSQL("DROP TABLE y"),\n'.repeat(1000) + '    ]\n';
    ws.update(file, large);
    assert.ok(ws.findings(file).some((f) => f.code === 'ML104'));
    assert.ok(!ws.findings(file).some((f) => /not analyzed above/.test(f.message)));
  });
});
