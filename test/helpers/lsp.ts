// Spawns the bundled language server over stdio and talks to it with a real JSON-RPC client.
import * as cp from 'child_process';
import * as path from 'path';
import { createProtocolConnection, ProtocolConnection, PublishDiagnosticsParams, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { REPO } from './project';

export interface ServerHandle {
  connection: ProtocolConnection;
  process: cp.ChildProcess;
  /** Latest diagnostics per URI. */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  /** Resolves when `predicate` holds for the diagnostics received so far (checked on each publish). */
  waitFor(predicate: (d: Map<string, PublishDiagnosticsParams>) => boolean, what: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startServer(settings: Record<string, unknown> = {}, serverJs = path.join(REPO, 'dist', 'server.js')): ServerHandle {
  const proc = cp.spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const waiters: Array<() => void> = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p);
    for (const w of [...waiters]) w();
  });
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => settings));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  return {
    connection,
    process: proc,
    diagnostics,
    waitFor(predicate, what, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(diagnostics)) {
            waiters.splice(waiters.indexOf(check), 1);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${what}; stderr: ${stderr}`));
        }, ms);
        waiters.push(check);
        check();
      });
    },
    async stop() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } finally {
        connection.dispose();
        proc.kill();
      }
    },
  };
}

/** The initialize handshake for one workspace folder, as a client with configuration support sends it. */
export async function initializeFolder(
  server: ServerHandle,
  root: string,
  initializationOptions?: Record<string, unknown>,
  capabilities: Record<string, unknown> = { workspace: { configuration: true } },
): Promise<void> {
  const rootUri = URI.file(root).toString();
  await server.connection.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'p' }], capabilities, initializationOptions });
  await server.connection.sendNotification('initialized', {});
}
