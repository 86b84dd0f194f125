// Values the engine, the CLI and the client share without the LSP message types (the CLI does not load them).

/**
 * Marks the release of a file first shipped in the repository's oldest version tag when that tag
 * reads as a first release (0.x, 1.0): `first:0.1.0` in `releases`. No release ran before it, unless the project
 * squashed older migrations into it (the workspace checks; then the release is unknown).
 */
export const FIRST_RELEASE = 'first:';

/** Client command behind the ML501 quick fix: `makemigrations --merge` for `{ projectRoot, app }`. */
export const MERGE_COMMAND = 'migrationLens.makeMigrationsMerge';
