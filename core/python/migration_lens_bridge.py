"""Migration Lens bridge: boots one Django project once and answers questions about its migrations.

Standard library and Django only. JSON lines: one request per line on stdin,
    {"id": 1, "method": "sql", "params": {"app": "store", "name": "0002", "backwards": false}}
one answer per line on stdout,
    {"id": 1, "result": {...}}  or  {"id": 1, "error": {"kind": "...", "message": "...", "detail": "..."}}
The first line is {"event": "ready", ...}; when Django cannot boot it is {"event": "failed", "error": {...}}
and the process exits with status 3.

It only reads: it never migrates, never writes a file, never commits to the database. Whatever
Django or the project prints goes to stderr, so stdout carries the protocol alone.

Usage: python migration_lens_bridge.py <project root>
"""
import importlib
import importlib.machinery
import json
import os
import re
import sys
import traceback

PROTOCOL = 1

# The protocol owns the real stdout; print() and C-level writes of the project go to stderr.
_protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr
sys.dont_write_bytecode = True


def send(message):
    _protocol_out.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")
    _protocol_out.flush()


class Failure(Exception):
    """An answer that is an error the client shows as is."""

    def __init__(self, kind, message, detail=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail


def describe_exception(exc):
    name = type(exc).__name__
    text = str(exc).strip()
    return "%s: %s" % (name, text) if text else name


def short_traceback(exc, lines=12):
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-lines:])


# ----------------------------------------------------------------------------------------------
# Boot


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles migration modules from their source every time: a cached .pyc with the same
    second and size as an edited file would otherwise be loaded instead of the edit."""

    def get_code(self, fullname):
        return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)


def _install_fresh_loader(root):
    prefix = os.path.join(root, "")

    def hook(path):
        if os.path.basename(path) != "migrations" or not os.path.abspath(path).startswith(prefix):
            raise ImportError("not a project migrations package")
        return importlib.machinery.FileFinder(
            path,
            (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
            (_FreshSourceLoader, importlib.machinery.SOURCE_SUFFIXES),
        )

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


def settings_module_of(root):
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        return os.environ["DJANGO_SETTINGS_MODULE"]
    try:
        with open(os.path.join(root, "manage.py"), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        raise Failure("boot", "manage.py cannot be read in %s: %s" % (root, exc))
    match = re.search(r"""DJANGO_SETTINGS_MODULE['"]\s*[,\]]\s*=?\s*['"]([\w.]+)['"]""", text)
    if not match:
        raise Failure(
            "settings",
            "manage.py does not name DJANGO_SETTINGS_MODULE; set it in the environment or in .env",
        )
    return match.group(1)


def boot(root):
    sys.path.insert(0, root)
    os.chdir(root)
    _install_fresh_loader(root)
    module = settings_module_of(root)
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        import django
    except ImportError as exc:
        raise Failure(
            "django-missing",
            "Django cannot be imported by %s (%s)" % (sys.executable, describe_exception(exc)),
        )
    try:
        django.setup()
    except Exception as exc:
        from django.core.exceptions import ImproperlyConfigured

        kind = "settings" if isinstance(exc, (ImproperlyConfigured, ImportError)) else "boot"
        advice = ""
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            # The everyday case of a fresh clone: the project's own dependencies are not installed here.
            advice = (
                "; %s cannot import %r: install the project's dependencies into it, "
                "or select the interpreter of the project's virtual environment" % (sys.executable, exc.name)
            )
        raise Failure(
            kind,
            "Django did not start with settings %r: %s%s" % (module, describe_exception(exc), advice),
            short_traceback(exc),
        )
    return module


# ----------------------------------------------------------------------------------------------
# Files: edited migrations are reloaded; an edited models/settings module or .env makes the
# process stale (the app registry cannot be reloaded in place), so it asks to be restarted.


class Files:
    def __init__(self, root):
        self.root = root
        self.watched = {}
        self.migration_key = None
        self.loaders = {}

    def _stat(self, path):
        try:
            st = os.stat(path)
            return (st.st_mtime_ns, st.st_size)
        except OSError:
            return None

    def _project_modules(self):
        prefix = os.path.join(self.root, "")
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if not path or not path.startswith(prefix):
                continue
            if "%smigrations%s" % (os.sep, os.sep) in path:
                continue
            yield path

    def remember_project_modules(self):
        for path in self._project_modules():
            if path not in self.watched:
                self.watched[path] = self._stat(path)
        env = os.path.join(self.root, ".env")
        if env not in self.watched:
            self.watched[env] = self._stat(env)

    def stale(self):
        for path, seen in self.watched.items():
            if self._stat(path) != seen:
                return path
        return None

    @staticmethod
    def migration_packages():
        """(app config, `<app>.migrations` module name) for every app that can have migrations."""
        from django.apps import apps
        from django.db.migrations.loader import MigrationLoader

        for config in apps.get_app_configs():
            name, _ = MigrationLoader.migrations_module(config.label)
            if name:
                yield config, name

    def migration_dirs(self):
        dirs = set()
        for config, name in self.migration_packages():
            module = sys.modules.get(name)
            paths = list(getattr(module, "__path__", []) or [])
            if not paths and config.path:
                paths = [os.path.join(config.path, "migrations")]
            dirs.update(paths)
        return sorted(dirs)

    def migrations_fingerprint(self):
        parts = []
        for d in self.migration_dirs():
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError:
                parts.append((d, None))
                continue
            for e in entries:
                if e.name.endswith(".py"):
                    try:
                        st = e.stat()
                        parts.append((e.path, st.st_mtime_ns, st.st_size))
                    except OSError:
                        pass
        return tuple(parts)

    def purge_migration_modules(self):
        packages = {name for _, name in self.migration_packages()}
        for name in list(sys.modules):
            if name in packages or name.rsplit(".", 1)[0] in packages:
                del sys.modules[name]
        importlib.invalidate_caches()

    def loader(self, replace_migrations):
        """A MigrationLoader without a connection (the graph alone), rebuilt when a file changed."""
        from django.db.migrations.loader import MigrationLoader

        key = self.migrations_fingerprint()
        if key != self.migration_key:
            self.purge_migration_modules()
            self.loaders = {}
            self.migration_key = key
        if replace_migrations not in self.loaders:
            self.loaders[replace_migrations] = MigrationLoader(
                None, ignore_no_migrations=True, replace_migrations=replace_migrations
            )
        return self.loaders[replace_migrations]


# ----------------------------------------------------------------------------------------------
# Helpers shared by the requests


def key_of(node):
    return [node[0], node[1]]


def check_app(loader, app):
    """An installed app with migrations, or Django's own message."""
    from django.apps import apps

    try:
        apps.get_app_config(app)
    except LookupError as exc:
        raise Failure("not-found", str(exc))
    if app not in loader.migrated_apps:
        raise Failure("not-found", "App '%s' does not have migrations." % app)


