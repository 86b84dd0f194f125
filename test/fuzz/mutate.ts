// Mutations of real migration files for the fuzz harness: each case is a pure function of (seed,
// index), so any case can be replayed alone. A case changes one file's text, or adds files (a
// dependency cycle, thousands of leaves).
import * as fs from 'fs';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The real-looking files the mutations start from: examples/shop and the construct fixtures. */
export function corpus(): { rel: string; text: string }[] {
  const out: { rel: string; text: string }[] = [];
  const walk = (root: string, dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(root, full);
      else if (/[\\/]migrations[\\/]\d[^\\/]*\.py$/.test(full)) out.push({ rel: path.relative(root, full), text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(REPO, 'examples', 'shop'), path.join(REPO, 'examples', 'shop'));
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

export interface FuzzCase {
  index: number;
  kind: string;
  /** Relative path -> new text (files not named keep their text). */
  files: Record<string, string>;
}

const HOSTILE = ['"', "'", '`', ';', '$(touch /tmp/ml-pwned)', '\n', '\\', '../../etc/passwd', '"; DROP TABLE x; --', '\u0000', '\u202e', '🦄', '\ud800'];
const BYTES = '()[]{}:,.=\'"\\#\n\r\t \u0000\u00ff\ufffd\ud800\udfff€\u2028abc_019';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const tokens = (t: string) => t.match(/\w+|\s+|[^\w\s]/g) ?? [];

type Mutator = (text: string, r: () => number, base: { rel: string; text: string }[]) => string;

/** One-file mutations, with their weights. */
export const MUTATORS: [string, number, Mutator][] = [
  [
    'truncate-at-token',
    20,
    (t, r) =>
      tokens(t)
        .slice(0, int(r, 0, tokens(t).length))
        .join(''),
  ],
  [
    'delete-lines',
    10,
    (t, r) => {
      const l = t.split('\n');
      l.splice(int(r, 0, l.length - 1), int(r, 1, 5));
      return l.join('\n');
    },
  ],
  [
    'duplicate-lines',
    10,
    (t, r) => {
      const l = t.split('\n');
      const a = int(r, 0, l.length - 1);
      const b = Math.min(l.length, a + int(r, 1, 8));
      l.splice(b, 0, ...l.slice(a, b));
      return l.join('\n');
    },
  ],
  [
    'random-bytes',
    10,
    (t, r) => {
      const at = int(r, 0, t.length);
      let s = '';
      for (let i = int(r, 1, 20); i > 0; i--) s += pick(r, [...BYTES]);
      return t.slice(0, at) + s + t.slice(at);
    },
  ],
  [
    'unbalanced-brackets',
    10,
    (t, r) => {
      const at = int(r, 0, t.length);
      return r() < 0.5 ? t.slice(0, at) + pick(r, ['(', '[', '{', ')', ']', '}', '((', ']]]']) + t.slice(at) : t.replace(pick(r, ['(', ')', '[', ']', '{', '}']), '');
    },
  ],
  ['huge-literal', 2, (t, r) => t.replace(/operations = \[/, `operations = [\n        migrations.RunSQL("${'x'.repeat(int(r, 10_000, 1_000_000))}"),`)],
  [
    'deep-nesting',
    3,
    (t, r) => {
      const d = int(r, 50, 3000);
      const open = pick(r, ['f(', '[', '{', '(']);
      const close = { 'f(': ')', '[': ']', '{': '}', '(': ')' }[open]!;
      return t.replace(/operations = \[/, `operations = [\n        ${open.repeat(d)}1${close.repeat(r() < 0.8 ? d : d - 1)},`);
    },
  ],
  [
    'crlf-and-tabs',
    5,
    (t, r) => {
      let s = r() < 0.7 ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, '\r');
      if (r() < 0.6) s = s.replace(/ {4}/g, '\t');
      if (r() < 0.3) s = s.replace(/\t/, '    ');
      return s;
    },
  ],
  [
    'swap-slices',
    8,
    (t, r) => {
      const a = int(r, 0, t.length);
      const b = int(r, a, Math.min(t.length, a + 200));
      const c = int(r, 0, t.length);
      return c < a ? t.slice(0, c) + t.slice(a, b) + t.slice(c, a) + t.slice(b) : t.slice(0, a) + t.slice(b, c) + t.slice(a, b) + t.slice(c);
    },
  ],
  [
    'splice-other-file',
    8,
    (t, r, base) => {
      const o = pick(r, base).text;
      const a = int(r, 0, o.length);
      const at = int(r, 0, t.length);
      return t.slice(0, at) + o.slice(a, a + int(r, 1, 400)) + t.slice(at);
    },
  ],
  ['hostile-names', 8, (t, r) => t.replace(/(["'])([A-Za-z_][\w]*)\1/g, (m, q, name) => (r() < 0.3 ? `${q}${name}${pick(r, HOSTILE).replace(q, `\\${q}`)}${q}` : m))],
  [
    'non-utf8-text',
    4,
    (t, r) => {
      const at = int(r, 0, t.length);
      return t.slice(0, at) + pick(r, ['\ufffd\ufffd', '\ud800', '\udc00x', '\u0000\u0001', 'Ã©Ã']) + t.slice(at);
    },
  ],
  ['empty-or-whitespace', 1, (_t, r) => pick(r, ['', '\n', '   ', '\t\r\n', '\u00a0'])],
];
const TOTAL = MUTATORS.reduce((n, [, w]) => n + w, 0);

/** Case `index` of run `seed`. Every 500th case is multi-file; every 20,000th a 5 MB file. */
export function makeCase(seed: number, index: number, base: { rel: string; text: string }[]): FuzzCase {
  const r = rng(seed * 1_000_003 + index);
  const target = base[index % base.length];
  if (index % 20_000 === 19_999) {
    const text = target.text.replace(/operations = \[/, 'operations = [\n' + '        migrations.RunSQL("SELECT 1", "SELECT 2"),\n'.repeat(110_000));
    return { index, kind: 'five-megabytes', files: { [target.rel]: text } };
  }
  if (index % 500 === 250) {
    // A cycle: the app's first migration depends on its last.
    const app = target.rel.split(/[\\/]/)[0];
    const mine = base.filter((b) => b.rel.startsWith(app + path.sep) || b.rel.startsWith(app + '/'));
    const first = mine[0];
    const last = mine[mine.length - 1];
    const name = path.basename(last.rel, '.py');
    return { index, kind: 'dependency-cycle', files: { [first.rel]: first.text.replace(/dependencies = \[/, `dependencies = [\n        ("${app}", "${name}"),`) } };
  }
  if (index % 500 === 499) {
    const app = target.rel.split(/[\\/]/)[0];
    const n = int(r, 100, 3000);
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      files[path.join(app, 'migrations', `9${String(i).padStart(4, '0')}_leaf.py`)] =
        `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("${app}", "0001_initial")]\n    operations = []\n`;
    }
    return { index, kind: 'thousands-of-leaves', files };
  }
  let w = r() * TOTAL;
  let chosen = MUTATORS[0];
  for (const m of MUTATORS) {
    w -= m[1];
    if (w < 0) {
      chosen = m;
      break;
    }
  }
  let text = target.text;
  // One to three mutations stacked.
  const kinds: string[] = [];
  for (let i = int(r, 1, 3); i > 0; i--) {
    text = chosen[2](text, r, base);
    kinds.push(chosen[0]);
    chosen = MUTATORS[Math.floor(r() * MUTATORS.length)];
  }
  return { index, kind: kinds.join('+'), files: { [target.rel]: text } };
}
