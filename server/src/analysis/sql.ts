// The SQL of RunSQL, read statement by statement: what each statement does to the rows and columns
// that exist. Two real grammars read it, and no regular expression does:
//
// - PostgreSQL's own parser first (libpg-query: the server's grammar compiled to WebAssembly, the
//   .wasm shipped inside the npm package). It knows every PostgreSQL statement, so the body of a
//   function, trigger function or DO block (`$$ ... $$`), a string literal and a comment are never
//   taken for statements: what a function body does happens when the function is called, not when
//   the migration runs.
// - A statement PostgreSQL rejects (MySQL's `MODIFY`, backquoted names, `#` comments) is tried with
//   node-sql-parser's MySQL grammar, which MariaDB's DDL follows as far as these checks go.
//
// When the whole text does not parse as PostgreSQL, PostgreSQL's scanner splits it at its `;`
// tokens (a `;` inside a string, a dollar quote or a comment is no token) and each statement is
// read on its own. What neither grammar reads is returned as unreadable, with the reason, so that
// the caller reports it: it is never guessed at.
import type * as PgQuery from 'libpg-query';
import type { Node, RangeVar, RawStmt, TypeName, WithClause } from 'libpg-query';
import type * as MySqlParser from 'node-sql-parser/build/mysql';

export type Dialect = 'postgresql' | 'mysql';
export type WriteVerb = 'INSERT' | 'UPDATE' | 'DELETE' | 'COPY' | 'MERGE' | 'REPLACE';

/** What a statement does to existing data. Names are as the database spells them (unquoted). */
export type SqlEffect =
  | { kind: 'drop-table'; table: string }
  /** DROP SCHEMA, or DROP DATABASE (`database`). */
  | { kind: 'drop-schema'; name: string; database?: boolean }
  /** DROP TYPE / DOMAIN / EXTENSION ... CASCADE: the columns of that type are dropped with it. */
  | { kind: 'drop-type'; name: string }
  | { kind: 'truncate'; table: string }
  | { kind: 'delete-all'; table: string }
  | { kind: 'drop-column'; table: string; column: string }
  | {
      kind: 'type-change';
      table: string;
      column: string;
      /** The new type as written (`bigint`, `varchar(10)`), when it could be read. */
      type?: string;
      /** A USING expression converts the values. */
      using: boolean;
      /** The new type holds every value of any column it can replace: see `widens`. */
      widening: boolean;
      /** MySQL MODIFY / CHANGE: the statement restates the whole column definition. */
      restates?: boolean;
      /** MySQL CHANGE: the column's new name. */
      renamedTo?: string;
    }
  | { kind: 'write'; verb: WriteVerb; table?: string }
  /** ALTER COLUMN ... SET DEFAULT: the database fills the column for inserts that omit it. */
  | { kind: 'set-default'; table: string; column: string }
  /** INSERT INTO t SELECT ... FROM a, CREATE TABLE t AS SELECT ... FROM a: a's rows are kept in t. */
  | { kind: 'copy'; from: string[]; to: string }
  /** ALTER TABLE t RENAME COLUMN a TO b. */
  | { kind: 'rename-column'; table: string; from: string; to: string };

export interface SqlStatement {
  /** The statement's source text, trimmed, without the comments before it. */
  text: string;
  /** The grammar that read it; undefined when none could. */
  dialect?: Dialect;
  effects: SqlEffect[];
  /** Why the statement could not be read; set exactly when `dialect` is not. */
  unreadable?: string;
}

/** Above this many characters a SQL string is not read (WebAssembly memory only grows). */
export const MAX_SQL_CHARS = 256 * 1024;
/** The MySQL grammar (a PEG parser) is slow on long input: it gets at most this much. */
const MAX_MYSQL_CHARS = 64 * 1024;
const CACHE_SIZE = 512;

let pg: typeof PgQuery | undefined;
let loading: Promise<void> | undefined;
let loadError: string | undefined;
let mysql: MySqlParser.Parser | undefined;
/** Readings by text (the key is the caller's own string, not a copy), least recently used first. */
const cache = new Map<string, { plain?: readonly SqlStatement[]; params?: readonly SqlStatement[] }>();

