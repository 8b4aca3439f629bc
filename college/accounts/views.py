"""Account pages: register, log in and out, change password, people of an organiser."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from college.accounts import services
from college.accounts.confirmation import confirm_address, confirmation_for_token
from college.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoForm,
    ManagedAccountForm,
    MyAccountForm,
    OrganiserSettingsForm,
    RegisterForm,
    ResetPasswordForm,
)
from college.accounts.models import Kind, Language, Organiser, User
from college.accounts.reset import request_password_reset, user_for_token
from college.accounts.reset import reset_password as reset_with_token
from college.accounts.sessions import WARN_SECONDS, enforce_timeouts, mark_login, seconds_left
from college.errors import ServiceError, TooManyAttempts
from college.extensions import db, login_manager
from college.forms import attach_error, safe_next
from college.kept_forms import keep_posted_form, page_of_form
from college.policy import can_manage_organiser, require
from college.privacy.notice import current_version
from college.security import limit_guesses

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session cookie, unless its session version has been ended.

    One query: the user with their memberships and organisers (every page's menu needs them).
    """
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = User.signed_in(int(raw_id))
    except ValueError:
        return None
    if user is None or str(user.session_version) != raw_version or not user.is_active:
        return None
    return user


def _start_session(user: User) -> None:
    """A fresh session at login, so a session id fixed before login is worthless."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user)
    mark_login()


bp.before_app_request(enforce_timeouts)


@login_manager.unauthorized_handler
def login_first():
    """To the login page and back; a form sent after the session ended keeps what was typed."""
    flash(login_manager.login_message, login_manager.login_message_category)
    back = keep_posted_form() or page_of_form() or request.full_path.rstrip("?")
    return redirect(url_for("accounts.login", next=back))


@bp.app_context_processor
def session_timing() -> dict:
    """For the warning before a login ends (base.html, static/session_warning.js)."""
    return {"session_seconds_left": seconds_left, "session_warn_seconds": WARN_SECONDS}


@bp.post("/account/keep-alive")
@login_required
def keep_alive():
    """Stay logged in: this request counts as activity; answers the seconds left."""
    return {"seconds_left": seconds_left()}


@bp.route("/register", methods=["GET", "POST"])
@limit_guesses("register")
def register():
    """Create a learner account; the answer is the same whether the address is new or taken."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_learner(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                kind=Kind(form.kind.data),
                language=Language(str(get_locale())),  # the language the page was shown in
                profession=form.profession.data,
                registration_number=form.registration_number.data,
                consent=form.consent.data,
            )
        except ServiceError as error:
            attach_error(form, error)
            return render_template("accounts/register.html", form=form), error.status
        session["registration_sent_to"] = form.email.data.strip()[:254]
        return redirect(url_for("accounts.registration_sent"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/register/check-your-mail")
def registration_sent():
    """After registering: open the link we mailed to confirm the address."""
    return render_template("accounts/registration_sent.html",
                           email=session.get("registration_sent_to"))


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm an email address through its mailed link (a button, so mail scanners cannot)."""
    found = confirmation_for_token(token)
    if found is None:
        return render_template("accounts/confirm_email.html", form=None), 410
    user, address = found
    form = FlaskForm()
    if form.validate_on_submit():
        was_new_address = address == user.pending_email
        try:
            user = confirm_address(token)
        except ServiceError as error:
            return render_template("accounts/confirm_email.html", form=None,
                                   refusal=error.message), error.status
        # Whoever opened the link can read this mailbox, which a reset link reaches too.
        _start_session(user)
        flash(_("Your email address %(email)s is confirmed. Welcome, %(name)s.",
                email=user.email, name=user.name), "success")
        return redirect(url_for("accounts.my_account" if was_new_address else "catalogue.index"))
    return render_template("accounts/confirm_email.html", form=form, address=address)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password (guesses are slowed, never locked out)."""
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.log_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as error:
            form.form_errors.append(error.message)
            return render_template("accounts/login.html", form=form), error.status, error.headers
        if user is None:
            form.form_errors.append(_("The email address or password is not correct."))
            return render_template("accounts/login.html", form=form), 401
        _start_session(user)
        flash(_("You are logged in."), "success")
        return redirect(safe_next())
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out, and end this user's sessions in other browsers too."""
    services.end_other_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def my_account():
    """My own details: name, email address, phone, profession, language."""
    user = current_user._get_current_object()
    form = MyAccountForm(obj=user)
    if not form.is_submitted():
        # The radio buttons hold "nl"/"en"; the account holds the Language (obj would win).
        form.language.data = user.language.value
    if form.validate_on_submit():
        changes = {"name": form.name.data, "email": form.email.data, "phone": form.phone.data,
                   "language": form.language.data,
                   "current_password": form.current_password.data}
        if user.kind == Kind.PROFESSIONAL:
            changes.update(profession=form.profession.data,
                           registration_number=form.registration_number.data)
        try:
            asked = services.update_own_details(user, changes, address=request.remote_addr)
        except ServiceError as error:
            attach_error(form, error)
            return (render_template("accounts/my_account.html", form=form, **_account_page(user)),
                    error.status, error.headers)
        session["language"] = user.language.value
        flash(_("Your details have been saved."), "success")
        if asked:
            flash(_("We sent a link to %(email)s. Open it to start using that address; until "
                    "then we keep using %(current)s.", email=user.pending_email,
                    current=user.email), "info")
        return redirect(url_for("accounts.my_account"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/my_account.html", form=form, **_account_page(user)), status


def _account_page(user: User) -> dict:
    return {"user": user, "action_form": FlaskForm(), "notice_version": current_version()}


@bp.post("/account/confirmation")
@login_required
def send_confirmation():
    """Send the link that confirms my (new) email address again."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        address = services.send_confirmation_again(current_user)
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("accounts.my_account"))
    flash(_("We sent the link again to %(email)s. It can take a few minutes; look in your spam "
            "folder too.", email=address), "success")
    return redirect(url_for("accounts.my_account"))


@bp.post("/account/email/cancel")
@login_required
def cancel_email_change():
    """Keep my current email address after all."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.cancel_email_change(current_user)
    flash(_("Your email address stays %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.my_account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data,
                address=request.remote_addr,
            )
        except ServiceError as error:
            attach_error(form, error)
            if error.field == "password":
                form.new_password.errors = [*form.new_password.errors, error.message]
            return (render_template("accounts/change_password.html", form=form), error.status,
                    error.headers)
        _start_session(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("main.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_guesses("reset")
def forgot_password():
    """Ask for a reset link; the answer is the same whether the email is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        return render_template("accounts/forgot_password.html", form=form, sent=True)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/forgot_password.html", form=form, sent=False), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the emailed link; ends every session of the account."""
    if user_for_token(token) is None:
        return render_template("accounts/reset_password.html", form=None), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_with_token(token, form.new_password.data)
        except ServiceError as error:
            form.new_password.errors = [*form.new_password.errors, error.message]
            return render_template("accounts/reset_password.html", form=form), error.status
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        _start_session(user)
        flash(_("Your password has been changed. You are logged in."), "success")
        return redirect(url_for("main.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset_password.html", form=form), status


def organiser_or_404(organiser_id: int) -> Organiser:
    """The organiser whose settings the current user manages: 404 when none, 403 when not theirs."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    require(can_manage_organiser(current_user, organiser.id))
    return organiser


@bp.get("/organisers/<int:organiser_id>/people")
@login_required
def people(organiser_id: int):
    """The organiser's trainers, coordinators and managed learner accounts."""
    organiser = organiser_or_404(organiser_id)
    people = services.staff_of(organiser.id, current_user)
    return render_template("accounts/people.html", organiser=organiser, people=people)


@bp.route("/organisers/<int:organiser_id>/people/new", methods=["GET", "POST"])
@login_required
def new_account(organiser_id: int):
    """Create a trainer, a coordinator or a managed learner account."""
    organiser = organiser_or_404(organiser_id)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = form.create_once(User, lambda: services.create_account(
                actor=current_user,
                organiser=organiser,
                name=form.name.data,
                email=form.email.data,
                roles=form.roles.data,
                kind=form.kind.data or None,
                phone=form.phone.data,
                note=form.note.data,
            ))
        except ServiceError as error:
            attach_error(form, error)
            return render_template(
                "accounts/new_account.html", form=form, organiser=organiser
            ), error.status
        flash(_("Account created for %(name)s.", name=user.name), "success")
        return redirect(url_for("accounts.people", organiser_id=organiser.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/new_account.html", form=form, organiser=organiser), status


@bp.route("/organisers/<int:organiser_id>/people/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_person(organiser_id: int, user_id: int):
    """Correct an account without email: name, phone number, note, learner type."""
    organiser = organiser_or_404(organiser_id)
    try:
        person = services.managed_account(current_user, user_id, organiser.id)
    except ServiceError:
        abort(404)
    form = ManagedAccountForm(obj=person, kind=person.kind.value if person.kind else None)
    if form.validate_on_submit():
        try:
            services.update_managed_account(current_user, person, {
                "name": form.name.data, "phone": form.phone.data, "note": form.note.data,
                "kind": form.kind.data,
            })
        except ServiceError as error:
            attach_error(form, error)
            return render_template("accounts/edit_person.html", form=form, organiser=organiser,
                                   person=person), error.status
        flash(_("The details of %(name)s have been saved.", name=person.name), "success")
        return redirect(url_for("accounts.people", organiser_id=organiser.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/edit_person.html", form=form, organiser=organiser,
                           person=person), status


@bp.route("/organisers/<int:organiser_id>/logo", methods=["GET", "POST"])
@login_required
def organiser_logo(organiser_id: int):
    """The organiser's logo on certificates: upload a PNG or JPEG."""
    organiser = organiser_or_404(organiser_id)
    form = LogoForm()
    if form.validate_on_submit():
        try:
            services.set_organiser_logo(current_user, organiser, form.logo.data.read(services.LOGO_MAX_BYTES + 1))
        except ServiceError as error:
            attach_error(form, error)
            return render_template("accounts/logo.html", form=form, organiser=organiser), error.status
        flash(_("The logo has been saved. New certificates show it."), "success")
        return redirect(url_for("accounts.organiser_logo", organiser_id=organiser.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/logo.html", form=form, organiser=organiser), status


@bp.get("/organisers/<int:organiser_id>/logo.img")
@login_required
def organiser_logo_image(organiser_id: int):
    """The current logo, for its coordinators' preview."""
    organiser = organiser_or_404(organiser_id)
    logo = db.session.scalar(select(Organiser.logo).where(Organiser.id == organiser.id))
    if not logo:
        abort(404)
    response = make_response(logo)
    response.headers["Content-Type"] = organiser.logo_mimetype or "application/octet-stream"
    return response


@bp.route("/organisers/<int:organiser_id>/settings", methods=["GET", "POST"])
@login_required
def organiser_settings(organiser_id: int):
    """How the organiser's waiting lists and certificate verification behave."""
    organiser = organiser_or_404(organiser_id)
    form = OrganiserSettingsForm(obj=organiser)
    if form.validate_on_submit():
        try:
            services.update_organiser_settings(
                current_user, organiser,
                waitlist_closes_hours_before=form.waitlist_closes_hours_before.data,
                verify_anonymised_certificates=form.verify_anonymised_certificates.data,
                **{name: form[name].data for name in services.CONTACT_FIELDS},
            )
        except ServiceError as error:
            attach_error(form, error)
            return render_template("accounts/organiser_settings.html", form=form,
                                   organiser=organiser), error.status
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("accounts.organiser_settings", organiser_id=organiser.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/organiser_settings.html", form=form,
                           organiser=organiser), status
