"""The survey platform's Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: config → extensions → blueprints → CLI."""
    app = Flask(__name__, instance_relative_config=True)

    from .config import load_config

    load_config(app, test_config)

    from . import auth, database, i18n, input_guard, migrating, navigation, security
    from .extensions import csrf, db, limiter, login_manager
    from .orm import render_migration_item

    db.init_app(app)
    migrating.init_app(app, db, directory=str(MIGRATIONS_DIR), compare_type=True,
                       render_as_batch=True, render_item=render_migration_item)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    database.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    auth.init_app(app)
    navigation.init_app(app)

    from .admin.routes import bp as admin_bp
    from .api import blueprint as api_blueprint
    from .api import routes as api_routes  # noqa: F401 — the api blueprint's URL rules
    from .openrosa.routes import PREFIX as OPENROSA_PREFIX
    from .openrosa.routes import bp as openrosa_bp
    from .public.routes import bp as public_bp
    from .results.routes import bp as results_bp
    from .staff.routes import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(results_bp, url_prefix="/results")
    # Through flask-smorest, which registers it under /api and builds its OpenAPI document.
    api_blueprint.init_app(app)
    app.register_blueprint(openrosa_bp, url_prefix=OPENROSA_PREFIX)

    from . import cli, error_pages

    error_pages.init_app(app)
    cli.init_app(app)
    return app
