// What a manage.py run means for the user: Django's output and exceptions turned into a message
// that says what happened and what to do next, with the actions the UI can offer.
import { ManageResult } from './runner';

export type OutcomeKind =
  | 'ok'
  | 'killed'
  | 'nothing-to-apply'
  | 'models-changed'
  | 'missing-migrations'
  | 'conflict'
  | 'inconsistent-history'
  | 'lock-timeout'
  | 'not-null'
  | 'unique'
  | 'already-exists'
  | 'column-missing'
  | 'irreversible'
  | 'connection'
  | 'auth'
  | 'unknown-database'
  | 'not-found'
  | 'django-missing'
  | 'settings'
  | 'cancelled'
  | 'spawn'
  | 'failed';

export type OutcomeAction = 'retry' | 'merge' | 'makemigrations' | 'configure-database' | 'set-password' | 'select-interpreter' | 'show-log' | 'refresh';

export interface Outcome {
  ok: boolean;
  kind: OutcomeKind;
  /** One sentence for a notification. */
  message: string;
  /** Django's own last line (the exception), when there is one. */
  cause?: string;
  actions: OutcomeAction[];
  /** Apps named by the failure (the conflicting apps, the apps with model changes). */
  apps?: string[];
}

const EXCEPTION_LINE = /^(?:[\w.]+\.)?([A-Z]\w*(?:Error|Exception|History)|CommandError|IrreversibleError|InconsistentMigrationHistory): (.*)$/;

/** The last exception line Django printed (tracebacks end with it). */
export function lastException(text: string): { type: string; message: string } | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = EXCEPTION_LINE.exec(lines[i].trim());
    if (m) return { type: m[1], message: m[2] };
  }
  return undefined;
}

