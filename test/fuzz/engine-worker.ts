// Worker thread of the long fuzz run: runs cases [from, to) and reports each, so that the main
// thread can tell a hang (no report in time) from slow progress.
import { parentPort, workerData } from 'worker_threads';
import { EngineFuzzer } from './engine';

const { seed, from, to } = workerData as { seed: number; from: number; to: number };
void (async () => {
  const fuzzer = new EngineFuzzer();
  await fuzzer.start();
  for (let i = from; i < to; i++) {
    parentPort!.postMessage({ type: 'start', index: i });
    const r = fuzzer.run(fuzzer.case(seed, i));
    parentPort!.postMessage({ type: 'done', ...r });
  }
  fuzzer.dispose();
  parentPort!.postMessage({ type: 'end' });
})();
