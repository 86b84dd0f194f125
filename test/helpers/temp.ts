// Temporary folders for tests, removed when the process exits (tests need not clean up after each).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made = new Set<string>();

/** A new temporary folder, removed when the process exits. */
export function tempDir(prefix = 'ml-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!made.size) process.once('exit', () => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  made.add(dir);
  return dir;
}