export function classify(r: ManageResult): Outcome {
  const out = `${r.stdout}\n${r.stderr}`;
  const exc = lastException(r.stderr) ?? lastException(r.stdout);
  const cause = exc ? `${exc.type}: ${exc.message}` : undefined;
  const make = (kind: OutcomeKind, message: string, actions: OutcomeAction[] = ['show-log'], apps?: string[]): Outcome => ({
    ok: kind === 'ok' || kind === 'nothing-to-apply',
    kind,
    message,
    cause,
    actions,
    apps,
  });

  if (r.spawnError) return make('spawn', `Python could not be started (${r.spawnError}). Pick the interpreter that has Django.`, ['select-interpreter']);
  if (r.cancelled) {
    return make(
      'cancelled',
      'Cancelled. On PostgreSQL and SQLite the migration that was running was rolled back; MySQL/MariaDB cannot roll back DDL, so it may be half applied. The tree shows what the database now records.',
      ['refresh', 'show-log'],
    );
  }

  if (r.signal && r.code === null) {
    return make(
      'killed',
      `manage.py ${r.args[0]} was stopped from outside (${r.signal}) before it finished. On PostgreSQL and SQLite the migration that was running was rolled back; MySQL/MariaDB cannot roll back DDL, so it may be half applied. The tree shows what the database now records.`,
      ['refresh', 'show-log'],
    );
  }

  if (r.code === 0) {
    const changed = /Your models in app\(s\): (.*?) have changes that are not yet reflected/.exec(out);
    if (changed) {
      const apps = [...changed[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
      return {
        ...make('models-changed', `No migrations to apply, but the models of ${apps.join(', ')} have changes without a migration: run makemigrations, then migrate.`, ['makemigrations']),
        ok: true,
        apps,
      };
    }
    if (/No migrations to apply\./.test(out)) return make('nothing-to-apply', 'No migrations to apply: the database is up to date.', []);
    return make('ok', 'Done.', []);
  }

  if (r.args[0] === 'makemigrations' && r.args.includes('--check') && r.code === 1 && !exc) {
    const apps = [...out.matchAll(/^Migrations for '([^']+)':/gm)].map((m) => m[1]);
    return make('missing-migrations', `Models have changes without a migration${apps.length ? ` in ${apps.join(', ')}` : ''}: run makemigrations.`, ['makemigrations'], apps);
  }
  if (r.args[0] === 'makemigrations' && r.code === 3) {
    return make(
      'failed',
      'makemigrations needs an answer it cannot ask for without a prompt: a new NOT NULL field needs a default. Add default= (or null=True) to the field, or run makemigrations in a terminal.',
      ['show-log'],
    );
  }

  const conflict = /Conflicting migrations detected; multiple leaf nodes in the migration graph: \((.*)\)/.exec(out);
  if (conflict) {
    const apps = [...conflict[1].matchAll(/ in (\w+)(?:;|$)/g)].map((m) => m[1]);
    return make('conflict', `Conflicting migrations (${conflict[1]}): two branches of one app both end in a leaf. Create a merge migration, then migrate.`, ['merge', 'show-log'], apps);
  }
  if (/InconsistentMigrationHistory/.test(out)) {
    const m = /InconsistentMigrationHistory: (.*)/.exec(out);
    return make(
      'inconsistent-history',
      `${m?.[1] ?? 'The migration history is inconsistent'}. The database records a migration as applied before one it depends on (a file was replaced, or the database came from another branch). Repair the history first — for example record the dependency with migrate --fake if its tables already exist — then migrate.`,
    );
  }
  if (/IrreversibleError/.test(out)) {
    const m = /IrreversibleError: Operation (.*?) in (\S+) is not reversible/.exec(out);
    return make(
      'irreversible',
      `${m ? `${m[2]} cannot be rolled back (${m[1].slice(0, 80)} has no reverse)` : 'An operation on the backward path is not reversible'}. Django had already unapplied the migrations after it. Give the operation a reverse (reverse_code=RunPython.noop when nothing needs undoing), then roll back again.`,
      ['refresh', 'show-log'],
    );
  }
  if (/canceling statement due to lock timeout|LockNotAvailable|Lock wait timeout exceeded/i.test(out)) {
    const mysql = /Lock wait timeout exceeded/i.test(out);
    return make(
      'lock-timeout',
      mysql
        ? `The migration gave up waiting for a lock another session holds (${cause ?? 'lock wait timeout'}). MySQL/MariaDB cannot roll back DDL: the migration may be half applied; the tree shows what the database now records.`
        : `The migration gave up waiting for a lock another session holds (lock_timeout): nothing was changed, PostgreSQL rolled the migration back. Retry when the table is quiet, or find the session that holds it in pg_stat_activity.`,
      ['retry', 'show-log'],
    );
  }
  if (/NOT NULL constraint failed|contains null values|Data truncated for column|cannot be null|violates not-null constraint/i.test(out)) {
    return make(
      'not-null',
      `The database refused NOT NULL: existing rows hold NULL (${cause ?? 'see the log'}). Fill them first in a data migration (RunPython or RunSQL UPDATE) before the AlterField, or give the field a default.`,
    );
  }
  if (/UNIQUE constraint failed|could not create unique index|Duplicate entry|duplicate key value/i.test(out)) {
    return make(
      'unique',
      `The database refused a unique constraint: duplicate values exist (${cause ?? 'see the log'}). Remove or merge the duplicates in a data migration before adding the constraint.`,
    );
  }
  if (/already exists|Duplicate column name|Table '.*' already exists/i.test(out) && exc) {
    return make(
      'already-exists',
      `${cause}. The schema already has what this migration creates, but the history does not record it. If the database matches the migration exactly, "Fake apply" records it without running it — only then: faking a migration that does not match leaves the history and the schema disagreeing silently.`,
    );
  }
  if (/column .* does not exist|no such column|Unknown column|Can't DROP .*check that (?:it|column)|no such table|relation ".*" does not exist|Table '.*' doesn't exist/i.test(out)) {
    return make(
      'column-missing',
      `${cause ?? 'A table or column is missing'}. The history says a migration ran that the schema does not reflect (it was faked, or edited after it ran). Compare the table with the migration before going on.`,
    );
  }
  if (/password authentication failed|Access denied for user/i.test(out)) {
    return make('auth', `Django could not log in to the database: ${cause ?? 'wrong user or password'}.`, ['set-password', 'configure-database']);
  }
  if (/database ".*" does not exist|Unknown database/i.test(out)) {
    return make('unknown-database', `The database does not exist: ${cause}. Create it (CREATE DATABASE) or fix the name.`, ['configure-database']);
  }
  if (
    /Connection refused|Can't connect to|could not connect to server|connection to server at|could not translate host name|Lost connection to|server has gone away|unable to open database file|\((?:2002|2003|2005|2006|2013),/i.test(
      out,
    )
  ) {
    return make('connection', `Django could not reach the database: ${cause ?? 'connection failed'}.`, ['configure-database']);
  }
  if (/Cannot find a migration matching|More than one migration matches|does not have migrations|No installed app with label/.test(out)) {
    return make('not-found', cause?.replace(/^CommandError: /, '') ?? 'Unknown app or migration.');
  }
  if (/No module named '?django'?|ModuleNotFoundError: No module named 'django'|Couldn't import Django/.test(out)) {
    return make('django-missing', `Django cannot be imported by this interpreter. Pick the interpreter of the project's environment.`, ['select-interpreter']);
  }
  if (/ImproperlyConfigured|DJANGO_SETTINGS_MODULE|ModuleNotFoundError|ImportError/.test(out)) {
    return make('settings', `Django did not start: ${cause ?? 'the settings could not be loaded'}.`);
  }
  return make('failed', `manage.py ${r.args[0]} failed${r.code !== null ? ` (exit ${r.code})` : r.signal ? ` (${r.signal})` : ''}: ${cause ?? 'see the log'}.`);
}
