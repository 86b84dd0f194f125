// The operations whose impact is measured on the real servers: each a migration of its own on top
// of one base migration, so that every cell starts from the same populated tables.
import { LabProject, labProject } from './django-project';

export interface Cell {
  /** Migration name: `0002_<id>` ... */
  id: string;
  /** What the operation does, as the table in docs/impact.md says it. */
  label: string;
  operations: string[];
  /** The table whose lock, rewrite and waits are observed. */
  table: 'lab_order' | 'lab_customer';
  /** `atomic = False` (the CONCURRENTLY operations). */
  nonAtomic?: boolean;
  /** Only on PostgreSQL (django.contrib.postgres operations, partial unique constraints). */
  postgresOnly?: boolean;
  /** Operations applied (and committed) before the cell's, undone after it: what the cell builds on. */
  setup?: string[];
}

export const BASE = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=100))],
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("title", models.CharField(max_length=50)),
                ("qty", models.IntegerField()),
                ("note", models.TextField(null=True)),
                ("code", models.CharField(max_length=100, null=True)),
            ],
            options={"indexes": [models.Index(fields=["code"], name="lab_order_code_ix")]},
        ),
    ]
`;

const ROWS = 2000;

/** The base tables' rows: every value distinct where a cell adds uniqueness, none NULL where one requires a value. */
export function seedStatements(quote: '"' | '`'): string[] {
  const q = (s: string) => `${quote}${s}${quote}`;
  const values: string[] = [];
  for (let i = 1; i <= ROWS; i++) values.push(`('title ${i}', ${i}, 'note ${i}', 'c${i}')`);
  return [
    `INSERT INTO ${q('lab_customer')} (${q('name')}) VALUES ${Array.from({ length: 200 }, (_, i) => `('customer ${i}')`).join(', ')}`,
    `INSERT INTO ${q('lab_order')} (${q('title')}, ${q('qty')}, ${q('note')}, ${q('code')}) VALUES ${values.join(', ')}`,
  ];
}

