"""Caregivers College: the learning-management backend of the Mantelzorgacademie."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from college import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the College: configuration, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(config.load(app.instance_path))
    if test_config:
        app.config.update(test_config)

    from college import models  # noqa: F401  (registers every model with the metadata)
    from college.extensions import babel, csrf, db, limiter, login_manager, migrate
    from college.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "college" / "translations"),
    )

    from college import jobs, security, templating

    jobs.init_app(app)
    limiter.init_app(app)  # after jobs.init_app, which points it at the app's Redis
    templating.init_app(app)
    security.init_app(app)

    from college import api
    from college.accounts import bp as accounts_bp
    from college.attendance import bp as attendance_bp
    from college.catalogue import bp as catalogue_bp
    from college.certificates import bp as certificates_bp
    from college.dashboards import bp as dashboards_bp
    from college.enrolment import bp as enrolment_bp
    from college.learning import bp as learning_bp
    from college.main import bp as main_bp
    from college.privacy import bp as privacy_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(enrolment_bp)
    api.init_app(app)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(privacy_bp)

    from college.cli import college_cli

    app.cli.add_command(college_cli)
    return app
