"""WTForms for the learner's pages (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from course import knowledge, passwords

# Tab, line feed and carriage return belong in a text area; no other control character belongs
# in any field (a NUL byte would also be refused by PostgreSQL with an error).
TEXT_AREA_CONTROLS = {"\t", "\n", "\r"}
CONFIDENCE_MISSING = "Choose how sure you are, from 1 to 5."
CONTROL_CHARACTER_MESSAGE = "Please remove the hidden control characters from this field (they cannot be saved)."


def has_control_characters(value: str, allowed: set[str] | frozenset[str] = frozenset()) -> bool:
    return any((ord(char) < 32 or ord(char) == 127) and char not in allowed for char in value)


class FlaskForm(_FlaskForm):
    """Every form of the app: control characters and NUL bytes in any field are a clear error."""

    def validate(self, extra_validators=None) -> bool:
        hostile = [field for field in self if _carries_control_characters(field)]
        for field in hostile:
            field.errors = [CONTROL_CHARACTER_MESSAGE]
            if isinstance(field.data, str):  # shown again without them, so the rest is kept
                allowed = _allowed_controls(field)
                field.data = "".join(char for char in field.data if not has_control_characters(char, allowed))
        if hostile:
            return False  # no other validator, and no query, sees such a value
        return super().validate(extra_validators)


def _allowed_controls(field) -> frozenset[str]:
    return frozenset(TEXT_AREA_CONTROLS) if isinstance(field, TextAreaField) else frozenset()


def _carries_control_characters(field) -> bool:
    allowed = _allowed_controls(field)
    return any(isinstance(value, str) and has_control_characters(value, allowed) for value in field.raw_data or [])


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


NAME_HELP = "Any name you like. It does not have to be your real name. Your group leader sees it."


def _no_control_characters(form, field) -> None:
    if field.data and any(ord(char) < 32 for char in field.data):
        raise ValidationError("Please use letters, numbers and punctuation only.")


class DisplayNameField(StringField):
    def __init__(self, label: str = "Display name", **kwargs):
        super().__init__(
            label,
            validators=[DataRequired("Please choose a display name."), Length(1, 60), _no_control_characters],
            filters=[lambda value: " ".join(value.split()) if value else value],
            description=NAME_HELP,
            **kwargs,
        )


def _strong_password(form, field) -> None:
    problem = passwords.password_problem(field.data or "", form.personal_words())
    if problem:
        raise ValidationError(problem)


class NewPasswordField(PasswordField):
    def __init__(self, label: str = "Password", **kwargs):
        super().__init__(
            label,
            validators=[InputRequired("Please choose a password."), _strong_password],
            description=(
                f"At least {passwords.MIN_LENGTH} characters. Three or four ordinary words you will remember "
                "work well. You can paste a password from a password manager."
            ),
            **kwargs,
        )


class PasswordForm(FlaskForm):
    """A form that sets a new password: it knows the person's own words, which make weak passwords."""

    def __init__(self, *args, personal: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._personal = personal

    def personal_words(self) -> tuple[str, ...]:
        return self._personal


class RegisterForm(PasswordForm):
    email = EmailField(
        "Email address",
        filters=[_strip],
        validators=[InputRequired("Please enter your email address."), Email("Please check the email address."), Length(max=254)],
        description="Used to log in and to reset your password. We never show it to other families.",
    )
    display_name = DisplayNameField()
    password = NewPasswordField()
    confirm = PasswordField(
        "Type the password again",
        validators=[InputRequired("Please type the password again."), EqualTo("password", "The two passwords are not the same.")],
    )
    submit = SubmitField("Create my account")

    def personal_words(self) -> tuple[str, ...]:
        return (self.email.data or "", self.display_name.data or "")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[_strip],
        validators=[InputRequired("Please enter your email address."), Length(max=254, message="That is not an email address we know: it is too long.")],
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Please enter your password."), Length(max=passwords.MAX_LENGTH, message="That password is too long to be one of ours.")],
    )
    remember = BooleanField(
        "Keep me logged in on this device for up to 30 days",
        description="Only on a device that no one else uses.",
    )
    next = HiddenField()
    submit = SubmitField("Log in")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[_strip],
        validators=[
            InputRequired("Please enter your email address."),
            Email("Please check the email address."),
            Length(max=254, message="Please check the email address: it is too long."),
        ],
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(PasswordForm):
    password = NewPasswordField("New password")
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired("Please type the password again."), EqualTo("password", "The two passwords are not the same.")],
    )
    submit = SubmitField("Save my new password")


class DisplayNameForm(FlaskForm):
    display_name = DisplayNameField()
    submit_name = SubmitField("Save display name")


class ChangePasswordForm(PasswordForm):
    current_password = PasswordField("Current password", validators=[InputRequired("Please enter your current password.")])
    password = NewPasswordField("New password")
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired("Please type the password again."), EqualTo("password", "The two passwords are not the same.")],
    )
    submit_password = SubmitField("Change password")


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired("Please enter your password to confirm.")])
    submit_delete = SubmitField("Delete my account and all my data")


