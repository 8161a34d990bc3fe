"""Forms of the teacher account pages. Errors are linked to their inputs for screen readers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from learners.mexico import STATE_CHOICES
from learners.models import School, Subsystem, TeacherProfile
from learners.validators import (
    normalise_code,
    validate_cct,
    validate_curp,
    validate_school_in_state,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

User = get_user_model()


class AccessibleFormMixin:
    """After validation, mark invalid inputs (``aria-invalid``) and point them at their error
    and help texts (``aria-describedby``) with the ids the account templates render."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe_inputs(with_errors=False)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._describe_inputs(with_errors=True)

    def _describe_inputs(self, *, with_errors: bool) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            bound = self[name]  # type: ignore[index]
            described = []
            if with_errors and bound.errors:
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}-error")
            if field.help_text:
                described.append(f"{bound.auto_id}-help")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class _ProfileFieldsForm(AccessibleFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Nombre(s)"), max_length=150)
    paternal_surname = forms.CharField(label=_("Primer apellido"), max_length=150)
    maternal_surname = forms.CharField(label=_("Segundo apellido"), max_length=150, required=False)
    # An empty first choice: a preselected state would be silently accepted by a teacher who
    # skips the field, and then every report would count them in the wrong state.
    state = forms.ChoiceField(
        label=_("Entidad donde trabajas"),
        choices=[("", _("Elige tu entidad")), *STATE_CHOICES],
        error_messages={"required": _("Elige la entidad donde trabajas.")},
    )
    subsystem = forms.ModelChoiceField(
        label=_("Subsistema"),
        queryset=Subsystem.objects.filter(active=True),
        required=False,
        empty_label=_("Sin subsistema o no lo sé"),
    )
    cct = forms.CharField(
        label=_("CCT de tu escuela"),
        max_length=14,
        required=False,
        # The example is the demo school (lms.demo_progress.DEMO_CCT), so it works on `make demo`.
        help_text=_(
            "Clave de Centro de Trabajo de 10 caracteres, por ejemplo 09DCT0001Y. Si no la "
            "sabes, déjala vacía."
        ),
    )
    position = forms.ChoiceField(
        label=_("Función"), choices=TeacherProfile.Position.choices, initial="docente"
    )

    def clean_cct(self) -> School | None:
        value = self.cleaned_data.get("cct", "")
        if not value:
            return None
        cct = validate_cct(value)
        school = School.objects.filter(cct=normalise_code(cct)).first()
        if school is None:
            raise ValidationError(
                _("La CCT %(cct)s no está en el registro de escuelas; revísala o déjala vacía."),
                code="unknown",
                params={"cct": cct},
            )
        return school

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # Django's clean() gives cleaned_data
        school, state = cleaned.get("cct"), cleaned.get("state")
        if school is not None and state:
            try:
                validate_school_in_state(cct=school.cct, school_state=school.state, state=state)
            except ValidationError as error:
                self.add_error("cct", error)
        return cleaned

    def profile_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "paternal_surname": data["paternal_surname"],
            "maternal_surname": data.get("maternal_surname", ""),
            "state": data["state"],
            "subsystem": data.get("subsystem"),
            "school": data.get("cct"),
            "position": data["position"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's field errors on the matching inputs."""
        for field, errors in error.error_dict.items():
            target = "cct" if field == "school" else field
            self.add_error(target if target in self.fields else None, errors)
        self._describe_inputs(with_errors=True)


def _privacy_notice_link() -> SafeString:
    return format_html('<a href="#aviso-privacidad">{}</a>', _("Lee el aviso de privacidad"))


class SignupForm(_ProfileFieldsForm):
    field_order = [
        "email",
        "password1",
        "password2",
        "curp",
        "first_name",
        "paternal_surname",
        "maternal_surname",
        "state",
        "subsystem",
        "cct",
        "position",
        "privacy",
    ]
    email = forms.EmailField(label=_("Correo electrónico"), max_length=254)
    password1 = forms.CharField(
        label=_("Contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Al menos 8 caracteres; que no sea solo números ni muy común."),
    )
    password2 = forms.CharField(
        label=_("Repite la contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    curp = forms.CharField(
        label=_("CURP"),
        max_length=20,
        help_text=_("Tus 18 caracteres de la Clave Única de Registro de Población."),
    )
    privacy = forms.BooleanField(
        # The link sits beside the label, not in it: a tap on a link inside a label would also
        # tick the box.
        help_text=lazy(_privacy_notice_link, SafeString)(),
        label=_("Leí el aviso de privacidad y acepto el tratamiento de mis datos personales."),
        error_messages={
            "required": _(
                "Para crear tu cuenta, marca que leíste y aceptas el aviso de privacidad."
            )
        },
    )

    def clean_curp(self) -> str:
        return validate_curp(self.cleaned_data["curp"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the school-in-state rule of _ProfileFieldsForm
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", ValidationError(_("Las contraseñas no coinciden."), code="mismatch")
            )
        elif password1:
            probe = User(username=cleaned.get("email", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(_ProfileFieldsForm):
    field_order = ["email", "first_name", "paternal_surname", "maternal_surname"]
    email = forms.EmailField(label=_("Correo electrónico"), max_length=254)

    @classmethod
    def initial_for(cls, profile: TeacherProfile) -> dict[str, Any]:
        return {
            "email": profile.user.email,
            "first_name": profile.first_name,
            "paternal_surname": profile.paternal_surname,
            "maternal_surname": profile.maternal_surname,
            "state": profile.state,
            "subsystem": profile.subsystem_id,
            "cct": profile.school.cct if profile.school else "",
            "position": profile.position,
        }


class CancelAccountForm(AccessibleFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Tu contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Entiendo que mis datos personales se borran y que no se puede deshacer."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("La contraseña no es correcta."), code="password_incorrect")
        return password


class TeacherLoginForm(AccessibleFormMixin, AuthenticationForm):
    """Sign-in with the e-mail address (a teacher's username) or a username, and password."""

    # Django's own texts name the "username" and say «usted»; teachers sign in with their e-mail.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "El correo o la contraseña no son correctos. Revisa mayúsculas y minúsculas; si "
            "olvidaste tu contraseña, puedes restablecerla."
        ),
        "inactive": _(
            "Tu cuenta aún no está activa: abre el enlace del correo de confirmación que te "
            "enviamos."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Self-registered teachers use their e-mail; imported and demo accounts a username.
        label = _("Correo electrónico o nombre de usuario")
        self.fields["username"].label = label
        # The mixin already bound the fields (and their labels) in its __init__.
        self["username"].label = label

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        # Teachers' usernames are their lower-cased e-mail addresses.
        return username.lower() if "@" in username else username


class TeacherPasswordResetForm(AccessibleFormMixin, PasswordResetForm):
    """Also reaches accounts created by a roster import, which have no password yet: that is
    how an imported teacher sets their first password."""

    def get_users(self, email: str) -> Iterator[AuthUser]:
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.lower() == email.lower()
        )
