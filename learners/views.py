"""Teacher account pages: sign-up with e-mail confirmation, profile, ARCO export and cancel;
enrolling from a course page and unenrolling from the profile (plain forms, no JavaScript)."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.formats import date_format
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import signed_in_user
from common.throttle import client_ip, window_hit
from learners.forms import (
    CancelAccountForm,
    ProfileForm,
    SignupForm,
    TeacherLoginForm,
    TeacherPasswordResetForm,
)
from learners.hooks import account_cancel_notices, profile_links
from learners.models import Enrollment
from learners.selectors import (
    enrollment_list_for,
    teacher_profile_for,
    teacher_user_for_curp,
    user_for_email,
)
from learners.services import (
    enrollment_cancel,
    enrollment_create,
    teacher_account_activate,
    teacher_account_cancel,
    teacher_account_create,
    teacher_data_export,
    teacher_profile_update,
)
from learners.tokens import account_confirmation_token, confirmation_already_used

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

User = get_user_model()
LOGIN_URL = reverse_lazy("learners:login")
TEMPLATES = "learners/accounts"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` when it is a path on this site (the course a teacher came from), else ""."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def send_confirmation_email(request: HttpRequest, user: AuthUser, *, next_url: str = "") -> None:
    """E-mail the one-time confirmation link of a new account (back to ``next_url`` once
    confirmed, so a teacher who signed up from a course page lands on that course)."""
    link = request.build_absolute_uri(
        reverse(
            "learners:confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": account_confirmation_token.make_token(user),
            },
        )
    )
    if next_url:
        link += "?" + urlencode({"next": next_url})
    context = {"link": link, "site_name": "Capacita"}
    subject = render_to_string(f"{TEMPLATES}/email/confirm_subject.txt", context).strip()
    body = render_to_string(f"{TEMPLATES}/email/confirm_body.txt", context)
    send_mail(subject, body, None, [user.email])


def send_existing_account_email(request: HttpRequest, user: AuthUser, *, reason: str) -> None:
    """Tell the holder of a CURP or an e-mail address (``reason``: "curp" or "email") that
    someone signed up with it: sign in or reset the password.

    The sign-up page answers as for a new account, so it reveals nothing about who has an
    account; only the holder's own inbox learns that it exists. An account never confirmed gets
    its confirmation link again instead.
    """
    if not user.is_active:
        send_confirmation_email(request, user)
        return
    context = {
        "login": request.build_absolute_uri(reverse("learners:login")),
        "reset": request.build_absolute_uri(reverse("learners:password_reset")),
        "site_name": "Capacita",
        "reason": reason,
    }
    subject = render_to_string(f"{TEMPLATES}/email/existing_account_subject.txt", context).strip()
    body = render_to_string(f"{TEMPLATES}/email/existing_account_body.txt", context)
    send_mail(subject, body, None, [user.email])


# Fields whose "already has an account" error would tell anyone who has an account.
_PRIVATE_UNIQUE = ("curp", "email")


def _taken(error: ValidationError) -> set[str]:
    """The fields of ``error`` refused only because another account already has the value."""
    if not hasattr(error, "error_dict"):
        return set()
    return {
        name
        for name in _PRIVATE_UNIQUE
        if name in error.error_dict
        and all(item.code == "unique" for item in error.error_dict[name])
    }


@never_cache
@sensitive_post_parameters("password1", "password2", "curp")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an inactive teacher account and send the confirmation e-mail."""
    if request.user.is_authenticated:
        return redirect("learners:profile")
    form = SignupForm(request.POST or None)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        try:
            user = teacher_account_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                curp=form.cleaned_data["curp"],
                **form.profile_fields(),
            )
        except ValidationError as error:
            taken = _taken(error)
            holders: dict[str, AuthUser | None] = {
                "curp": teacher_user_for_curp(curp=form.cleaned_data["curp"])
                if "curp" in taken
                else None,
                "email": user_for_email(email=form.cleaned_data["email"])
                if "email" in taken
                else None,
            }
            hidden = {name for name, holder in holders.items() if holder is not None}
            if hidden and set(error.error_dict) <= hidden:
                # Only taken values: answer as for a new account; each holder hears of it.
                notified: set[int] = set()
                for name, holder in holders.items():
                    if holder is not None and holder.pk not in notified:
                        notified.add(holder.pk)
                        send_existing_account_email(request, holder, reason=name)
                return redirect("learners:signup_done")
            for name in hidden:
                # Other errors are shown; a taken CURP or e-mail never is.
                error.error_dict.pop(name, None)
            form.add_service_errors(error)
        else:
            send_confirmation_email(request, user, next_url=next_url)
            return redirect("learners:signup_done")
    return TemplateResponse(request, f"{TEMPLATES}/signup.html", {"form": form, "next": next_url})


def signup_done(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, f"{TEMPLATES}/signup_done.html", {})


