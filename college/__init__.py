"""Caregivers College: the learning-management backend of the Mantelzorgacademie."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from college import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the College: configuration, extensions, blueprints, signal receivers, CLI."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(config.load(app.instance_path))
    if test_config:
        app.config.update(test_config)

    # Imported here, not at the top: `import college.config` (the CLI, migrations) stays light.
    from college import (  # noqa: F401
        addresses,
        jobs,
        mailbox,
        models,
        pagecache,
        routing,
        security,
        templating,
        transactions,
    )
    from college.accounts import views as accounts
    from college.accreditation import views as accreditation
    from college.api import blueprint as api
    from college.api import services as api_services
    from college.attendance import views as attendance
    from college.catalogue import manage as catalogue_manage
    from college.catalogue import views as catalogue
    from college.certificates import receivers as certificate_receivers
    from college.certificates import views as certificates
    from college.cli import college_cli
    from college.completion import receivers as completion_receivers
    from college.credentials import services as credential_lists
    from college.credentials import views as credentials
    from college.dashboards import cache as figures_cache
    from college.dashboards import views as dashboards
    from college.enrolment import import_views as enrolment_import
    from college.enrolment import offer_views as enrolment_offers
    from college.enrolment import receivers as enrolment_receivers
    from college.enrolment import views as enrolment
    from college.evaluation import views as evaluation
    from college.extensions import babel, csrf, db, limiter, login_manager, migrate
    from college.i18n import select_locale, select_timezone
    from college.learning import views as learning
    from college.main import views as main
    from college.privacy import views as privacy
    from college.referrals import views as referrals
    from college.regions import views as regions
    from college.respite import receivers as respite_receivers
    from college.respite import views as respite

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
    jobs.init_app(app)
    addresses.init_app(app)
    limiter.init_app(app)  # after jobs.init_app, which points it at the app's Redis
    templating.init_app(app)
    routing.init_app(app)  # before the blueprints' rules
    security.init_app(app)
    transactions.init_app(app)
    pagecache.init_app(app)
    figures_cache.init_app(app)
    credential_lists.init_app(app)

    features = [main, accounts, enrolment, enrolment_import, catalogue, catalogue_manage, learning]
    features += [certificates, attendance, dashboards, privacy]
    features += [enrolment_offers]
    features += [accreditation]
    features += [evaluation]
    features += [regions, referrals]
    features += [respite]
    features += [credentials]
    for feature in features:
        app.register_blueprint(feature.bp)
    api.init_app(app)
    if app.config.get("DEV_MAILBOX") and not app.config.get("PRODUCTION"):
        app.register_blueprint(mailbox.bp)
    if app.config.get("BENCH_FLOOR_ROUTE"):
        main.add_bench_floor(app)

    completion_receivers.connect()
    certificate_receivers.connect()
    enrolment_receivers.connect()
    respite_receivers.connect()
    api_services.connect()

    app.cli.add_command(college_cli)
    return app