export const CELLS: Cell[] = [
  { id: 'add_nullable', label: 'AddField, nullable', table: 'lab_order', operations: ['migrations.AddField("order", "extra", models.IntegerField(null=True))'] },
  { id: 'add_default', label: 'AddField, NOT NULL with a default', table: 'lab_order', operations: ['migrations.AddField("order", "extra", models.IntegerField(default=0))'] },
  { id: 'add_db_default', label: 'AddField, NOT NULL with db_default (5.0)', table: 'lab_order', operations: ['migrations.AddField("order", "extra", models.IntegerField(db_default=0))'] },
  {
    id: 'add_volatile_default',
    label: 'AddField, db_default=Random() (volatile)',
    table: 'lab_order',
    operations: ['migrations.AddField("order", "score", models.FloatField(db_default=models.functions.Random()))'],
  },
  {
    id: 'add_generated',
    label: 'AddField, stored GeneratedField (5.0)',
    table: 'lab_order',
    operations: ['migrations.AddField("order", "double", models.GeneratedField(expression=models.F("qty") * 2, output_field=models.IntegerField(), db_persist=True))'],
  },
  {
    id: 'add_fk',
    label: 'AddField, ForeignKey (nullable)',
    table: 'lab_order',
    operations: ['migrations.AddField("order", "customer", models.ForeignKey("lab.Customer", null=True, on_delete=models.CASCADE))'],
  },
  {
    id: 'alter_fk',
    label: 'AlterField, integer column -> ForeignKey',
    table: 'lab_order',
    // Every row points at a customer (ids 1-200), so the constraint has something to check.
    setup: ['migrations.AddField("order", "buyer", models.IntegerField(null=True, db_column="buyer_id"))', 'migrations.RunSQL("UPDATE lab_order SET buyer_id = 1 + id % 200", migrations.RunSQL.noop)'],
    operations: ['migrations.AlterField("order", "buyer", models.ForeignKey("lab.Customer", null=True, on_delete=models.CASCADE))'],
  },
  { id: 'add_unique', label: 'AddField, unique', table: 'lab_order', operations: ['migrations.AddField("order", "ext", models.CharField(max_length=20, null=True, unique=True))'] },
  { id: 'add_db_index', label: 'AddField, db_index', table: 'lab_order', operations: ['migrations.AddField("order", "extra", models.IntegerField(null=True, db_index=True))'] },
  { id: 'alter_bigint', label: 'AlterField, integer -> bigint', table: 'lab_order', operations: ['migrations.AlterField("order", "qty", models.BigIntegerField())'] },
  { id: 'alter_varchar_grow', label: 'AlterField, varchar(50) -> varchar(100)', table: 'lab_order', operations: ['migrations.AlterField("order", "title", models.CharField(max_length=100))'] },
  {
    id: 'alter_varchar_grow_long',
    label: 'AlterField, varchar(100) -> varchar(200)',
    table: 'lab_order',
    operations: ['migrations.AlterField("order", "code", models.CharField(max_length=200, null=True))'],
  },
  {
    id: 'alter_varchar_shrink',
    label: 'AlterField, varchar(100) -> varchar(30)',
    table: 'lab_order',
    operations: ['migrations.AlterField("order", "code", models.CharField(max_length=30, null=True))'],
  },
  { id: 'alter_varchar_text', label: 'AlterField, varchar -> text', table: 'lab_order', operations: ['migrations.AlterField("order", "title", models.TextField())'] },
  { id: 'alter_not_null', label: 'AlterField, NULL -> NOT NULL', table: 'lab_order', operations: ['migrations.AlterField("order", "note", models.TextField())'] },
  { id: 'alter_null', label: 'AlterField, NOT NULL -> NULL', table: 'lab_order', operations: ['migrations.AlterField("order", "qty", models.IntegerField(null=True))'] },
  { id: 'alter_db_comment', label: 'AlterField, db_comment only (4.2)', table: 'lab_order', operations: ['migrations.AlterField("order", "qty", models.IntegerField(db_comment="how many"))'] },
  { id: 'alter_unique', label: 'AlterField, adds unique', table: 'lab_order', operations: ['migrations.AlterField("order", "title", models.CharField(max_length=50, unique=True))'] },
  { id: 'alter_db_index', label: 'AlterField, adds db_index', table: 'lab_order', operations: ['migrations.AlterField("order", "qty", models.IntegerField(db_index=True))'] },
  { id: 'add_index', label: 'AddIndex', table: 'lab_order', operations: ['migrations.AddIndex("order", models.Index(fields=["qty"], name="lab_order_qty_ix"))'] },
  {
    id: 'add_index_concurrently',
    label: 'AddIndexConcurrently',
    table: 'lab_order',
    nonAtomic: true,
    postgresOnly: true,
    operations: ['AddIndexConcurrently("order", models.Index(fields=["qty"], name="lab_order_qty_ix"))'],
  },
  { id: 'remove_index', label: 'RemoveIndex', table: 'lab_order', operations: ['migrations.RemoveIndex("order", "lab_order_code_ix")'] },
  {
    id: 'remove_index_concurrently',
    label: 'RemoveIndexConcurrently',
    table: 'lab_order',
    nonAtomic: true,
    postgresOnly: true,
    operations: ['RemoveIndexConcurrently("order", "lab_order_code_ix")'],
  },
  { id: 'add_check', label: 'AddConstraint, check', table: 'lab_order', operations: ['migrations.AddConstraint("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="lab_qty_gte_0"))'] },
  {
    id: 'add_check_not_valid',
    label: 'AddConstraintNotValid, check',
    table: 'lab_order',
    postgresOnly: true,
    operations: ['AddConstraintNotValid("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="lab_qty_nv"))'],
  },
  {
    id: 'validate_constraint',
    label: 'ValidateConstraint (in a migration of its own)',
    table: 'lab_order',
    postgresOnly: true,
    setup: ['AddConstraintNotValid("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="lab_qty_nv"))'],
    operations: ['ValidateConstraint("order", "lab_qty_nv")'],
  },
  {
    id: 'add_unique_constraint',
    label: 'AddConstraint, unique',
    table: 'lab_order',
    operations: ['migrations.AddConstraint("order", models.UniqueConstraint(fields=["title", "qty"], name="lab_title_qty_uq"))'],
  },
  {
    id: 'add_partial_unique',
    label: 'AddConstraint, unique with a condition',
    table: 'lab_order',
    postgresOnly: true,
    operations: ['migrations.AddConstraint("order", models.UniqueConstraint(fields=["code"], condition=models.Q(qty__gt=0), name="lab_code_partial_uq"))'],
  },
  { id: 'unique_together', label: 'AlterUniqueTogether', table: 'lab_order', operations: ['migrations.AlterUniqueTogether("order", {("title", "qty")})'] },
  { id: 'remove_field', label: 'RemoveField', table: 'lab_order', operations: ['migrations.RemoveField("order", "note")'] },
  { id: 'rename_field', label: 'RenameField', table: 'lab_order', operations: ['migrations.RenameField("order", "title", "headline")'] },
  { id: 'rename_model', label: 'RenameModel', table: 'lab_order', operations: ['migrations.RenameModel("Order", "Purchase")'] },
  { id: 'model_table', label: 'AlterModelTable', table: 'lab_order', operations: ['migrations.AlterModelTable("order", "lab_orders")'] },
  { id: 'delete_model', label: 'DeleteModel', table: 'lab_customer', operations: ['migrations.DeleteModel("Customer")'] },
  {
    id: 'create_model_fk',
    label: 'CreateModel with a ForeignKey to the table',
    table: 'lab_order',
    operations: ['migrations.CreateModel(name="Line", fields=[("id", models.AutoField(primary_key=True)), ("order", models.ForeignKey("lab.Order", on_delete=models.CASCADE))])'],
  },
];

