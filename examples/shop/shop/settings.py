"""Settings for the shop example.

The database comes from the environment (and an optional .env next to manage.py):
DB_ENGINE is sqlite (default), mysql, or postgres / postgresql / pgsql; DB_NAME, DB_USER,
DB_PASSWORD, DB_HOST and DB_PORT complete it. SQLite defaults to _data/db.sqlite3.
"""
import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

try:  # python3-dotenv is optional: the process environment always works.
    from dotenv import load_dotenv

    load_dotenv(BASE_DIR / ".env")
except ImportError:
    pass

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "shop-example-not-for-production")
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "store",
    "orders",
]
# reviews uses what Django 5.2 added (db_default, GeneratedField, CompositePrimaryKey,
# AlterConstraint); older Djangos run the shop without it.
if django.VERSION >= (5, 2):
    INSTALLED_APPS.append("reviews")
# Its column and table comments are for PostgreSQL and MySQL; SQLite has none and says so on every command.
SILENCED_SYSTEM_CHECKS = ["fields.W163", "models.W046"]

ROOT_URLCONF = "shop.urls"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DB_ENGINE = os.environ.get("DB_ENGINE", "sqlite").strip().lower()

if DB_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DB_NAME") or BASE_DIR / "_data" / "db.sqlite3",
        }
    }
elif DB_ENGINE == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("DB_NAME", "shop"),
            "USER": os.environ.get("DB_USER", "root"),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DB_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
        }
    }
elif DB_ENGINE in ("postgres", "postgresql", "pgsql"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DB_NAME", "shop"),
            "USER": os.environ.get("DB_USER", "postgres"),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DB_PORT", "5432"),
        }
    }
else:
    raise RuntimeError(
        f"DB_ENGINE={DB_ENGINE!r} is not supported: use sqlite, mysql, postgres, postgresql or pgsql"
    )