/**
 * Loads PostgreSQL's parser (WebAssembly). The analysis calls it once, with tree-sitter's. It never
 * rejects: without the parser every SQL text reads as unreadable, which is reported, and the rest
 * of the analysis goes on.
 */
export function initSql(): Promise<void> {
  loading ??= (async () => {
    try {
      // Required here, not imported: loading the module starts compiling the .wasm.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('libpg-query') as typeof PgQuery;
      await mod.loadModule();
      pg = mod;
    } catch (e) {
      loadError = e instanceof Error ? e.message : String(e);
    }
  })();
  return loading;
}

/**
 * The statements of a SQL text, each with what it does. `params`: the text is run with parameters
 * (RunSQL's `(sql, params)`), so `%s` and `%(name)s` are placeholders and `%%` is a `%`.
 * Results are cached by text: treat them as read-only.
 */
export function readSql(sql: string, opts: { params?: boolean } = {}): readonly SqlStatement[] {
  const which = opts.params ? 'params' : 'plain';
  const entry = cache.get(sql) ?? {};
  cache.delete(sql);
  const statements = entry[which] ?? read(sql, !!opts.params);
  if (!pg) return statements; // not kept: the reader may load later
  entry[which] = statements;
  cache.set(sql, entry);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return statements;
}

/** The effects that destroy data: rows, columns or values that nothing in the database keeps. */
export function losesData(e: SqlEffect): boolean {
  return e.kind === 'type-change' ? !e.widening : e.kind !== 'write' && e.kind !== 'set-default' && e.kind !== 'copy' && e.kind !== 'rename-column';
}

/** The statement writes rows (INSERT, UPDATE, DELETE, COPY ... FROM, MERGE, REPLACE). */
export function writesRows(s: SqlStatement): boolean {
  return s.effects.some((e) => e.kind === 'write');
}

/** A statement shortened to one line for messages. */
export function shortSql(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Source {
  /** UTF-8 bytes of the text as written, and as each grammar is given it (same byte offsets). */
  original: Buffer;
  pg: Buffer;
  mysql: Buffer;
}

function read(sql: string, params: boolean): SqlStatement[] {
  if (!sql.trim()) return [];
  if (!pg) return [unreadable(sql, loadError ? `the SQL reader could not be loaded: ${loadError}` : 'the SQL reader is not loaded')];
  if (sql.length > MAX_SQL_CHARS) {
    return [unreadable(sql, `${Math.round(sql.length / 1024)} KB of SQL is more than is read (${MAX_SQL_CHARS / 1024} KB)`)];
  }
  const src = prepare(sql, params);
  const whole = parsePg(src.pg.toString());
  if (whole.stmts) return whole.stmts.flatMap((raw) => fromPg(raw, src.original, 0, src.original.length));
  const pieces = split(src.pg);
  if (!pieces) {
    // PostgreSQL's scanner gave up (an unterminated string or quote: MySQL's backslash escapes).
    const my = parseMysql(src.mysql.toString());
    if (!my) return [unreadable(sql, whole.error)];
    return my.map((ast) => ({ text: my.length === 1 ? clean(sql) : sqlifyMysql(ast), dialect: 'mysql', effects: mysqlEffects(ast) }));
  }
  const out: SqlStatement[] = [];
  for (const [a, b] of pieces) {
    const one = parsePg(src.pg.subarray(a, b).toString());
    if (one.stmts) {
      out.push(...one.stmts.flatMap((raw) => fromPg(raw, src.original, a, b)));
      continue;
    }
    const text = src.original.subarray(a, b).toString();
    const my = parseMysql(src.mysql.subarray(a, b).toString());
    if (my) out.push(...my.map((ast) => ({ text: clean(text), dialect: 'mysql' as const, effects: mysqlEffects(ast) })));
    else out.push(unreadable(text, one.error));
  }
  return out;
}

/**
 * The text as each grammar is given it, byte for byte as long as the original: NUL ends a C string
 * (PostgreSQL's parser would not see what follows), and with parameters the driver's placeholders
 * become the grammar's own.
 */
function prepare(sql: string, params: boolean): Source {
  const original = Buffer.from(sql, 'utf8');
  let forPg = sql.replace(/\0/g, ' ');
  let forMysql = forPg;
  if (params) {
    const placeholder = (mark: string) => (m: string) => (m === '%%' ? '% ' : mark.padEnd(Buffer.byteLength(m), ' '));
    forPg = forPg.replace(/%(?:\([^)]*\))?s|%%/g, placeholder('$1'));
    forMysql = forMysql.replace(/%(?:\([^)]*\))?s|%%/g, placeholder('?'));
  }
  return { original, pg: Buffer.from(forPg, 'utf8'), mysql: Buffer.from(forMysql, 'utf8') };
}

