// Reads an operation's argument list from its text when it holds only what makemigrations writes:
// string, number and constant literals, names, calls and containers. The values are the same
// PyValues the syntax tree gives (test/unit/literal-args.test.ts compares both on real files), without
// a call into the parser for every node. Anything else (an operator, a subscript, a splat, an
// f-string, a comprehension, a comment inside a dotted name) returns undefined: the tree is read.
import type { PyValue, Position, Range } from './model';
import { pyStringLiteral } from './pystring';

/** What a bare name refers to, read through the tree; undefined: the name itself. */
export type NameResolver = (name: string, depth: number) => PyValue | undefined;

/** Keyword arguments no rule reads: their values are not walked (the syntax tree's reading skips them too). */
export const OPAQUE_KWARGS = new Set(['choices', 'help_text', 'verbose_name', 'verbose_name_plural', 'validators', 'error_messages', 'permissions', 'default_permissions']);
/** Python's keywords but the constants (`True`, `False`, `None`), which are values. */
export const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'if',
  'else',
  'for',
  'in',
  'is',
  'lambda',
  'await',
  'yield',
  'async',
  'del',
  'from',
  'import',
  'return',
  'with',
  'as',
  'while',
  'def',
  'class',
  'global',
  'nonlocal',
  'pass',
  'raise',
  'try',
  'except',
  'finally',
  'assert',
  'break',
  'continue',
  'elif',
]);
const MAX_DEPTH = 48;
/** An identifier (sticky: set lastIndex first). */
export const IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER = /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)(?![\w.])/y;
/** A string literal's prefix and opening quote (sticky: set lastIndex first). */
export const STRING_START = /([rRbBuU]{0,2})('''|"""|'|")/y;

export class Bail extends Error {}
export const bail = (): never => {
  throw new Bail();
};

/** Line starts of a text, for offsets -> positions (rows by `\n`, columns in UTF-16 units, as the parser counts). */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

export interface Extent {
  value: PyValue;
  /** The expression's own extent (parentheses included), for ranges that take it whole. */
  start: number;
  end: number;
}

/** A reader of literal Python expressions over a text, from an offset. */
export class Reader {
  pos: number;
  constructor(
    readonly text: string,
    start: number,
    readonly lines: number[],
    readonly resolve: NameResolver,
  ) {
    this.pos = start;
  }

  /** The line of the last position asked: values are read in order, so the next one is near. */
  private line = 0;

  position(offset: number): Position {
    const lines = this.lines;
    let l = this.line;
    if (lines[l] <= offset && (l + 1 === lines.length || lines[l + 1] > offset)) return { line: l, character: offset - lines[l] };
    while (l + 1 < lines.length && lines[l + 1] <= offset && l - this.line < 8) l++;
    if (lines[l] <= offset && (l + 1 === lines.length || lines[l + 1] > offset)) {
      this.line = l;
      return { line: l, character: offset - lines[l] };
    }
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.line = lo;
    return { line: lo, character: offset - this.lines[lo] };
  }

  /** The identifier at `at` (ASCII read by hand, the rest by the Unicode pattern); undefined if none. */
  ident(at: number): string | undefined {
    const t = this.text;
    let i = at;
    for (;;) {
      const c = t.charCodeAt(i);
      const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (i > at && c >= 48 && c <= 57);
      if (word) i++;
      else if (c >= 128) {
        IDENT.lastIndex = at;
        return IDENT.exec(t)?.[0];
      } else return i > at ? t.slice(at, i) : undefined;
    }
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Skips blanks, line continuations and comments; true when a comment was skipped. */
  skip(): boolean {
    const t = this.text;
    let comment = false;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) this.pos++;
      else if (c === 92 && (t[this.pos + 1] === '\n' || (t[this.pos + 1] === '\r' && t[this.pos + 2] === '\n'))) this.pos += t[this.pos + 1] === '\n' ? 2 : 3;
      else if (c === 35) {
        comment = true;
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl === -1 ? t.length : nl;
      } else return comment;
    }
  }

  /** `(` already read: the arguments up to and including `)`. */
  arguments(depth: number): { args: PyValue[]; kwargs: Record<string, PyValue> } {
    const args: PyValue[] = [];
    const kwargs: Record<string, PyValue> = Object.create(null);
    for (;;) {
      this.skip();
      if (this.text[this.pos] === ')') {
        this.pos++;
        return { args, kwargs };
      }
      if (this.text[this.pos] === '*') bail();
      const key = this.keyword();
      if (key !== undefined) {
        const v = this.expression(depth + 1);
        kwargs[key] = OPAQUE_KWARGS.has(key) ? { kind: 'unknown', text: '', range: this.range(v.start, v.end) } : v.value;
      } else args.push(this.expression(depth + 1).value);
      this.skip();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== ')') bail();
    }
  }

  /** `name =` (not `==`): the keyword, with the reader after `=`; else undefined and the reader where it was. */
  private keyword(): string | undefined {
    const at = this.pos;
    const m = this.ident(at);
    if (m === undefined) return undefined;
    this.pos = at + m.length;
    this.skip();
    if (this.text[this.pos] === '=' && this.text[this.pos + 1] !== '=') {
      this.pos++;
      return m;
    }
    this.pos = at;
    return undefined;
  }

  /** One expression, which must end where a container or argument list goes on. */
  expression(depth: number): Extent {
    if (depth > MAX_DEPTH) bail();
    const e = this.primary(depth);
    this.skip();
    const c = this.text[this.pos];
    if (c !== ',' && c !== ')' && c !== ']' && c !== '}' && c !== ':') bail();
    return e;
  }

  primary(depth: number): Extent {
    this.skip();
    const t = this.text;
    const start = this.pos;
    const c = t[start];
    if (c === '[') {
      this.pos++;
      const items = this.items(']', depth);
      return { value: { kind: 'list', items, range: this.range(start, this.pos) }, start, end: this.pos };
    }
    if (c === '(') {
      this.pos++;
      this.skip();
      if (t[this.pos] === ')') {
        this.pos++;
        return { value: { kind: 'tuple', items: [], range: this.range(start, this.pos) }, start, end: this.pos };
      }
      const first = this.expression(depth + 1);
      if (t[this.pos] === ')') {
        // A parenthesized expression is its inner value (and range); its extent keeps the parentheses.
        this.pos++;
        return { value: first.value, start, end: this.pos };
      }
      if (t[this.pos] !== ',') bail();
      this.pos++;
      const items = [first.value, ...this.items(')', depth)];
      return { value: { kind: 'tuple', items, range: this.range(start, this.pos) }, start, end: this.pos };
    }
    if (c === '{') return this.braces(start, depth);
    if (c === '-' || c === '+') {
      this.pos++;
      if (this.skip()) bail();
      NUMBER.lastIndex = this.pos;
      const m = NUMBER.exec(t);
      if (!m) bail();
      this.pos += m![0].length;
      const text = t.slice(start, this.pos).replace(/\s+/g, '');
      return { value: { kind: 'num', value: Number(text.replace(/_/g, '')), text, range: this.range(start, this.pos) }, start, end: this.pos };
    }
    if ((c >= '0' && c <= '9') || (c === '.' && t[start + 1] >= '0' && t[start + 1] <= '9')) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(t);
      if (!m) bail();
      this.pos += m![0].length;
      const text = m![0];
      return { value: { kind: 'num', value: Number(text.replace(/_/g, '')), text, range: this.range(start, this.pos) }, start, end: this.pos };
    }
    STRING_START.lastIndex = start;
    if (STRING_START.test(t)) return this.strings(start);
    const id = this.ident(start);
    if (id === undefined) bail();
    return this.named(start, id!, depth);
  }

  /** A name, a dotted name, a constant, or a call of a (dotted) name. */
  private named(start: number, first: string, depth: number): Extent {
    const t = this.text;
    this.pos = start + first.length;
    if (first === 'True' || first === 'False') return { value: { kind: 'bool', value: first === 'True', range: this.range(start, this.pos) }, start, end: this.pos };
    if (first === 'None') return { value: { kind: 'none', range: this.range(start, this.pos) }, start, end: this.pos };
    if (KEYWORDS.has(first)) bail();
    let end = this.pos;
    let dotted = false;
    for (;;) {
      if (this.skip()) bail();
      if (t[this.pos] !== '.') break;
      this.pos++;
      if (this.skip()) bail();
      const m = this.ident(this.pos);
      if (m === undefined) bail();
      this.pos += m!.length;
      end = this.pos;
      dotted = true;
    }
    const raw = t.slice(start, end);
    const name = dotted && /\s/.test(raw) ? raw.replace(/\s+/g, '') : raw;
    if (t[this.pos] === '(') {
      this.pos++;
      const { args, kwargs } = this.arguments(depth);
      const after = this.pos;
      this.skip();
      const next = t[this.pos];
      if (next === '(' || next === '.' || next === '[') bail();
      this.pos = after;
      return { value: { kind: 'call', callee: name, args, kwargs, range: this.range(start, after) }, start, end: after };
    }
    if (t[this.pos] === '[') bail();
    this.pos = end;
    // A bare name bound in the class body or the module to a call, list or dict is read as that value.
    const target = dotted ? undefined : this.resolve(name, depth + 1);
    return { value: target ?? { kind: 'name', name, range: this.range(start, end) }, start, end };
  }

  /** String literals side by side, decoded and joined; f-strings and what cannot be decoded bail. */
  private strings(start: number): Extent {
    const t = this.text;
    let value = '';
    let end = start;
    for (;;) {
      // The prefix and the quote; most literals have no prefix, read without the pattern's match array.
      let prefix = '';
      let quote: string;
      const c0 = t.charCodeAt(this.pos);
      if (c0 === 34 || c0 === 39) {
        quote = t.charCodeAt(this.pos + 1) === c0 && t.charCodeAt(this.pos + 2) === c0 ? t.slice(this.pos, this.pos + 3) : t[this.pos];
      } else {
        STRING_START.lastIndex = this.pos;
        const m = STRING_START.exec(t);
        if (!m) break;
        [, prefix, quote] = m;
      }
      const q = quote.charCodeAt(0);
      const single = quote.length === 1;
      const body = this.pos + prefix.length + quote.length;
      let i = body;
      let escapes = false;
      for (;;) {
        if (i >= t.length) bail();
        const ch = t.charCodeAt(i);
        if (ch === 92) {
          escapes = true;
          i += 2;
        } else if (ch === q && (single || t.startsWith(quote, i))) {
          i += quote.length;
          break;
        } else if (ch === 10 && single) bail();
        else i++;
      }
      // Without an escape (or raw) the value is the text between the quotes, as pyStringLiteral gives it.
      const v = !escapes || /[rR]/.test(prefix) ? t.slice(body, i - quote.length) : pyStringLiteral(t.slice(this.pos, i));
      if (v === undefined) bail();
      value += v;
      end = this.pos = i;
      const after = this.pos;
      this.skip();
      const c = t.charCodeAt(this.pos);
      // Another literal right after (implicit concatenation) starts with a quote or a prefix letter.
      const another = c === 34 || c === 39 || ((c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85) && ((STRING_START.lastIndex = this.pos), STRING_START.test(t)));
      if (!another) {
        this.pos = after;
        break;
      }
    }
    this.pos = end;
    return { value: { kind: 'str', value, range: this.range(start, end) }, start, end };
  }

  /** `{`: a dict (`{}` included) or a set, which reads as a list. */
  private braces(start: number, depth: number): Extent {
    const t = this.text;
    this.pos++;
    this.skip();
    if (t[this.pos] === '}') {
      this.pos++;
      return { value: { kind: 'dict', entries: [], range: this.range(start, this.pos) }, start, end: this.pos };
    }
    if (t[this.pos] === '*') bail();
    const first = this.expression(depth + 1);
    if (t[this.pos] !== ':') {
      const items = [first.value];
      if (t[this.pos] === ',') {
        this.pos++;
        items.push(...this.items('}', depth));
      } else this.pos++;
      return { value: { kind: 'list', items, range: this.range(start, this.pos) }, start, end: this.pos };
    }
    const entries: Array<[PyValue, PyValue]> = [];
    let key = first.value;
    for (;;) {
      this.pos++; // the `:`
      const v = this.expression(depth + 1);
      if (t[this.pos] === ':') bail();
      entries.push([key, key.kind === 'str' && OPAQUE_KWARGS.has(key.value) ? { kind: 'unknown', text: '', range: this.range(v.start, v.end) } : v.value]);
      if (t[this.pos] === ',') {
        this.pos++;
        this.skip();
      }
      if (t[this.pos] === '}') {
        this.pos++;
        return { value: { kind: 'dict', entries, range: this.range(start, this.pos) }, start, end: this.pos };
      }
      if (t[this.pos] === '*') bail();
      key = this.expression(depth + 1).value;
      if (t[this.pos] !== ':') bail();
    }
  }

  /** Items up to `close` (read too), with an optional trailing comma. */
  private items(close: string, depth: number): PyValue[] {
    const out: PyValue[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      if (this.text[this.pos] === '*') bail();
      out.push(this.expression(depth + 1).value);
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) bail();
    }
  }
}

/**
 * The arguments of a call whose argument list spans `[start, end)` of `text` (from its `(`), or
 * undefined when the list holds something only the syntax tree reads the same way.
 */
export function literalArguments(text: string, start: number, end: number, lines: number[], resolve: NameResolver, depth: number): { args: PyValue[]; kwargs: Record<string, PyValue> } | undefined {
  if (text[start] !== '(') return undefined;
  const r = new Reader(text, start + 1, lines, resolve);
  try {
    const out = r.arguments(depth);
    return r.pos === end ? out : undefined;
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