const POSTGRES_OPERATIONS = ['AddIndexConcurrently', 'RemoveIndexConcurrently', 'AddConstraintNotValid', 'ValidateConstraint'];

export function cellMigration(cell: Cell, after = '0001_initial'): string {
  const used = POSTGRES_OPERATIONS.filter((o) => cell.operations.some((op) => op.startsWith(`${o}(`)));
  return [
    'from django.db import migrations, models',
    ...(used.length ? [`from django.contrib.postgres.operations import ${used.join(', ')}`] : []),
    '',
    '',
    'class Migration(migrations.Migration):',
    ...(cell.nonAtomic ? ['    atomic = False'] : []),
    `    dependencies = [("lab", "${after}")]`,
    '    operations = [',
    ...cell.operations.map((o) => `        ${o},`),
    '    ]',
    '',
  ].join('\n');
}

export const cellName = (cell: Cell, i: number): string => `${String(i + 2).padStart(4, '0')}_${cell.id}`;

/** The migration of a cell's setup, between the base and the cell. */
export const setupName = (cell: Cell, i: number): string => `1${String(i + 2).padStart(4, '0')}_setup_${cell.id}`;

/** The cell's migration and, when it has one, its setup's, by name. */
export function cellFiles(cell: Cell, i: number): Record<string, string> {
  if (!cell.setup) return { [cellName(cell, i)]: cellMigration(cell) };
  const setup = setupName(cell, i);
  return { [setup]: cellMigration({ ...cell, operations: cell.setup }), [cellName(cell, i)]: cellMigration(cell, setup) };
}

/** A lab project holding the base and every cell (each a leaf on top of the base), on the DB_* `env`. */
export function impactLab(env: Record<string, string>): LabProject {
  const lab = labProject(['lab'], env);
  lab.write('lab', '0001_initial', BASE);
  CELLS.forEach((c, i) => {
    for (const [name, text] of Object.entries(cellFiles(c, i))) lab.write('lab', name, text);
  });
  return lab;
}
