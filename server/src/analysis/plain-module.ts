// Reads a migration module from its text when it is what makemigrations writes: imports, an
// optional docstring, names bound at module level to a literal (a logger, a SQL text), data
// functions at module level (parsed together, apart from the rest), and one `class Migration` whose
// body assigns literal lists (`dependencies`, `replaces`, `run_before`, `operations` of plain calls)
// and `initial` / `atomic`. Nine migration files in ten are only that; reading them so skips most
// of the parse, which is most of a cold scan. Anything else (another class, an `if`, a name bound
// to an expression or after the class, a decorator, a syntax error) returns undefined and the whole
// file is parsed: the model is the one extractMigration gives (test/unit/plain-module.test.ts and
// test/corpus/compare-readers.mjs compare both).
import type { DependencyRef, MigrationFile, ModelImport, Operation, PyValue } from './model';
import { bail, Bail, Extent, IDENT, KEYWORDS, lineStarts, Reader, STRING_START } from './literal-args';
import { modelImportsFrom, modelImportsOf, newMigrationFile, operationOrigin, readFunction, withGuardPhase } from './extract';
import { parse } from './parser';

const NO_NAMES = (): undefined => undefined;
const NO_LOCAL_OPS = { localOps: new Map() } as const;
const DOTTED = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*(?:\.[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)*/uy;
/** A word that starts a statement this reader does not take, or names no variable. */
const isKeyword = (w: string): boolean => KEYWORDS.has(w) || w === 'True' || w === 'False' || w === 'None';

/** The model of a plain migration module, or undefined: parse it. */
export function readPlainModule(text: string, filePath: string, app: string, name: string): MigrationFile | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new PlainReader(text).module(filePath, app, name);
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

class PlainReader {
  private readonly r: Reader;
  private readonly t: string;
  constructor(text: string) {
    this.t = text;
    this.lines = lineStarts(text);
    this.r = new Reader(text, 0, this.lines, (name, depth) => this.resolve(name, depth));
  }

  private readonly lines: number[];
  /** Names bound at module level (`NAME = <literal>`), to their value's offset; `value`: read as it (a call, list, tuple or dict). */
  private readonly names = new Map<string, { start: number; value: boolean }>();

  module(filePath: string, app: string, name: string): MigrationFile {
    const m = newMigrationFile(this.t, filePath, app, name, [], []);
    let seenClass = false;
    for (;;) {
      const indent = this.nextStatement();
      if (indent === undefined) break;
      if (indent !== '') bail();
      const start = this.r.pos;
      const word = this.word();
      if (word === 'import') this.importStatement(start, m.modelImports);
      else if (word === 'from') this.fromStatement(start, m.modelImports);
      else if (word === 'def') this.functionDef(start);
      else if (word === 'class') {
        if (seenClass) bail();
        seenClass = true;
        this.migrationClass(m);
        continue; // the class body ends at the next statement of the module
      } else if (word === undefined && this.docstring()) this.endOfStatement();
      else if (word !== undefined && !isKeyword(word) && word !== 'Migration' && !seenClass) this.assignment(word);
      else bail();
    }
    if (!seenClass) bail();
    this.readFunctions(m);
    m.hasMigrationClass = true;
    return withGuardPhase(m, this.t);
  }

  /** Skips blank and comment lines; the indentation of the next statement (the reader at its first character), or undefined at the end. */
  private nextStatement(): string | undefined {
    const t = this.t;
    for (;;) {
      const lineStart = this.r.pos;
      let i = lineStart;
      while (t[i] === ' ' || t[i] === '\t') i++;
      const c = t[i];
      if (i >= t.length) return undefined;
      if (c === '\n' || c === '\r' || c === '#') {
        const nl = t.indexOf('\n', i);
        if (nl === -1) return undefined;
        this.r.pos = nl + 1;
        continue;
      }
      if (c === '\\' || c === '\f') bail();
      this.r.pos = i;
      return t.slice(lineStart, i);
    }
  }

  /** The keyword or name at the reader, the reader after it; undefined (reader unmoved) when there is none. */
  private word(): string | undefined {
    IDENT.lastIndex = this.r.pos;
    const m = IDENT.exec(this.t)?.[0];
    if (!m) return undefined;
    this.r.pos += m.length;
    return m;
  }

  /** Spaces and tabs only: a statement does not go on to the next line outside brackets. */
  private blanks(): void {
    const t = this.t;
    while (t[this.r.pos] === ' ' || t[this.r.pos] === '\t') this.r.pos++;
  }

  /**
   * `name = <literal>` at module level (a logger, a SQL text, a mapping): its value must be read as
   * a literal to the end of the statement. As the syntax tree's reading does, a name bound to a call,
   * list, tuple or dict is read as that value where an operation's argument names it; others stay
   * names. Only before the class: the tree's reading would see a later binding too.
   */
  private assignment(name: string): void {
    const t = this.t;
    this.blanks();
    if (t[this.r.pos] !== '=' || t[this.r.pos + 1] === '=') bail();
    this.r.pos++;
    this.blanks();
    const start = this.r.pos;
    const eol = this.logicalLineEnd(start);
    const e = new Reader(t, start, this.lines, NO_NAMES).primary(0);
    // The literal reader goes on over line breaks (adjacent strings, a call's parentheses); a statement does not.
    if (e.end > eol) bail();
    this.r.pos = e.end;
    this.endOfStatement();
    const v = e.value;
    // A parenthesized value is another kind of node to the tree: it stays a name.
    const whole = this.offset(v.range.start) === start && this.offset(v.range.end) === e.end;
    this.names.set(name, { start, value: whole && (v.kind === 'call' || v.kind === 'list' || v.kind === 'tuple' || v.kind === 'dict') });
  }

  private resolve(name: string, depth: number): PyValue | undefined {
    const bound = this.names.get(name);
    return bound?.value ? new Reader(this.t, bound.start, this.lines, (n, d) => this.resolve(n, d)).primary(depth).value : undefined;
  }

  /** Where the logical line from `start` ends: its first line break outside brackets and strings. */
  private logicalLineEnd(start: number): number {
    return this.lineBreak(start, () => true);
  }

  /** After a statement: blanks, an optional comment, then the end of the line or of the text. */
  private endOfStatement(): void {
    this.blanks();
    const t = this.t;
    let i = this.r.pos;
    if (t[i] === '#') i = t.indexOf('\n', i) === -1 ? t.length : t.indexOf('\n', i);
    if (t[i] === '\r' && t[i + 1] === '\n') i++;
    if (i < t.length && t[i] !== '\n') bail();
    this.r.pos = Math.min(i + 1, t.length);
  }

  /** A lone string literal (a docstring): true, reader after it. */
  private docstring(): boolean {
    STRING_START.lastIndex = this.r.pos;
    const m = STRING_START.exec(this.t);
    if (!m || /[bB]/.test(m[1])) return false;
    this.r.pos = this.stringEnd(this.r.pos + m[1].length);
    return true;
  }

  /** A dotted module or import name without blanks inside; the reader after it. */
  private dotted(): string {
    DOTTED.lastIndex = this.r.pos;
    const m = DOTTED.exec(this.t)?.[0];
    if (!m || isKeyword(m)) bail();
    this.r.pos += m!.length;
    return m!;
  }

  /** `name` or `name as alias`, for both import forms; the reader after it. */
  private importName(dotted: boolean): { name: string; local: string } {
    const name = dotted ? this.dotted() : this.identifier();
    const save = this.r.pos;
    this.blanks();
    if (this.t.startsWith('as', this.r.pos) && /[ \t]/.test(this.t[this.r.pos + 2] ?? '')) {
      this.r.pos += 2;
      this.blanks();
      return { name, local: this.identifier() };
    }
    this.r.pos = save;
    return { name, local: name };
  }

  private identifier(): string {
    const w = this.word();
    if (w === undefined || isKeyword(w)) bail();
    return w!;
  }

  private importStatement(start: number, out: ModelImport[]): void {
    const names: Array<{ name: string; local: string }> = [];
    let end: number;
    for (;;) {
      this.blanks();
      names.push(this.importName(true));
      end = this.r.pos;
      this.blanks();
      if (this.t[this.r.pos] !== ',') break;
      this.r.pos++;
    }
    if (names.some((n) => n.local === 'Migration')) bail();
    modelImportsOf(names, this.r.range(start, end), undefined, out);
    this.endOfStatement();
  }

  private fromStatement(start: number, out: ModelImport[]): void {
    const t = this.t;
    this.blanks();
    let mod = '';
    while (t[this.r.pos] === '.') mod += t[this.r.pos++];
    if (t[this.r.pos] !== ' ' && t[this.r.pos] !== '\t') mod += this.dotted();
    if (!mod) bail();
    this.blanks();
    if (this.word() !== 'import') bail();
    this.blanks();
    const names: Array<{ name: string; local: string }> = [];
    if (t[this.r.pos] === '*') {
      this.r.pos++;
    } else if (t[this.r.pos] === '(') {
      // Inside parentheses the names may span lines and carry comments.
      this.r.pos++;
      for (;;) {
        this.r.skip();
        if (t[this.r.pos] === ')') break;
        names.push(this.importName(false));
        this.r.skip();
        if (t[this.r.pos] === ',') this.r.pos++;
        else if (t[this.r.pos] !== ')') bail();
      }
      if (!names.length) bail();
      this.r.pos++;
    } else {
      for (;;) {
        this.blanks();
        names.push(this.importName(false));
        const end = this.r.pos;
        this.blanks();
        if (t[this.r.pos] !== ',') {
          this.r.pos = end;
          break;
        }
        this.r.pos++;
      }
    }
    if (names.some((n) => n.local === 'Migration')) bail();
    // `from __future__ import ...` is a statement of its own kind, never a model import.
    if (mod !== '__future__') modelImportsFrom(mod, names, t.slice(start, this.r.pos).includes('*'), this.r.range(start, this.r.pos), undefined, out);
    this.endOfStatement();
  }

  /** The module-level functions (RunPython data functions), from `def` to the next statement of the module. */
  private readonly functions: Array<{ start: number; end: number }> = [];

  private functionDef(start: number): void {
    const end = this.blockEnd(start);
    this.functions.push({ start, end });
    this.r.pos = end;
  }

  /**
   * The data functions, parsed together in one text that holds each at its own lines (the lines
   * between them left blank), so that their ranges and text are the ones a parse of the whole file
   * gives. A syntax error in one: the whole file is parsed.
   */
  private readFunctions(m: MigrationFile): void {
    if (!this.functions.length) return;
    let text = '';
    let line = 0;
    for (const { start, end } of this.functions) {
      const at = this.r.position(start).line;
      text += '\n'.repeat(at - line) + this.t.slice(start, end);
      line = this.r.position(end).line;
    }
    const tree = parse(text);
    try {
      const root = tree.rootNode;
      if (root.hasError) bail();
      const defs = root.namedChildren.filter((n) => n?.type !== 'comment');
      if (defs.length !== this.functions.length || defs.some((d) => d?.type !== 'function_definition')) bail();
      const imports = m.modelImports.length;
      for (const d of defs) readFunction(d!, m.functions, m.modelImports);
      // In the order of the file, as the whole parse gives them: the module's imports and the functions' by position.
      if (m.modelImports.length > imports) m.modelImports.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    } finally {
      tree.delete();
    }
  }

  /**
   * Where the block of the statement at `start` ends: the start of the next line at column 0 that
   * holds code, outside brackets and strings (blank and comment lines do not end it).
   */
  private blockEnd(start: number): number {
    const t = this.t;
    const end = this.lineBreak(start, (i) => {
      const next = t.charCodeAt(i + 1);
      return i + 1 < t.length && next !== 32 && next !== 9 && next !== 10 && next !== 13 && next !== 35;
    });
    return end === t.length ? end : end + 1;
  }

  /** The first line break from `start` outside brackets and strings that `ends` accepts; the end of the text if none. */
  private lineBreak(start: number, ends: (at: number) => boolean): number {
    const t = this.t;
    let depth = 0;
    for (let i = start; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 35) {
        const nl = t.indexOf('\n', i);
        if (nl === -1) break;
        i = nl - 1;
      } else if (c === 34 || c === 39) {
        i = this.stringEnd(i) - 1;
      } else if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        if (--depth < 0) bail();
      } else if (c === 92) i++;
      else if (c === 10 && depth === 0 && ends(i)) return i;
    }
    if (depth) bail();
    return t.length;
  }

  /** The end of the string literal whose quote is at `at` (its prefix letters, if any, are before it). */
  private stringEnd(at: number): number {
    const t = this.t;
    const q = t[at];
    const triple = t[at + 1] === q && t[at + 2] === q;
    let i = at + (triple ? 3 : 1);
    for (;;) {
      if (i >= t.length) bail();
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === q && (!triple || (t[i + 1] === q && t[i + 2] === q))) return i + (triple ? 3 : 1);
      else if (c === '\n' && !triple) bail();
      else i++;
    }
  }

  /** `class Migration(...):` and its body, up to the next statement of the module. */
  private migrationClass(m: MigrationFile): void {
    const t = this.t;
    this.blanks();
    const nameStart = this.r.pos;
    if (this.word() !== 'Migration') bail();
    m.classRange = this.r.range(nameStart, this.r.pos);
    this.blanks();
    if (t[this.r.pos] === '(') {
      this.r.pos++;
      for (;;) {
        this.r.skip();
        if (t[this.r.pos] === ')') break;
        this.dotted();
        this.r.skip();
        if (t[this.r.pos] === ',') this.r.pos++;
        else if (t[this.r.pos] !== ')') bail();
      }
      this.r.pos++;
      this.blanks();
    }
    if (t[this.r.pos] !== ':') bail();
    this.r.pos++;
    this.endOfStatement();
    let body: string | undefined;
    for (;;) {
      const lineStart = this.r.pos;
      const indent = this.nextStatement();
      if (indent === undefined || indent === '') {
        if (body === undefined) bail(); // a class without a body
        this.r.pos = lineStart;
        return;
      }
      if (body === undefined) body = indent;
      else if (indent !== body) bail();
      const start = this.r.pos;
      this.classStatement(m);
      this.continuationLines(start, body.length);
    }
  }

  /**
   * A line of the statement indented less than the class body: Python takes it inside brackets,
   * the parser (its indentation scanner) takes some for an error. The parser's reading decides.
   */
  private continuationLines(start: number, indent: number): void {
    const t = this.t;
    for (let nl = t.indexOf('\n', start); nl !== -1 && nl + 1 < this.r.pos; nl = t.indexOf('\n', nl + 1)) {
      let i = nl + 1;
      while (i - nl - 1 < indent && (t[i] === ' ' || t[i] === '\t')) i++;
      if (i - nl - 1 < indent && t[i] !== '\n' && t[i] !== '\r' && t[i] !== '#' && i < this.r.pos) bail();
    }
  }

  private classStatement(m: MigrationFile): void {
    const t = this.t;
    const key = this.word();
    if (key === undefined) {
      if (!this.docstring()) bail();
      this.endOfStatement();
      return;
    }
    if (key === 'pass') {
      this.endOfStatement();
      return;
    }
    if (isKeyword(key)) bail();
    this.blanks();
    if (t[this.r.pos] !== '=' || t[this.r.pos + 1] === '=') bail();
    this.r.pos++;
    this.blanks();
    if (key === 'initial' || key === 'atomic') {
      const v = this.word();
      if (v !== 'True' && v !== 'False') bail();
      m[key] = v === 'True';
    } else if (key === 'operations') m.operations = this.items().map((e) => this.operation(e));
    else if (key === 'dependencies' || key === 'replaces' || key === 'run_before') {
      const refs = this.items().map((e) => this.dependency(e));
      if (key === 'dependencies') m.dependencies = refs;
      else if (key === 'replaces') m.replaces = refs;
      else m.runBefore = refs;
    } else bail(); // a name other rules may look up, a deploy-phase marker: the tree reads them
    this.endOfStatement();
  }

  /** A list or tuple display, item by item with their extents (a parenthesized single value is not one). */
  private items(): Extent[] {
    const t = this.t;
    const open = t[this.r.pos];
    const close = open === '[' ? ']' : open === '(' ? ')' : bail();
    this.r.pos++;
    const out: Extent[] = [];
    let comma = false;
    for (;;) {
      this.r.skip();
      if (t[this.r.pos] === close) break;
      if (t[this.r.pos] === '*') bail();
      out.push(this.r.expression(1));
      comma = t[this.r.pos] === ',';
      if (comma) this.r.pos++;
      else if (t[this.r.pos] !== close) bail();
    }
    if (open === '(' && out.length === 1 && !comma) bail();
    this.r.pos++;
    return out;
  }

  /** The offset of a position (the reader gives positions from offsets). */
  private offset(p: { line: number; character: number }): number {
    return this.r.lines[p.line] + p.character;
  }

  private dependency(e: Extent): DependencyRef {
    const v = e.value;
    // A parenthesized item is not a tuple to the tree, nor is a parenthesized string a string.
    if (this.offset(v.range.start) !== e.start) bail();
    if (v.kind === 'tuple' || v.kind === 'list') {
      const t = this.t;
      for (const [i, item] of v.items.entries()) {
        let k = this.offset(item.range.start) - 1;
        while (/\s/.test(t[k])) k--;
        if (i === 0 ? k !== e.start : t[k] !== ',') bail();
      }
    }
    if ((v.kind === 'tuple' || v.kind === 'list') && v.items.length === 2 && v.items[0].kind === 'str' && v.items[1].kind === 'str') {
      return { app: v.items[0].value, name: v.items[1].value, range: v.range };
    }
    if (v.kind === 'call' && v.callee.endsWith('swappable_dependency') && v.args.length === 1 && Object.keys(v.kwargs).length === 0 && v.args[0].kind === 'name') {
      const setting = v.args[0].name;
      return { app: undefined, name: '__first__', swappable: setting.slice(setting.lastIndexOf('.') + 1), range: v.range };
    }
    return bail();
  }

  private operation(e: Extent): Operation {
    if (this.offset(e.value.range.start) !== e.start) bail();
    return this.call(e.value, 0);
  }

  /** An operation from its call; the operations it nests (SeparateDatabaseAndState, RunSQL's state_operations) too. */
  private call(v: PyValue, depth: number): Operation {
    // A call written as it reads: the callee's text is its name (no blanks or comments inside it).
    const at = this.offset(v.range.start);
    if (v.kind !== 'call' || depth > 8 || !this.t.startsWith(`${v.callee}(`, at)) return bail();
    const kind = v.callee.slice(v.callee.lastIndexOf('.') + 1);
    const origin = operationOrigin(v.callee, kind, NO_LOCAL_OPS);
    const op: Operation = {
      kind,
      callee: v.callee,
      args: v.args,
      kwargs: v.kwargs,
      range: v.range,
      nameRange: this.r.range(at, at + v.callee.length),
      conditional: false,
      origin,
    };
    const nested = (index: number, keyword: string) => {
      const list = v.kwargs[keyword] ?? v.args[index];
      return list && this.nested(list, op, depth);
    };
    if (origin === 'django' && kind === 'SeparateDatabaseAndState') {
      op.databaseOperations = nested(0, 'database_operations') ?? [];
      op.stateOperations = nested(1, 'state_operations') ?? [];
    } else if (origin === 'django' && kind === 'RunSQL') {
      const st = nested(3, 'state_operations');
      if (st) op.stateOperations = st;
    }
    return op;
  }

  /** A literal list of operation calls inside an operation, each item a call as written (not parenthesized). */
  private nested(list: PyValue, parent: Operation, depth: number): Operation[] {
    if (list.kind !== 'list' && list.kind !== 'tuple') return bail();
    const t = this.t;
    const open = this.offset(list.range.start);
    if (t[open] !== '[' && t[open] !== '(') bail();
    return list.items.map((item, i) => {
      let k = this.offset(item.range.start) - 1;
      while (/\s/.test(t[k])) k--;
      if (i === 0 ? k !== open : t[k] !== ',') bail();
      const op = this.call(item, depth + 1);
      op.parent = parent;
      return op;
    });
  }
}