def find_migration(loader, app, name):
    """The migration `app` `name` (a prefix, as manage.py accepts), with Django's own messages."""
    from django.db.migrations.exceptions import AmbiguityError

    check_app(loader, app)
    try:
        return loader.get_migration_by_prefix(app, name)
    except AmbiguityError:
        raise Failure(
            "ambiguous",
            "More than one migration matches '%s' in app '%s'. Please be more specific." % (name, app),
        )
    except KeyError:
        raise Failure(
            "not-found",
            "Cannot find a migration matching '%s' from app '%s'. Is it in INSTALLED_APPS?" % (name, app),
        )


def irreversible_reason(operation):
    """Why Django cannot run this operation backwards, or None. Nested database operations
    (SeparateDatabaseAndState) count too: Django raises inside them."""
    from django.db.migrations.operations.special import RunPython, RunSQL

    if isinstance(operation, RunPython) and operation.reverse_code is None:
        return "RunPython without reverse_code"
    if isinstance(operation, RunSQL) and operation.reverse_sql is None:
        return "RunSQL without reverse_sql"
    if not getattr(operation, "reversible", True):
        return "%s is not reversible" % type(operation).__name__
    for inner in getattr(operation, "database_operations", None) or []:
        reason = irreversible_reason(inner)
        if reason:
            return "%s inside SeparateDatabaseAndState" % reason
    return None


def describe_operations(migration):
    out = []
    for index, operation in enumerate(migration.operations):
        out.append({
            "index": index,
            "kind": type(operation).__name__,
            "description": operation.describe(),
            "reducesToSql": bool(getattr(operation, "reduces_to_sql", True)),
            "irreversible": irreversible_reason(operation),
        })
    return out


def node_info(loader, key):
    migration = loader.graph.nodes[key]
    module = sys.modules.get(type(migration).__module__)
    return {
        "app": key[0],
        "name": key[1],
        "file": getattr(module, "__file__", None),
        "dependencies": [key_of(d) for d in migration.dependencies],
        "replaces": [key_of(r) for r in migration.replaces],
        "runBefore": [key_of(r) for r in migration.run_before],
        "atomic": bool(migration.atomic),
        "initial": migration.initial,
        "operations": describe_operations(migration),
    }


