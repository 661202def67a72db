"""`make superset`: Apache Superset on 127.0.0.1, the published warehouse registered read-only, the Retention
dashboard imported.

    .superset/venv/bin/python retention_warehouse/superset/launch.py --warehouse-dir DIR [--port 8088] [--setup-only]

Runs in Superset's own environment (.superset/venv, from requirements.lock beside this file). Everything it keeps
is in DIR/superset/: the metadata database (superset.db), a generated SECRET_KEY (secret_key) and the generated password
of the user `admin` (admin_password), both files readable by their owner only and kept across runs. Each start
upgrades the metadata database, syncs the roles, sets admin's password to the file's, imports the bundle
(retention_warehouse/superset/dashboard/, replacing the objects it made before) and then serves on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

from bundle import write_bundle

HERE = Path(__file__).resolve().parent
ADMIN = "admin"


def generated_secret(path: Path) -> str:
    """The secret kept in `path`, created (mode 600) on the first run."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(path, 0o600)
    return path.read_text(encoding="utf-8").strip()


def superset_environment(state_dir: Path) -> dict[str, str]:
    return {
        "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
        "SUPERSET_HOME": str(state_dir),
        "RW_SUPERSET_DIR": str(state_dir),
        "FLASK_APP": "superset.app:create_app()",
    }


@contextlib.contextmanager
def logged_to(log: Path) -> Iterator[None]:
    """Send everything written to stdout and stderr (Superset's and the migrations' logging) to `log`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("w", encoding="utf-8") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)


def set_up(bundle_zip: Path, password: str) -> None:
    """What `superset db upgrade`, `superset init`, `superset fab create-admin` and `superset import-dashboards`
    do, in one process (each of those commands would start the application again)."""
    from zipfile import ZipFile

    from flask import g
    from flask_migrate import upgrade
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        # importable only once the application exists
        from superset import db, security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.extensions import appbuilder

        upgrade()
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        user = security_manager.find_user(username=ADMIN)
        if user is None:
            user = security_manager.add_user(
                ADMIN, "Retention", "Admin", "admin@localhost", security_manager.find_role("Admin"), password=password
            )
        else:
            security_manager.reset_password(user.id, password)
        db.session.commit()
        g.user = user
        with ZipFile(bundle_zip) as bundle:
            contents = get_contents_from_bundle(bundle)
        # The bundle is a dashboard export; imported as assets, it replaces the database, datasets and charts it
        # made before too (a dashboard import would keep those as they were and replace only the dashboard).
        contents["metadata.yaml"] = contents["metadata.yaml"].replace("type: Dashboard", "type: assets")
        ImportAssetsCommand(contents).run()
        db.session.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start Superset on the published Retention Warehouse.")
    parser.add_argument("--warehouse-dir", type=Path, required=True, help="RW_WAREHOUSE_DIR (absolute)")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--setup-only", action="store_true", help="set up and import, do not serve")
    args = parser.parse_args(argv)

    warehouse = args.warehouse_dir.resolve()
    published = warehouse / "published" / "retention.duckdb"
    if not published.exists():
        print(f"No published warehouse at {published}: run `make run` first.", file=sys.stderr)
        return 1
    state_dir = warehouse / "superset"
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    generated_secret(state_dir / "secret_key")
    password_file = state_dir / "admin_password"
    password = generated_secret(password_file)
    os.environ.update(superset_environment(state_dir))
    os.chdir(state_dir)  # whatever Superset writes to its working directory stays with its state

    log = state_dir / "setup.log"
    print(f"Setting up Superset in {state_dir} (log: {log}) ...", flush=True)
    try:
        with logged_to(log):
            set_up(write_bundle(published, state_dir / "retention_dashboard.zip"), password)
    except Exception as error:
        print(f"Superset setup failed: {error!r}; the last lines of {log}:", file=sys.stderr)
        print("".join(log.read_text(encoding="utf-8").splitlines(keepends=True)[-25:]), file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{args.port}/superset/dashboard/retention/"
    print(f"Superset: {url}")
    print(f"  user {ADMIN}, password in {password_file} (cat {password_file})")
    print(f"  database 'Retention Warehouse': {published}, read-only, a new connection for every query")
    if args.setup_only:
        return 0
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--bind", f"127.0.0.1:{args.port}", "--workers", "1", "--threads", "4"]
    command += ["--timeout", "120", "--log-level", "warning", "superset.app:create_app()"]
    os.execv(command[0], command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