function parsePg(text: string): { stmts?: RawStmt[]; error: string } {
  try {
    return { stmts: pg!.parseSync(text).stmts ?? [], error: '' };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Words that open a block closed by END inside a compound statement (MySQL's IF ... END IF). */
const BLOCK_OPENERS = new Set(['CASE', 'IF', 'LOOP', 'WHILE', 'REPEAT']);

/**
 * Byte ranges of the statements, split at PostgreSQL's `;` tokens; undefined if it cannot scan.
 * A `;` inside parentheses (a multi-action CREATE RULE) or inside a compound statement's body
 * (PostgreSQL's BEGIN ATOMIC, MySQL's BEGIN ... END of a trigger, procedure or function) does not
 * end a statement: the statements of a body run when it is called, not when the migration runs.
 */
function split(bytes: Buffer): Array<[number, number]> | undefined {
  let tokens: PgQuery.ScanToken[];
  try {
    tokens = pg!.scanSync(bytes.toString()).tokens;
  } catch {
    return undefined;
  }
  const out: Array<[number, number]> = [];
  let start = 0;
  let words = 0;
  let parens = 0;
  let blocks = 0;
  const word = (i: number) => (tokens[i] ? tokens[i].text.toUpperCase() : '');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    if (t.tokenName === 'ASCII_59') {
      if (parens || blocks) continue;
      if (words) out.push([start, t.start]);
      start = t.end;
      words = 0;
      continue;
    }
    const w = t.tokenName === 'SCONST' ? '' : t.text.toUpperCase();
    if (w === '(') parens++;
    else if (w === ')') parens = Math.max(0, parens - 1);
    else if (w === 'BEGIN' && words > 0)
      blocks++; // a transaction's BEGIN is its statement's first word
    else if (blocks && w === 'END') {
      blocks--;
      if (BLOCK_OPENERS.has(word(i + 1))) i++; // END IF, END LOOP, END CASE ...
    } else if (blocks && BLOCK_OPENERS.has(w) && word(i + 1) !== '(' && !(w === 'IF' && /^(NOT|EXISTS)$/.test(word(i + 1)))) {
      blocks++; // not the IF() function, nor IF [NOT] EXISTS
    }
    words++;
  }
  if (words) out.push([start, bytes.length]);
  return out;
}

function parseMysql(text: string): MySqlParser.AST[] | undefined {
  if (text.length > MAX_MYSQL_CHARS) return undefined;
  try {
    // Loaded on the first MySQL statement only (a large grammar).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mysql ??= new (require('node-sql-parser/build/mysql') as typeof MySqlParser).Parser();
    const ast = mysql.astify(text, { database: 'mysql' });
    return Array.isArray(ast) ? ast : [ast];
  } catch {
    return undefined; // a syntax error, or the grammar's recursion on deeply nested input
  }
}

function sqlifyMysql(ast: MySqlParser.AST): string {
  try {
    return mysql!.sqlify(ast, { database: 'mysql' });
  } catch {
    return ast.type.toUpperCase();
  }
}

function unreadable(text: string, why: string): SqlStatement {
  return { text: clean(text), effects: [], unreadable: why.split('\n')[0] || 'syntax error' };
}

/** Leading comments and white space off; the statement as it starts. */
function clean(text: string): string {
  let t = text.trim();
  for (;;) {
    if (t.startsWith('--') || t.startsWith('#')) {
      const nl = t.indexOf('\n');
      t = nl < 0 ? '' : t.slice(nl + 1).trim();
    } else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      t = end < 0 ? '' : t.slice(end + 2).trim();
    } else {
      return t;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** A statement of a parsed piece; offsets are bytes of the piece [base, end). */
function fromPg(raw: RawStmt, original: Buffer, base: number, end: number): SqlStatement[] {
  if (!raw.stmt) return [];
  const from = base + (raw.stmt_location ?? 0);
  const to = raw.stmt_len ? from + raw.stmt_len : end;
  return [{ text: clean(original.subarray(from, to).toString()), dialect: 'postgresql', effects: pgEffects(raw.stmt) }];
}

const relName = (r: RangeVar | undefined): string => (r ? (r.schemaname ? `${r.schemaname}.${r.relname}` : (r.relname ?? '?')) : '?');
const strings = (nodes: Node[] | undefined): string[] => (nodes ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : '')).filter(Boolean);

/** A dropped object's name: a List of name parts, a String, or a TypeName. */
function objectName(n: Node): string {
  if ('List' in n) return strings(n.List.items).join('.');
  if ('String' in n) return n.String.sval ?? '?';
  if ('TypeName' in n) return strings(n.TypeName.names).join('.');
  return '?';
}

/** The tables a SELECT reads: its FROM clause, joins included (and the arms of a UNION). */
function selectSources(sel: PgQuery.SelectStmt): string[] {
  const out: string[] = [];
  const from = (n: Node | undefined): void => {
    if (!n) return;
    if ('RangeVar' in n) out.push(relName(n.RangeVar));
    else if ('JoinExpr' in n) {
      from(n.JoinExpr.larg);
      from(n.JoinExpr.rarg);
    }
  };
  for (const n of sel.fromClause ?? []) from(n);
  if (sel.larg) out.push(...selectSources(sel.larg));
  if (sel.rarg) out.push(...selectSources(sel.rarg));
  return out;
}

function pgEffects(node: Node): SqlEffect[] {
  const out: SqlEffect[] = [];
  if ('DropStmt' in node) {
    const d = node.DropStmt;
    for (const o of d.objects ?? []) {
      if (d.removeType === 'OBJECT_TABLE') out.push({ kind: 'drop-table', table: objectName(o) });
      else if (d.removeType === 'OBJECT_SCHEMA') out.push({ kind: 'drop-schema', name: objectName(o) });
      else if (d.behavior === 'DROP_CASCADE' && (d.removeType === 'OBJECT_TYPE' || d.removeType === 'OBJECT_DOMAIN' || d.removeType === 'OBJECT_EXTENSION')) {
        out.push({ kind: 'drop-type', name: objectName(o) });
      }
      // Views, materialized views, indexes, sequences, functions, triggers, constraints: no rows lost.
    }
  } else if ('CreateTableAsStmt' in node) {
    const c = node.CreateTableAsStmt;
    const from = c.query && 'SelectStmt' in c.query ? selectSources(c.query.SelectStmt) : [];
    if (c.objtype === 'OBJECT_TABLE' && c.into?.rel && from.length) out.push({ kind: 'copy', from, to: relName(c.into.rel) });
  } else if ('RenameStmt' in node) {
    const r = node.RenameStmt;
    if (r.renameType === 'OBJECT_COLUMN' && r.subname && r.newname) out.push({ kind: 'rename-column', table: relName(r.relation), from: r.subname, to: r.newname });
  } else if ('DropdbStmt' in node) {
    out.push({ kind: 'drop-schema', name: node.DropdbStmt.dbname ?? '?', database: true });
  } else if ('TruncateStmt' in node) {
    for (const r of node.TruncateStmt.relations ?? []) if ('RangeVar' in r) out.push({ kind: 'truncate', table: relName(r.RangeVar) });
  } else if ('AlterTableStmt' in node) {
    const a = node.AlterTableStmt;
    if (a.objtype !== 'OBJECT_TABLE') return out; // views, indexes, sequences, foreign tables hold no rows here
    const table = relName(a.relation);
    for (const c of a.cmds ?? []) {
      if (!('AlterTableCmd' in c)) continue;
      const cmd = c.AlterTableCmd;
      if (cmd.subtype === 'AT_DropColumn' && cmd.name) {
        out.push({ kind: 'drop-column', table, column: cmd.name });
      } else if (cmd.subtype === 'AT_ColumnDefault' && cmd.name && cmd.def) {
        out.push({ kind: 'set-default', table, column: cmd.name });
      } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
        const def = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
        const using = !!def?.raw_default;
        const typeName = def?.typeName;
        // To jsonb, from the column's own value: converted, or the statement fails; nothing is lost silently.
        const ownValue = !using || JSON.stringify(def?.raw_default).includes(JSON.stringify(cmd.name));
        const jsonb = !!typeName && strings(typeName.names).pop() === 'jsonb' && !typeName.arrayBounds?.length && ownValue;
        out.push({
          kind: 'type-change',
          table,
          column: cmd.name,
          type: typeName && pgTypeText(typeName),
          using,
          widening: !!typeName && ((!using && pgWidens(typeName)) || jsonb),
        });
      }
    }
  } else {
    dml(node, out);
  }
  return out;
}

/** Row writes, including those of data-modifying WITH queries. */
function dml(node: Node | undefined, out: SqlEffect[]): void {
  if (!node) return;
  const write = (verb: WriteVerb, r: RangeVar | undefined) => out.push({ kind: 'write', verb, table: r && relName(r) });
  let withClause: WithClause | undefined;
  if ('InsertStmt' in node) {
    write('INSERT', node.InsertStmt.relation);
    const sel = node.InsertStmt.selectStmt;
    const from = sel && 'SelectStmt' in sel ? selectSources(sel.SelectStmt) : [];
    if (from.length) out.push({ kind: 'copy', from, to: relName(node.InsertStmt.relation) });
    withClause = node.InsertStmt.withClause;
  } else if ('UpdateStmt' in node) {
    write('UPDATE', node.UpdateStmt.relation);
    withClause = node.UpdateStmt.withClause;
  } else if ('DeleteStmt' in node) {
    const d = node.DeleteStmt;
    write('DELETE', d.relation);
    if (!d.whereClause) out.push({ kind: 'delete-all', table: relName(d.relation) });
    withClause = d.withClause;
  } else if ('MergeStmt' in node) {
    write('MERGE', node.MergeStmt.relation);
    withClause = node.MergeStmt.withClause;
  } else if ('CopyStmt' in node) {
    if (node.CopyStmt.is_from) write('COPY', node.CopyStmt.relation); // COPY ... TO only reads
  } else if ('SelectStmt' in node) {
    withClause = node.SelectStmt.withClause;
  }
  for (const cte of withClause?.ctes ?? []) if ('CommonTableExpr' in cte) dml(cte.CommonTableExpr.ctequery, out);
}

/** PostgreSQL's internal names of the built-in types, as people write them. */
const PG_TYPE_NAMES: Record<string, string> = {
  int8: 'bigint',
  int4: 'integer',
  int2: 'smallint',
  float8: 'double precision',
  float4: 'real',
  bool: 'boolean',
  bpchar: 'char',
  varchar: 'varchar',
};

function pgTypeText(t: TypeName): string {
  const names = strings(t.names);
  const base = names[names.length - 1] ?? '?';
  const shown = names.length > 1 && names[0] !== 'pg_catalog' ? names.join('.') : (PG_TYPE_NAMES[base] ?? base);
  const mods = (t.typmods ?? []).map((m) => ('A_Const' in m ? String(m.A_Const.ival?.ival ?? 0) : '?'));
  return `${shown}${mods.length ? `(${mods.join(',')})` : ''}${t.arrayBounds?.length ? '[]' : ''}`;
}

/**
 * Whether a new PostgreSQL column type widens whatever the column held. The old type is not in the
 * SQL (and a raw table name is not mapped back to a model here), so it counts as unknown, and only
 * targets that take every value of the types they can replace without USING count:
 * - bigint / int8: every integer fits. From numeric or a float PostgreSQL rounds the fraction
 *   (an assignment cast); accepted, because raw SQL changing a column to bigint is in practice the
 *   widening of an integer primary or foreign key, and a USING clause (which conversions need)
 *   keeps the statement a data-loss finding.
 * - text, and varchar / numeric without a length or precision: no limit, every value's text or
 *   number is kept (numeric from a float keeps 15 significant digits).
 * Everything else (integer, smallint, varchar(n), numeric(p,s), timestamps, json, arrays, a USING
 * clause) may narrow or convert, and stays a data-loss finding.
 */
function pgWidens(t: TypeName): boolean {
  if (t.arrayBounds?.length) return false;
  const names = strings(t.names);
  if (names.length > 1 && names[0] !== 'pg_catalog') return false;
  const base = names[names.length - 1];
  if (base === 'int8' || base === 'text') return true;
  return (base === 'varchar' || base === 'numeric') && !t.typmods?.length;
}

// ---------------------------------------------------------------------------------------------
// MySQL / MariaDB (node-sql-parser's AST is loosely typed: read it defensively)

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' ? (v as Loose) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** A table reference `{ db, table }`. */
function myTable(v: unknown): string {
  const t = obj(v);
  if (!t) return typeof v === 'string' ? v : '?';
  const name = typeof t.table === 'string' ? t.table : '?';
  return typeof t.db === 'string' && t.db ? `${t.db}.${name}` : name;
}

/** A column reference: a name, `{ column }`, or `{ expr: { value } }` as versions of the grammar write it. */
function myColumn(v: unknown, depth = 0): string | undefined {
  if (typeof v === 'string') return v;
  const o = obj(v);
  if (!o || depth > 4) return undefined;
  return myColumn(o.column, depth + 1) ?? myColumn(o.expr, depth + 1) ?? (typeof o.value === 'string' ? o.value : undefined);
}

function mysqlEffects(ast: MySqlParser.AST): SqlEffect[] {
  const a = ast as unknown as Loose;
  const out: SqlEffect[] = [];
  const tables = arr(a.table).map(myTable);
  switch (a.type) {
    case 'drop': {
      const keyword = String(a.keyword ?? '').toLowerCase();
      if (keyword === 'table') for (const n of arr(a.name)) out.push({ kind: 'drop-table', table: myTable(n) });
      else if (keyword === 'database' || keyword === 'schema') {
        out.push({ kind: 'drop-schema', name: typeof a.name === 'string' ? a.name : myTable(arr(a.name)[0]), database: keyword === 'database' });
      }
      break;
    }
    case 'truncate':
      for (const n of arr(a.name)) out.push({ kind: 'truncate', table: myTable(n) });
      break;
    case 'delete': {
      const table = myTable(arr(a.from)[0] ?? arr(a.table)[0]);
      out.push({ kind: 'write', verb: 'DELETE', table });
      if (!a.where) out.push({ kind: 'delete-all', table });
      break;
    }
    case 'insert':
    case 'replace':
    case 'update':
      out.push({ kind: 'write', verb: String(a.type).toUpperCase() as WriteVerb, table: tables[0] });
      break;
    case 'alter': {
      const table = tables[0] ?? '?';
      for (const e of arr(a.expr)) {
        const x = obj(e);
        if (!x || x.resource !== 'column') continue;
        const action = String(x.action ?? '').toLowerCase();
        if (action === 'drop') {
          const column = myColumn(x.column);
          if (column) out.push({ kind: 'drop-column', table, column });
        } else if (action === 'modify' || action === 'change') {
          const column = myColumn(action === 'change' ? x.old_column : x.column);
          if (!column) continue;
          const def = obj(x.definition);
          const renamed = action === 'change' ? myColumn(x.column) : undefined;
          out.push({
            kind: 'type-change',
            table,
            column,
            type: def && mysqlTypeText(def),
            using: false,
            widening: !!def && mysqlWidens(def),
            restates: true,
            renamedTo: renamed && renamed !== column ? renamed : undefined,
          });
        }
      }
      break;
    }
  }
  return out;
}

function mysqlTypeText(def: Loose): string {
  const size = def.length !== undefined && def.length !== null ? `(${def.length}${def.scale !== undefined && def.scale !== null ? `,${def.scale}` : ''})` : '';
  const suffix = arr(def.suffix)
    .filter((s) => typeof s === 'string')
    .join(' ');
  return `${String(def.dataType ?? '?')}${size}${suffix ? ` ${suffix}` : ''}`;
}

/**
 * Whether a new MySQL column type widens whatever the column held (the old type is unknown, as for
 * PostgreSQL): signed BIGINT holds every integer; LONGTEXT every string. Not TEXT (64 KB, less than
 * MEDIUMTEXT), not DECIMAL without precision (that is DECIMAL(10,0)), not UNSIGNED (negative values).
 */
function mysqlWidens(def: Loose): boolean {
  const type = String(def.dataType ?? '').toUpperCase();
  const unsigned = arr(def.suffix).some((s) => typeof s === 'string' && /unsigned/i.test(s));
  return !unsigned && (type === 'BIGINT' || type === 'LONGTEXT');
}