def graph_order(graph):
    """Every node in the order showmigrations lists them: per app, the forwards plan of its leaves."""
    seen = set()
    order = []
    for app in sorted({key[0] for key in graph.nodes}):
        for leaf in graph.leaf_nodes(app):
            for node in graph.forwards_plan(leaf):
                if node not in seen and node[0] == app:
                    seen.add(node)
                    order.append(node)
    return order


def conflict_message(conflicts):
    names = "; ".join("%s in %s" % (", ".join(names), app) for app, names in conflicts.items())
    return (
        "Conflicting migrations detected; multiple leaf nodes in the migration graph: (%s).\n"
        "To fix them run 'python manage.py makemigrations --merge'" % names
    )


# ----------------------------------------------------------------------------------------------
# Requests


def r_ping(files, params):
    import django

    return {
        "protocol": PROTOCOL,
        "django": django.get_version(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "pid": os.getpid(),
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE"),
    }


def r_databases(files, params):
    """settings.DATABASES, for the client to open the same database read-only."""
    from django.conf import settings

    out = {}
    for alias, conf in settings.DATABASES.items():
        engine = conf.get("ENGINE", "")
        kind = None
        if engine.endswith(("sqlite3", "spatialite")):
            kind = "sqlite"
        elif "postgres" in engine or "postgis" in engine:
            kind = "postgres"
        elif "mysql" in engine:
            kind = "mysql"
        out[alias] = {
            "backend": engine,
            "engine": kind,
            "name": str(conf.get("NAME") or ""),
            "user": conf.get("USER") or "",
            "password": conf.get("PASSWORD") or "",
            "host": conf.get("HOST") or "",
            "port": str(conf.get("PORT") or ""),
        }
    return {"databases": out}


def applied_rows(connection):
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return [
        [m.app, m.name, m.applied.isoformat() if m.applied else None]
        for m in recorder.migration_qs.order_by("id")
    ]


def r_state(files, params):
    """The graph as `migrate` sees it (squashes resolved against the applied set), with the applied
    rows, leaves, conflicts and the consistency check."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.exceptions import InconsistentMigrationHistory
    from django.db.migrations.loader import MigrationLoader

    connection = connections[params.get("database") or DEFAULT_DB_ALIAS]
    files.loader(True)  # reload edited files first
    applied, applied_error, inconsistent = None, None, None
    try:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        applied = applied_rows(connection)
        try:
            loader.check_consistent_history(connection)
        except InconsistentMigrationHistory as exc:
            inconsistent = str(exc)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        applied_error = database_failure(exc).__dict__
        loader = files.loader(False)
    graph = loader.graph
    return {
        "nodes": [node_info(loader, key) for key in graph_order(graph)],
        "leaves": {app: [k[1] for k in graph.leaf_nodes(app)] for app in sorted({k[0] for k in graph.nodes})},
        "conflicts": {app: sorted(names) for app, names in loader.detect_conflicts().items()},
        "applied": applied,
        "appliedError": applied_error and {k: applied_error[k] for k in ("kind", "message")},
        "inconsistent": inconsistent,
    }


def r_plan(files, params):
    """What `manage.py migrate [app [target]]` would run, resolved exactly as migrate resolves it,
    with every irreversible operation on the backward part of the plan."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.exceptions import InconsistentMigrationHistory
    from django.db.migrations.executor import MigrationExecutor

    files.loader(True)
    connection = connections[params.get("database") or DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    loader = executor.loader
    try:
        loader.check_consistent_history(connection)
    except InconsistentMigrationHistory as exc:
        raise Failure("inconsistent-history", "InconsistentMigrationHistory: %s" % exc)
    conflicts = loader.detect_conflicts()
    if conflicts:
        raise Failure("conflict", "CommandError: " + conflict_message(conflicts), json.dumps(conflicts))

    app, target = params.get("app"), params.get("target")
    if app:
        check_app(loader, app)
    if app and target:
        if target == "zero":
            targets = [(app, None)]
        else:
            migration = find_migration(loader, app, target)
            key = (app, migration.name)
            if key not in loader.graph.nodes and key in loader.replacements:
                key = loader.replacements[key].replaces[-1]
            targets = [key]
    elif app:
        targets = [key for key in loader.graph.leaf_nodes() if key[0] == app]
    else:
        targets = loader.graph.leaf_nodes()

    plan = executor.migration_plan(targets)
    steps, irreversible = [], []
    for migration, backwards in plan:
        operations = describe_operations(migration)
        steps.append({
            "app": migration.app_label,
            "name": migration.name,
            "backwards": bool(backwards),
            "atomic": bool(migration.atomic),
            "operations": operations,
        })
        if backwards:
            for op in operations:
                if op["irreversible"]:
                    irreversible.append({
                        "app": migration.app_label,
                        "name": migration.name,
                        "index": op["index"],
                        "description": op["description"],
                        "reason": op["irreversible"],
                    })
    return {
        "targets": [[t[0], t[1]] for t in targets],
        "steps": steps,
        "irreversible": irreversible,
    }


def _header_positions(collected, descriptions):
    """Where each operation's `--` / `-- <description>` / `--` header starts in Django's output.
    Django writes exactly "--" (statements always end with ';'), and on 3.2 a non-SQL operation
    has a "-- MIGRATION NOW PERFORMS ..." line inside its header."""
    positions = []
    i = 0
    for description in descriptions:
        wanted = "-- %s" % description
        while i < len(collected):
            if collected[i] == "--":
                j = i + 1
                if j < len(collected) and collected[j].startswith("-- MIGRATION NOW PERFORMS"):
                    j += 1
                if j + 1 < len(collected) and collected[j] == wanted and collected[j + 1] == "--":
                    positions.append((i, j + 2))
                    i = j + 2
                    break
            i += 1
        else:
            return None
    return positions


def r_sql(files, params):
    """The SQL of one migration forward or backward, as `manage.py sqlmigrate` prints it (byte for
    byte in `text`), and the same statements split per operation."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[params.get("database") or DEFAULT_DB_ALIAS]
    loader = files.loader(False)  # sqlmigrate does not replace squashed migrations
    migration = find_migration(loader, params["app"], params["name"])
    key = (migration.app_label, migration.name)
    migration = loader.graph.nodes[key]
    backwards = bool(params.get("backwards"))

    state = loader.project_state(key, at_end=False)
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        if backwards:
            migration.unapply(state, editor, collect_sql=True)
        else:
            migration.apply(state, editor, collect_sql=True)
        body_end = len(editor.collected_sql)
    collected = list(editor.collected_sql)

    transactional = bool(migration.atomic and connection.features.can_rollback_ddl)
    text = ""
    if collected:
        output = "\n".join(collected)
        if transactional:
            output = "%s\n%s\n%s" % (
                connection.ops.start_transaction_sql(),
                output,
                connection.ops.end_transaction_sql(),
            )
        text = output if output.endswith("\n") else output + "\n"

    ordered = list(enumerate(migration.operations))
    if backwards:
        ordered.reverse()
    positions = _header_positions(collected[:body_end], [op.describe() for _, op in ordered])
    operations = []
    if positions is not None:
        for n, (index, operation) in enumerate(ordered):
            start = positions[n][1]
            end = positions[n + 1][0] if n + 1 < len(positions) else body_end
            operations.append({
                "index": index,
                "description": operation.describe(),
                "sql": collected[start:end],
                "reducesToSql": bool(getattr(operation, "reduces_to_sql", True)),
            })
    return {
        "app": key[0],
        "name": key[1],
        "backwards": backwards,
        "atomic": bool(migration.atomic),
        "transactional": transactional,
        "begin": connection.ops.start_transaction_sql() if transactional and collected else None,
        "commit": connection.ops.end_transaction_sql() if transactional and collected else None,
        "text": text,
        "operations": operations,
        "split": positions is not None,
        "deferred": collected[body_end:],
    }


class _PreviewQuestioner:
    """makemigrations --noinput answers, without exiting: a NOT NULL field with no default is
    recorded as a question makemigrations would stop at."""

    @staticmethod
    def make(app_labels):
        from django.db.migrations.questioner import MigrationQuestioner

        class Questioner(MigrationQuestioner):
            def __init__(self):
                super().__init__(specified_apps=app_labels, dry_run=True)
                self.questions = []

            def ask_not_null_addition(self, field_name, model_name):
                self.questions.append(
                    "%s.%s is NOT NULL without a default: makemigrations --noinput stops here"
                    % (model_name, field_name)
                )
                return None

            def ask_not_null_alteration(self, field_name, model_name):
                from django.db.models.fields import NOT_PROVIDED

                return NOT_PROVIDED

            def ask_auto_now_add_addition(self, field_name, model_name):
                self.questions.append(
                    "%s.%s is auto_now_add without a default: makemigrations --noinput stops here"
                    % (model_name, field_name)
                )
                return None

        return Questioner()


def r_missing(files, params):
    """What `makemigrations --check --dry-run` would create, without writing anything."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.state import ProjectState
    from django.db.migrations.writer import MigrationWriter

    labels = set(params.get("apps") or [])
    for label in labels:
        try:
            apps.get_app_config(label)
        except LookupError as exc:
            raise Failure("not-found", str(exc))
    loader = files.loader(False)
    conflicts = loader.detect_conflicts()
    if labels:
        conflicts = {a: c for a, c in conflicts.items() if a in labels}
    if conflicts:
        raise Failure("conflict", "CommandError: " + conflict_message(conflicts), json.dumps(conflicts))
    questioner = _PreviewQuestioner.make(labels)
    detector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps), questioner)
    changes = detector.changes(
        graph=loader.graph, trim_to_apps=labels or None, convert_apps=labels or None, migration_name=None
    )
    out = []
    for app, migrations in sorted(changes.items()):
        for migration in migrations:
            writer = MigrationWriter(migration)
            out.append({
                "app": app,
                "name": migration.name,
                "path": writer.path,
                "operations": [op.describe() for op in migration.operations],
                "source": writer.as_string(),
            })
    return {"changes": out, "questions": questioner.questions}


