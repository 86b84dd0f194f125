// The long fuzz run: `npm run fuzz -- [--cases 100000] [--lsp 20000] [--seed 1]`.
// Engine cases run in a worker thread watched for hangs (no answer within 10 s: the case is
// recorded, the worker replaced); LSP cases go to one server process, checked alive every 200
// cases, with its RSS sampled. Prints the figures; exits 1 on any crash or hang.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { LspFuzzer } from './lsp';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CASES = arg('cases', 100_000);
const LSP_CASES = arg('lsp', 20_000);
const SEED = arg('seed', 1);
const HANG_MS = 10_000;

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function engine(): Promise<{ times: number[]; crashes: string[]; hangs: string[]; kinds: Map<string, number> }> {
  const times: number[] = [];
  const crashes: string[] = [];
  const hangs: string[] = [];
  const kinds = new Map<string, number>();
  let next = 0;
  const started = Date.now();
  while (next < CASES) {
    await new Promise<void>((resolve) => {
      const worker = new Worker(path.join(__dirname, 'engine-worker.js'), { workerData: { seed: SEED, from: next, to: CASES } });
      let current = next;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          hangs.push(`case ${current} (seed ${SEED}): no answer in ${HANG_MS} ms`);
          next = current + 1;
          void worker.terminate();
        }, HANG_MS);
      };
      arm();
      worker.on('message', (m: { type: string; index: number; kind: string; ms: number; crash?: string }) => {
        if (m.type === 'start') {
          current = m.index;
          arm();
        } else if (m.type === 'done') {
          times.push(m.ms);
          const k = m.kind.split('+')[0];
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
          if (m.crash) crashes.push(`case ${m.index} (seed ${SEED}, ${m.kind}): ${m.crash.slice(0, 500)}`);
          next = m.index + 1;
          if (next % 10_000 === 0) console.log(`  engine: ${next} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${crashes.length} crashes, ${hangs.length} hangs`);
        } else if (m.type === 'end') {
          next = CASES;
        }
      });
      worker.on('error', (err) => {
        crashes.push(`case ${current} (seed ${SEED}): worker died: ${err.stack ?? err}`);
        next = current + 1;
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return { times, crashes, hangs, kinds };
}

async function lsp(): Promise<{ cases: number; crashes: string[]; hangs: string[]; rss: number[]; ms: number }> {
  const f = new LspFuzzer();
  await f.start();
  const crashes: string[] = [];
  const hangs: string[] = [];
  const rss: number[] = [];
  const started = Date.now();
  let i = 0;
  for (; i < LSP_CASES; i++) {
    await f.send(f.case(SEED + 1, i));
    if (i % 200 === 199) {
      if (!(await f.alive())) {
        (f.exited ? crashes : hangs).push(`cases ${i - 199}..${i} (seed ${SEED + 1}): ${f.exited ?? 'no answer in 20 s'}`);
        break;
      }
      if (i % 1000 === 999) rss.push(f.rss());
    }
  }
  crashes.push(...f.logged.map((l) => `server logged: ${l.slice(0, 300)}`));
  await f.stop();
  return { cases: i, crashes, hangs, rss, ms: Date.now() - started };
}

void (async () => {
  console.log(`fuzz: ${CASES} engine cases and ${LSP_CASES} LSP cases, seed ${SEED}`);
  const e = await engine();
  const sorted = [...e.times].sort((a, b) => a - b);
  console.log(`engine: ${e.times.length} cases, ${e.crashes.length} crashes, ${e.hangs.length} hangs`);
  console.log(`  analysis per case: p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
  console.log(
    `  by first mutation: ${[...e.kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  const l = await lsp();
  console.log(`lsp: ${l.cases} cases in ${(l.ms / 1000).toFixed(0)} s, ${l.crashes.length} crashes, ${l.hangs.length} hangs`);
  if (l.rss.length) {
    const third = Math.max(1, Math.floor(l.rss.length / 3));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`  server RSS every 1,000 cases (MB): ${l.rss.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  median of the first third ${median(l.rss.slice(0, third)).toFixed(0)} MB, of the last third ${median(l.rss.slice(-third)).toFixed(0)} MB, max ${Math.max(...l.rss).toFixed(0)} MB`);
  }
  for (const x of [...e.crashes, ...e.hangs, ...l.crashes, ...l.hangs].slice(0, 20)) console.log(`  ${x}`);
  process.exit(e.crashes.length + e.hangs.length + l.crashes.length + l.hangs.length ? 1 : 0);
})();
