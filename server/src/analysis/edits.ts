// Small helpers that fixes share: finding the end of an argument list, indentation, line text.
import { lineStarts } from './literal-args';
import type { MigrationFile, Operation, Range, Position } from './model';

export function lineText(text: string, line: number): string {
  let start = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return '';
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? undefined : end).replace(/\r$/, '');
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export function offsetAt(text: string, pos: Position): number {
  // The rules of one file ask for many offsets in its text: its line starts are kept until the next text.
  if (text !== lines.text) lines = { text, starts: undefined };
  if (pos.line === 0) return Math.min(pos.character, text.length);
  lines.starts ??= lineStarts(text);
  const start = lines.starts[pos.line];
  return start === undefined ? text.length : Math.min(start + pos.character, text.length);
}
let lines: { text: string; starts: number[] | undefined } = { text: '', starts: undefined };

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let last = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i + 1;
  }
  return { line, character: offset - last };
}

const point = (p: Position): Range => ({ start: p, end: p });

/**
 * An edit that adds `name=value` as the last keyword argument of an operation call, keeping the
 * call's layout: one argument per line (with a trailing comma) or all on one line.
 */
export function appendKeywordArgument(text: string, op: Operation, name: string, value: string): { range: Range; newText: string } | undefined {
  const values = [...op.args, ...Object.values(op.kwargs)];
  if (!values.length) return undefined;
  const lastEnd = values
    .map((v) => v.range.end)
    .sort((a, b) => a.line - b.line || a.character - b.character)
    .pop()!;
  const callEnd = offsetAt(text, op.range.end);
  const from = offsetAt(text, lastEnd);
  const between = text.slice(from, callEnd - 1); // up to the closing parenthesis
  const multiline = between.includes('\n');
  if (multiline && /^\s*,/.test(between)) {
    const comma = from + between.indexOf(',') + 1;
    const indent = indentOf(lineText(text, lastEnd.line));
    return { range: point(positionAt(text, comma)), newText: `\n${indent}${name}=${value},` };
  }
  return { range: point(lastEnd), newText: `, ${name}=${value}` };
}

/**
 * An edit that deletes an operation from its list: its whole lines when it stands alone on them,
 * with the trailing comma.
 */
export function removeOperation(text: string, op: Operation): { range: Range; newText: string } {
  let start = offsetAt(text, op.range.start);
  let end = offsetAt(text, op.range.end);
  const after = /^[ \t]*,?/.exec(text.slice(end))![0];
  end += after.length;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (/^[ \t]*$/.test(text.slice(lineStart, start))) {
    const rest = /^[ \t]*(#[^\n]*)?\r?\n/.exec(text.slice(end));
    if (rest) {
      start = lineStart;
      end += rest[0].length;
    }
  }
  return { range: { start: positionAt(text, start), end: positionAt(text, end) }, newText: '' };
}

/**
 * The edits that let a migration use django.contrib.postgres operations (`names`) outside a
 * transaction: their import below `from django.db import ...`, and `atomic = False` at the top of
 * the Migration class when it sets no `atomic`. Undefined when the module imports from
 * django.contrib.postgres.operations already but not every name (the user's import is not rewritten).
 */
export function postgresOperationsEdits(file: MigrationFile, text: string, names: readonly string[]): Array<{ range: Range; newText: string }> | undefined {
  const edits: Array<{ range: Range; newText: string }> = [];
  const lines = text.split('\n');
  if (!/from django\.contrib\.postgres\.operations import/.test(text)) {
    const at = { line: lines.findIndex((l) => /^from django\.db import /.test(l)) + 1, character: 0 };
    edits.push({ range: { start: at, end: at }, newText: `from django.contrib.postgres.operations import ${names.join(', ')}\n` });
  } else if (!names.every((n) => new RegExp(`\\b${n}\\b`).test(text.slice(0, offsetAt(text, file.classRange.start))))) return undefined;
  if (file.atomic === undefined) {
    const classLine = file.classRange.start.line;
    const indent = /^(\s+)\S/.exec(lines.slice(classLine + 1).find((l) => l.trim()) ?? '')?.[1] ?? '    ';
    const at = { line: classLine + 1, character: 0 };
    edits.push({ range: { start: at, end: at }, newText: `${indent}atomic = False\n` });
  }
  return edits;
}