REQUESTS = {
    "ping": r_ping,
    "databases": r_databases,
    "state": r_state,
    "plan": r_plan,
    "sql": r_sql,
    "missing": r_missing,
}


# ----------------------------------------------------------------------------------------------
# Errors


def is_database_error(exc):
    from django.db import DatabaseError, InterfaceError

    return isinstance(exc, (DatabaseError, InterfaceError))


def database_failure(exc):
    from django.db import OperationalError

    kind = "connection" if isinstance(exc, OperationalError) else "database"
    return Failure(kind, describe_exception(exc))


class _NoNewSqliteFile:
    """Opening a SQLite path creates the file. Where the database does not exist yet, answer from an
    empty in-memory database instead (what that file would hold), so asking never creates it."""

    def __enter__(self):
        from django.db import connections

        self.swapped = []
        for conn in connections.all():
            name = str(conn.settings_dict.get("NAME") or "")
            if conn.vendor != "sqlite" or name in ("", ":memory:") or name.startswith("file:") or os.path.exists(name):
                continue
            conn.close()
            self.swapped.append((conn, conn.settings_dict["NAME"]))
            conn.settings_dict["NAME"] = ":memory:"
        return self

    def __exit__(self, *exc):
        for conn, name in self.swapped:
            # Restored first: Django keeps an in-memory database open on close().
            conn.settings_dict["NAME"] = name
            conn.close()
        return False