class QuizForm(FlaskForm):
    """CSRF and the one-time submission token; the answers are read by grading.read_answers."""

    submission_token = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with CSRF protection."""


# --- groups: joining (learner), running a group (facilitator), roles (admin) ---------


class InviteCodeForm(FlaskForm):
    code = StringField(
        "Invite code",
        validators=[DataRequired("Please enter the invite code from your group leader."), Length(max=200)],
        filters=[_strip],
        description="Your group leader gives you this code, for example ABCD-EFGH-JKMN.",
    )
    submit_code = SubmitField("Find the group")


class JoinGroupForm(FlaskForm):
    share_email = BooleanField("Let the group leader see my email address")
    submit_join = SubmitField("Join the group")


class GroupNameForm(FlaskForm):
    name = StringField(
        "Group name",
        validators=[
            DataRequired("Please give the group a name."),  # after the filter: spaces alone are no name
            Length(1, 80, "Please use a name of at most 80 characters."),
            _no_control_characters,
        ],
        filters=[lambda value: " ".join(value.split()) if value else value],
        description="Learners see this name when they join, for example “Tuesday family group”.",
    )
    submit_name = SubmitField("Save name")


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("learner", "Learner"),
            SelectChoice("facilitator", "Facilitator (runs groups)"),
            SelectChoice("admin", "Admin (runs the site)"),
        ],
    )
    submit_role = SubmitField("Change role")


# --- facilitation: check-in actions, co-facilitators, staff invites (issue 10) ----------

from wtforms.fields import DateField, IntegerField, TextAreaField  # noqa: E402  (this section is appended)
from wtforms.validators import NumberRange  # noqa: E402


class ContactForm(FlaskForm):
    """A facilitator contacted a learner; prefixed per learner, since a list shows many."""

    contacted_on = DateField("Day of the contact", validators=[InputRequired("Please give the day of the contact.")])
    note = TextAreaField(
        "Private note (optional)",
        validators=[Length(max=500, message="Please keep the note to 500 characters.")],
        description="Only this group’s facilitators and admins see it. The learner can read it in their data download.",
    )
    submit_contact = SubmitField("Record the contact")


class SnoozeForm(FlaskForm):
    days = IntegerField(
        "Snooze for how many days",
        default=7,
        validators=[
            InputRequired("Please give a number of days."),
            NumberRange(1, 90, "Please choose from 1 to 90 days."),
        ],
        description="A new reason brings them back sooner.",
    )
    submit_snooze = SubmitField("Snooze")


class FacilitatorEmailForm(FlaskForm):
    email = EmailField(
        "Email address of the facilitator",
        filters=[_strip],
        validators=[InputRequired("Please enter their email address."), Email("Please check the email address."), Length(max=254)],
        description="They need a facilitator account on this site. An admin can invite them.",
    )
    submit_email = SubmitField("Add")


class StaffInviteForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[_strip],
        validators=[InputRequired("Please enter their email address."), Email("Please check the email address."), Length(max=254)],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice("facilitator", "Facilitator (runs groups)"), SelectChoice("admin", "Admin (runs the site)")],
    )
    submit_invite = SubmitField("Send the invitation")


class AcceptStaffInviteForm(PasswordForm):
    display_name = StringField(
        "Your name",
        validators=[DataRequired("Please give your name."), Length(1, 60), _no_control_characters],
        filters=[lambda value: " ".join(value.split()) if value else value],
        description="Families in your groups and your colleagues see this name.",
    )
    password = NewPasswordField()
    confirm = PasswordField(
        "Type the password again",
        validators=[InputRequired("Please type the password again."), EqualTo("password", "The two passwords are not the same.")],
    )
    submit = SubmitField("Save and log in")

    def personal_words(self) -> tuple[str, ...]:
        return (self.display_name.data or "",)

CONFIDENCE_CHOICES = [SelectChoice(value, label) for value, label in knowledge.CONFIDENCE_SCALE]


class KnowledgeCheckForm(FlaskForm):
    """CSRF, the sitting's token, which check it is, and the three confidence answers (1 to 5);
    the check's own answers are read by grading.read_answers."""

    submission_token = HiddenField()
    kind = HiddenField()
    confidence_overdose = RadioField(
        knowledge.CONFIDENCE_QUESTIONS["confidence_overdose"], choices=CONFIDENCE_CHOICES, coerce=int,
        validators=[InputRequired(CONFIDENCE_MISSING)],
    )
    confidence_naloxone = RadioField(
        knowledge.CONFIDENCE_QUESTIONS["confidence_naloxone"], choices=CONFIDENCE_CHOICES, coerce=int,
        validators=[InputRequired(CONFIDENCE_MISSING)],
    )
    confidence_support = RadioField(
        knowledge.CONFIDENCE_QUESTIONS["confidence_support"], choices=CONFIDENCE_CHOICES, coerce=int,
        validators=[InputRequired(CONFIDENCE_MISSING)],
    )

    def confidence(self) -> dict[str, int]:
        return {name: self[name].data for name in knowledge.CONFIDENCE_FIELDS}

# --- learning that lasts: practice, reminders ------------------------------------------


class PracticeForm(FlaskForm):
    """CSRF and which missed question is answered; the answer itself is read by grading.read_answers."""

    module_slug = HiddenField()
    question_id = HiddenField()


class ReminderForm(FlaskForm):
    """The account page's reminder choice (off by default)."""

    email_reminders = BooleanField("Email me reminders")
    submit_reminders = SubmitField("Save reminder choice")


class ReminderOfferForm(FlaskForm):
    """Asked once on the learner's home: yes or no to reminder mail."""

    answer_yes = SubmitField("Yes, email me reminders")
    answer_no = SubmitField("No, thank you")
