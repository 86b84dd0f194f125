// Argument lists read from their text (literal-args.ts) give the very values the syntax tree gives:
// each migration of the repository's projects, and argument lists written to probe the edges, are
// read both ways and compared; what the text reader does not know is left to the tree.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParser, parse } from '../../server/src/analysis/parser';
import { extractMigration } from '../../server/src/analysis/extract';
import { lineStarts, literalArguments } from '../../server/src/analysis/literal-args';
import { exampleMigrations } from '../helpers/project';

/** The file read both ways, as JSON (operations point to their parent: left out). */
function bothWays(text: string, name = '0002_m') {
  const tree = parse(text);
  try {
    const read = (treeOnly: boolean) =>
      JSON.parse(JSON.stringify(extractMigration(tree, text, `/p/app/migrations/${name}.py`, 'app', name, undefined, { treeOnly }), (k, v) => (k === 'parent' ? undefined : v)));
    return { tree: read(true), text: read(false) };
  } finally {
    tree.delete();
  }
}

const migrationWith = (ops: string[], classBody = '') =>
  `from django.db import migrations, models\nimport django.db.models.deletion\n\nCOMMON = models.CharField(max_length=5)\n\nclass Migration(migrations.Migration):\n${classBody}    dependencies = [("app", "0001_initial")]\n\n    operations = [\n${ops.map((o) => `        ${o},\n`).join('')}    ]\n`;

/** Whether the text reader reads an operation's argument list itself (true) or leaves it to the tree. */
function readsItself(args: string): boolean {
  const text = `migrations.AddField${args}`;
  const start = text.indexOf('(');
  return !!literalArguments(text, start, text.length, lineStarts(text), () => undefined, 0);
}

describe('argument lists read from their text', () => {
  before(async () => {
    await initParser();
  });

  it('reads every migration of the example and fixture projects as the syntax tree does', () => {
    const files = exampleMigrations();
    assert.ok(files.length >= 20, `${files.length} files`);
    for (const f of files) {
      const { tree, text } = bothWays(fs.readFileSync(f, 'utf8'), path.basename(f, '.py'));
      assert.deepStrictEqual(text, tree, f);
    }
  });

  const EDGES = [
    // Strings: prefixes, quotes, escapes, side by side across lines with a comment between.
    `migrations.RunSQL(r"SELECT '\\d'", b'x', u"é", '''a\n"b"''', "tab\\tend", sql="a" "b"\n            # between\n            'c')`,
    // Numbers, signs and constants.
    'migrations.AddField("m", "n", models.DecimalField(max_digits=1_000, decimal_places=2, default=-1.5, validators=[x(0x1F, 0o7, 0b1, 1e-3, .5, 2.)], null=True, blank=False, db_default=None))',
    // Containers: tuples, a parenthesized value, a set, dicts with opaque keys, trailing commas.
    'migrations.AlterModelOptions(name="m", options={"ordering": ("a", "-b",), "verbose_name": ("x"), "permissions": [("p", "P")], "x": {1, 2}, "empty": {}, "t": ()},)',
    // Names: dotted with blanks, a class-body value, a module value, a bare name; calls nested.
    'migrations.AddField(model_name="m", name="f", field=models . ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="app.other", related_name=NAME))',
    'migrations.AddField("m", "g", COMMON)',
    'migrations.AddField("m", "h", OPTION)',
    // Comments and line breaks everywhere, a unicode name, an opaque value in parentheses.
    'migrations.AddField(  # why\n            "m",  # model\n            "ñame",\n            models.CharField(\n                max_length=10,  # room\n                help_text=("long"\n                    "text"),\n            ),\n        )',
  ];

  it('reads edge cases of literals, containers, names and comments as the syntax tree does', () => {
    const text = migrationWith(EDGES, '    OPTION = [("a", 1)]\n    NAME = "n"\n');
    const { tree, text: fromText } = bothWays(text);
    assert.strictEqual(tree.operations.length, EDGES.length);
    assert.deepStrictEqual(fromText, tree);
    // The text reader read them all itself: none of these is left to the tree.
    for (const e of EDGES) assert.ok(readsItself(e.slice(e.indexOf('('))), e);
  });

  it('leaves to the tree what it does not read the same way, and the values are still the same', () => {
    const others = [
      'migrations.AddField("m", "f", models.IntegerField(default=1 + 2))',
      'migrations.AddField("m", "f", models.CharField(default=f"{x}"))',
      'migrations.AddField("m", "f", models.CharField(default=CHOICES[0]))',
      'migrations.AddField("m", "f", *ARGS)',
      'migrations.AddField("m", "f", models.JSONField(default=lambda: {}))',
      'migrations.AddField("m", "f", models.IntegerField(choices=[(i, i) for i in range(3)]))',
      'migrations.AddField("m", "f", models.IntegerField(default=-x))',
      'migrations.AddField("m", "f", models.IntegerField(default=get()()))',
      'migrations.AddField("m", "f", models.IntegerField(default=1j))',
      'migrations.AddField("m", "f", models.IntegerField(default=x if y else z))',
    ];
    for (const o of others) assert.ok(!readsItself(o.slice(o.indexOf('('))), o);
    const { tree, text } = bothWays(migrationWith(others, '    ARGS = ["x"]\n'));
    assert.strictEqual(tree.operations.length, others.length);
    assert.deepStrictEqual(text, tree);
  });

  it('reads nothing from the text of a file with syntax errors: the tree decides', () => {
    const { tree, text } = bothWays(migrationWith(['migrations.AddField("m", "f", models.IntegerField(default=1))', 'migrations.AddField("m", "g" models.IntegerField())']));
    assert.ok(tree.syntaxErrors.length > 0);
    assert.deepStrictEqual(text, tree);
  });
});
