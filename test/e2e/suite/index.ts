// Runs inside the extension host: mocha over the suite the scenario names.
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const suite = process.env.MIGRATION_LENS_UI_SUITE ?? 'trusted';
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec', grep: process.env.MIGRATION_LENS_UI_GREP || undefined });
  mocha.addFile(path.join(__dirname, `${suite}.test.js`));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} UI test${failures > 1 ? 's' : ''} failed`)) : resolve()));
  });
}