@never_cache
def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Activate the account of a valid, unused confirmation link and sign the teacher in."""
    try:
        user = User._default_manager.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and confirmation_already_used(user, token):
        # A second click on a genuine link: say so instead of "invalid link".
        messages.info(request, _("Tu cuenta ya está confirmada."))
        signed_in_as_holder = request.user.is_authenticated and request.user.pk == user.pk
        return redirect("learners:profile" if signed_in_as_holder else "learners:login")
    if user is None or not account_confirmation_token.check_token(user, token):
        return TemplateResponse(request, f"{TEMPLATES}/confirm_invalid.html", {}, status=400)
    teacher_account_activate(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Tu correo quedó confirmado. ¡Bienvenida o bienvenido!"))
    return redirect(safe_next(request, request.GET.get("next")) or "learners:profile")


class LoginView(auth_views.LoginView):
    template_name = f"{TEMPLATES}/login.html"
    authentication_form = TeacherLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return str(reverse_lazy("learners:profile"))


class LogoutView(auth_views.LogoutView):
    next_page = "/"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = f"{TEMPLATES}/password_reset_form.html"
    form_class = TeacherPasswordResetForm
    email_template_name = f"{TEMPLATES}/email/password_reset_body.txt"
    subject_template_name = f"{TEMPLATES}/email/password_reset_subject.txt"
    success_url = reverse_lazy("learners:password_reset_done")

    def form_valid(self, form: TeacherPasswordResetForm) -> HttpResponse:
        """Send the link unless this e-mail address or this client address asked more than
        ``LMS_PASSWORD_RESET_LIMIT`` times in the last ``LMS_LOGIN_COOLOFF_MINUTES``: then a
        429 saying when to try again, and no mail (docs/operations.md, "Login throttling")."""
        seconds = settings.LMS_LOGIN_COOLOFF_MINUTES * 60
        windows = [
            window_hit("password-reset:email", form.cleaned_data["email"].strip().lower(),
                       seconds=seconds),
            window_hit("password-reset:address", client_ip(self.request) or "", seconds=seconds),
        ]  # fmt: skip
        over = [w for w in windows if w.hits > settings.LMS_PASSWORD_RESET_LIMIT]
        if not over:
            return super().form_valid(form)
        ends_at = max(w.ends_at for w in over)
        until = datetime.fromtimestamp(ends_at, tz=UTC)
        wait = max(1, math.ceil(ends_at - time.time()))
        message = _(
            "Demasiadas solicitudes para restablecer la contraseña con este correo o desde esta "
            "dirección. Vuelve a intentarlo a las %(time)s (en %(minutes)s min)."
        ) % {
            "time": date_format(timezone.localtime(until), "H:i"),
            "minutes": max(1, math.ceil(wait / 60)),
        }
        response = TemplateResponse(
            self.request,
            f"{TEMPLATES}/password_reset_throttled.html",
            {"message": message, "until": until},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = f"{TEMPLATES}/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = f"{TEMPLATES}/password_reset_confirm.html"
    success_url = reverse_lazy("learners:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = f"{TEMPLATES}/password_reset_complete.html"


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Show and edit the signed-in teacher's profile."""
    teacher = teacher_profile_for(user=signed_in_user(request))
    if teacher is None:
        return TemplateResponse(request, f"{TEMPLATES}/no_profile.html", {}, status=404)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(teacher))
    if request.method == "POST" and form.is_valid():
        try:
            teacher_profile_update(
                profile=teacher, email=form.cleaned_data["email"], **form.profile_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Tus datos se guardaron."))
            return redirect("learners:profile")
    return TemplateResponse(
        request,
        f"{TEMPLATES}/profile.html",
        {
            "form": form,
            "teacher": teacher,
            "enrollments": enrollment_list_for(user=signed_in_user(request)).filter(
                status=Enrollment.Status.ACTIVE
            ),
            "profile_links": profile_links(request),
        },
    )


@never_cache
@login_required(login_url=LOGIN_URL)
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """ARCO access: download everything held about the signed-in teacher as JSON."""
    data = teacher_data_export(user=signed_in_user(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="mis-datos-capacita.json"'
    return response


@never_cache
@sensitive_post_parameters("password")
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest) -> HttpResponse:
    """ARCO cancellation, after the teacher confirms with their password."""
    form = CancelAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        teacher_account_cancel(user=signed_in_user(request))
        logout(request)
        return HttpResponseRedirect(reverse("learners:cancelled"))
    notices = account_cancel_notices(user=request.user, api=False)
    return TemplateResponse(request, f"{TEMPLATES}/cancel.html", {"form": form, "notices": notices})


def cancelled(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, f"{TEMPLATES}/cancelled.html", {})


def _course_page_url(request: HttpRequest, course_id: int) -> str | None:
    from courses.selectors import live_courses

    course = live_courses().filter(pk=course_id).first()
    return course.get_url(request) if course is not None else None


@never_cache
@login_required(login_url=LOGIN_URL)
@require_POST
def enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    """Enrol the signed-in teacher from the course page's form, then go back to the course.

    The same service as ``POST /api/v1/me/enrollments/`` decides (prerequisites, already
    enrolled); a refusal comes back as a message on the course page, with status 303."""
    course_url = _course_page_url(request, course_id)
    if course_url is None:
        raise Http404("No such live course.")
    try:
        enrollment_create(user=signed_in_user(request), course_id=course_id)
    except ValidationError as error:
        for message in error.message_dict.get("course", error.messages):
            messages.error(request, message)
    else:
        messages.success(request, _("¡Listo! Ya estás inscrita o inscrito en este curso."))
    return HttpResponseRedirect(course_url, status=303)


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def unenrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then unenrol the teacher from one of their own active enrolments.

    The enrolment and its progress are kept (marked unenrolled), as with the API; enrolling
    again brings them back."""
    enrollment = (
        enrollment_list_for(user=signed_in_user(request))
        .filter(pk=pk, status=Enrollment.Status.ACTIVE)
        .first()
    )
    if enrollment is None:
        raise Http404("No such active enrolment of yours.")
    if request.method == "POST":
        enrollment_cancel(enrollment=enrollment)
        messages.success(
            request,
            _("Te diste de baja de «%(title)s». Tu avance se guarda si vuelves a inscribirte.")
            % {"title": enrollment.course.title},
        )
        return HttpResponseRedirect(reverse("learners:profile"), status=303)
    return TemplateResponse(request, f"{TEMPLATES}/unenrol.html", {"enrollment": enrollment})
