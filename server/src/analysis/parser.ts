// tree-sitter-python through web-tree-sitter: one Parser for the whole process. Its start also
// loads the reader of RunSQL's SQL, so that everything that analyzes has both.
import * as path from 'path';
import * as fs from 'fs';
import { Parser, Language, type Tree, type Edit } from 'web-tree-sitter';
import { initSql } from './sql';

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Where the two .wasm files are: next to the bundle in dist/, or in node_modules when run from source. */
function locate(file: 'tree-sitter.wasm' | 'tree-sitter-python.wasm'): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-python/tree-sitter-python.wasm');
}

export function initParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    const sql = initSql();
    await Parser.init({ locateFile: () => locate('tree-sitter.wasm') });
    const language = await Language.load(fs.readFileSync(locate('tree-sitter-python.wasm')));
    await sql;
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return p;
  })();
  return loading;
}

/** Parses `text`; with `old` (already edited with `tree.edit`) tree-sitter reuses unchanged subtrees. */
export function parse(text: string, old?: Tree): Tree {
  if (!parser) throw new Error('initParser() must complete before parse()');
  const tree = parser.parse(text, old ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

export type { Tree, Edit };