def answer(files, request):
    method = request.get("method")
    handler = REQUESTS.get(method)
    if handler is None:
        raise Failure("protocol", "unknown method %r" % (method,))
    stale = files.stale()
    if stale:
        raise Failure("stale", "%s changed since Django started; restart the bridge" % stale)
    params = request.get("params") or {}
    from django.db import connections

    try:
        try:
            with _NoNewSqliteFile():
                return handler(files, params)
        except Failure:
            raise
        except Exception as exc:
            if not is_database_error(exc):
                raise
            # A connection the server dropped since the last request: reconnect once.
            connections.close_all()
            try:
                with _NoNewSqliteFile():
                    return handler(files, params)
            except Exception as again:
                if is_database_error(again):
                    raise database_failure(again)
                raise
    finally:
        files.remember_project_modules()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: migration_lens_bridge.py <project root>\n")
        return 2
    root = os.path.abspath(sys.argv[1])
    try:
        settings_module = boot(root)
    except Failure as failure:
        send({"event": "failed", "error": {"kind": failure.kind, "message": failure.message, "detail": failure.detail}})
        return 3
    except BaseException as exc:  # a settings module that calls sys.exit() or raises anything
        send({"event": "failed", "error": {"kind": "boot", "message": describe_exception(exc), "detail": short_traceback(exc)}})
        return 3
    import django

    files = Files(root)
    files.remember_project_modules()
    send({"event": "ready", "protocol": PROTOCOL, "django": django.get_version(), "python": sys.version.split()[0],
          "pid": os.getpid(), "settings": settings_module})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            rid = request.get("id")
        except (ValueError, AttributeError):
            send({"id": None, "error": {"kind": "protocol", "message": "not a JSON object: %r" % line[:200]}})
            continue
        try:
            send({"id": rid, "result": answer(files, request)})
        except Failure as failure:
            send({"id": rid, "error": {"kind": failure.kind, "message": failure.message, "detail": failure.detail}})
            if failure.kind == "stale":
                return 0
        except BaseException as exc:  # SystemExit from project code must not end the bridge silently
            send({"id": rid, "error": {"kind": "python", "message": describe_exception(exc), "detail": short_traceback(exc)}})
            if isinstance(exc, KeyboardInterrupt):
                return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
