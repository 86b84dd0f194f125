// The typed messages between the client and the server live in the shared project (shared/src).
export * from '../../shared/src/protocol';
