// `# migration-lens: ignore ML401, ML402` on an operation's line (or the line above it);
// `# migration-lens: ignore-file [codes]` anywhere in the file. No codes means every rule.
const PATTERN = /#\s*migration-lens:\s*(ignore-file|ignore)\b([^\n#]*)/g;
const CODE = /\bML\d{3}\b/gi;

export interface Suppressions {
  lines: Map<number, Set<string>>;
  file: Set<string>;
}

export function readSuppressions(text: string): Suppressions {
  const lines = new Map<number, Set<string>>();
  const file = new Set<string>();
  if (!text.includes('migration-lens')) return { lines, file };
  PATTERN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PATTERN.exec(text))) {
    const codes = (m[2].match(CODE) ?? []).map((c) => c.toUpperCase());
    const set = codes.length ? codes : ['*'];
    if (m[1] === 'ignore-file') {
      for (const c of set) file.add(c);
      continue;
    }
    const line = lineAt(text, m.index);
    // A comment alone on its line applies to the next line; a trailing comment to its own line.
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    const alone = text.slice(lineStart, m.index).trim() === '';
    const target = alone ? line + 1 : line;
    const s = lines.get(target) ?? new Set<string>();
    for (const c of set) s.add(c);
    lines.set(target, s);
  }
  return { lines, file };
}

function lineAt(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Whether `code` is suppressed for a finding whose range starts on `line`. */
export function isSuppressed(s: { suppressions: Map<number, Set<string>>; fileSuppressions: Set<string> }, code: string, line: number): boolean {
  if (s.fileSuppressions.has('*') || s.fileSuppressions.has(code)) return true;
  const set = s.suppressions.get(line);
  return !!set && (set.has('*') || set.has(code));
}
