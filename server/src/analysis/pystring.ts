// Python string literals decoded from their source text. Reading them through the syntax tree
// costs a node per part, and migration files are mostly string literals.

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

/** The value of one literal (`"x"`, `r'\d'`, `"""..."""`); undefined for f-strings with fields. */
export function pyStringLiteral(src: string): string | undefined {
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  const quote = m[2];
  if (src.length < m[0].length + quote.length || !src.endsWith(quote)) return undefined;
  let body = src.slice(m[0].length, src.length - quote.length);
  if (prefix.includes('f')) {
    if (/[{}]/.test(body.replace(/\{\{|\}\}/g, ''))) return undefined;
    body = body.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }
  if (prefix.includes('r') || !body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n in ESCAPES) {
      out += ESCAPES[n];
      i++;
    } else if (n === '\r' && body[i + 2] === '\n') {
      i += 2;
    } else if (n >= '0' && n <= '7') {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(oct, 8));
      i += oct.length;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      const cp = hex.length === len && /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(cp) || cp > 0x10ffff) out += c;
      else {
        out += String.fromCodePoint(cp);
        i += 1 + len;
      }
    } else if (n === 'N') {
      return undefined; // \N{NAME} needs the Unicode name table
    } else {
      out += c; // an unknown escape keeps its backslash, as in Python
    }
  }
  return out;
}
