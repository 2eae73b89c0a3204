from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic.accounts.access import patient_staff_required, staff_required
from clinic.assessments.selectors import assessments_for_patient
from clinic.audit.services import Action, audit_record
from clinic.guidance import selectors, services
from clinic.guidance.forms import (
    ProviderForm,
    ReferralForm,
    ReferralMoveForm,
    ReviewDateForm,
    ReviewHeldForm,
    ReviewUndoForm,
    TaperPlanForm,
    TaperStepForm,
)
from clinic.guidance.models import ReferralEvent, ReferralStatus, TaperPlan
from clinic.guidance.pages import all_pages
from clinic.guidance.taper_scores import scores_by_step
from clinic.lib.forms import posted
from clinic.patients.correction_views import ReasonForm
from clinic.patients.models import Correction
from clinic.patients.selectors import patient_get_for_user


def _form_errors_from(error: ValidationError, form) -> None:
    """Show a service's refusal next to the field it is about."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- The library ------------------------------------------------------------------------------


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/index.html", {"pages": list(all_pages().values())})


@staff_required
def page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        guidance_page = all_pages()[slug]
    except KeyError:
        raise Http404("No such guidance page") from None
    services.guidance_page_viewed(request=request, page=guidance_page)
    return render(request, "guidance/page.html", {"page": guidance_page})


# --- Taper plans ------------------------------------------------------------------------------


@patient_staff_required
@require_http_methods(["GET", "POST"])
def taper_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, patient_pk)
    form = TaperPlanForm(posted(request), initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.taper_plan_create(request=request, actor=request.user, patient=patient, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "Taper plan saved. Add the steps you have agreed with the patient.")
            return redirect("guidance:taper_detail", pk=plan.pk)
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="taper plan form")
    return render(
        request, "guidance/taper_form.html", {"form": form, "patient": patient, "title": "Start a taper plan"}
    )


@patient_staff_required
def taper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.taper_plan_get_for_user(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=plan, detail="taper plan page")
    today = timezone.localdate()
    reviews = list(plan.review_dates.all())
    return render(
        request,
        "guidance/taper_detail.html",
        {
            "plan": plan,
            "patient": plan.patient,
            # Each step with the scores recorded during it, shown as recorded (supervised-tapering.md).
            "steps": scores_by_step(
                list(plan.steps.select_related("written_by")),
                assessments_for_patient(plan.patient),
                tz=timezone.get_current_timezone(),
            ),
            "reviews": [(review, review.is_overdue(today)) for review in reviews],
            "review_corrections": list(
                Correction.objects.filter(record_kind="review", record_id__in=[r.pk for r in reviews]).select_related(
                    "by"
                )
            ),
            "review_form": ReviewDateForm(),
            "step_form": TaperStepForm(initial={"date": today}),
        },
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def taper_update(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.taper_plan_get_for_user(request.user, pk)
    form = TaperPlanForm(posted(request), instance=TaperPlan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.taper_plan_update(request=request, actor=request.user, plan=plan, fields=form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "Taper plan saved.")
            return redirect("guidance:taper_detail", pk=plan.pk)
    audit_record(request=request, action=Action.VIEW, obj=plan, detail="taper plan edit form")
    return render(
        request,
        "guidance/taper_form.html",
        {"form": form, "patient": plan.patient, "plan": plan, "title": "Edit the taper plan"},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.taper_plan_get_for_user(request.user, pk)
    form = TaperStepForm(posted(request), initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.taper_step_add(request=request, actor=request.user, plan=plan, **form.cleaned_data)
        messages.success(request, "Step added.")
        return redirect("guidance:taper_detail", pk=plan.pk)
    audit_record(request=request, action=Action.VIEW, obj=plan, detail="taper step form")
    return render(
        request,
        "guidance/taper_part_form.html",
        {"form": form, "plan": plan, "patient": plan.patient, "title": "Add a step"},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def step_update(request: HttpRequest, pk: int) -> HttpResponse:
    step = selectors.taper_step_get_for_user(request.user, pk)
    form = TaperStepForm(posted(request), instance=selectors.taper_step_get_for_user(request.user, pk))
    if request.method == "POST" and form.is_valid():
        services.taper_step_update(request=request, actor=request.user, step=step, **form.cleaned_data)
        messages.success(request, "Step saved.")
        return redirect("guidance:taper_detail", pk=step.plan_id)
    audit_record(
        request=request, action=Action.VIEW, obj=step, patient_id=step.plan.patient_id, detail="taper step edit form"
    )
    return render(
        request,
        "guidance/taper_part_form.html",
        {"form": form, "plan": step.plan, "patient": step.plan.patient, "title": "Edit a step"},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.taper_plan_get_for_user(request.user, pk)
    form = ReviewDateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_date_add(request=request, actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "Review date added.")
            return redirect("guidance:taper_detail", pk=plan.pk)
    audit_record(request=request, action=Action.VIEW, obj=plan, detail="review date form")
    return render(
        request,
        "guidance/taper_part_form.html",
        {"form": form, "plan": plan, "patient": plan.patient, "title": "Add a review date"},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def review_done(request: HttpRequest, pk: int) -> HttpResponse:
    """GET says what marking the review held means; only the POST marks it."""
    review = selectors.review_date_get_for_user(request.user, pk)
    form = ReviewHeldForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_date_mark_done(
                request=request, actor=request.user, review=review, early_reason=form.cleaned_data["early_reason"]
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "Review marked as held.")
            return redirect("guidance:taper_detail", pk=review.plan_id)
    if request.method == "GET":
        audit_record(
            request=request,
            action=Action.VIEW,
            obj=review,
            patient_id=review.plan.patient_id,
            detail="mark review held",
        )
    early = review.date > timezone.localdate()
    return render(
        request,
        "guidance/review_confirm.html",
        {"review": review, "plan": review.plan, "patient": review.plan.patient, "form": form, "early": early},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def review_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """A review marked held by mistake: open it again, with a reason; the mistake stays in its history."""
    review = selectors.review_date_get_for_user(request.user, pk)
    form = ReviewUndoForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_date_unmark_done(
                request=request, actor=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "The review is open again; the correction is kept in its history.")
            return redirect("guidance:taper_detail", pk=review.plan_id)
    if request.method == "GET":
        audit_record(
            request=request,
            action=Action.VIEW,
            obj=review,
            patient_id=review.plan.patient_id,
            detail="correct review held",
        )
    return render(
        request,
        "guidance/review_undo.html",
        {"review": review, "plan": review.plan, "patient": review.plan.patient, "form": form},
    )


# --- Providers --------------------------------------------------------------------------------


@patient_staff_required
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = selectors.providers_visible_to(request.user)
    return render(request, "guidance/provider_list.html", {"providers": providers})


@patient_staff_required
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(posted(request), clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        provider = services.provider_create(
            request=request, actor=request.user, clinic=request.user.clinic, fields=form.cleaned_data
        )
        messages.success(request, f"{provider.name} added to the directory.")
        return redirect("guidance:provider_list")
    return render(request, "guidance/provider_form.html", {"form": form, "title": "Add a provider"})


@patient_staff_required
@require_http_methods(["GET", "POST"])
def provider_update(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(request.user, pk)
    form = ProviderForm(
        posted(request), instance=selectors.provider_get_for_user(request.user, pk), clinic=request.user.clinic
    )
    if request.method == "POST" and form.is_valid():
        services.provider_update(request=request, actor=request.user, provider=provider, fields=form.cleaned_data)
        messages.success(request, f"Saved {provider.name}.")
        return redirect("guidance:provider_list")
    return render(request, "guidance/provider_form.html", {"form": form, "title": f"Edit {provider.name}"})


# --- Referrals --------------------------------------------------------------------------------


@patient_staff_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, patient_pk)
    providers = selectors.providers_visible_to(request.user)
    form = ReferralForm(posted(request), providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                request=request, actor=request.user, patient=patient, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, "Referral drafted. Mark it sent once it has gone to the provider.")
            return redirect("guidance:referral_detail", pk=referral.pk)
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="referral form")
    return render(
        request, "guidance/referral_form.html", {"form": form, "patient": patient, "has_providers": providers.exists()}
    )


@patient_staff_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for_user(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=referral, detail="referral page")
    return _render_referral(request, referral, ReferralMoveForm())


def _render_referral(request: HttpRequest, referral, form: ReferralMoveForm) -> HttpResponse:
    moves = [(value, ReferralStatus(value).label) for value in services.referral_moves_from(referral.status)]
    return render(
        request,
        "guidance/referral_detail.html",
        {
            "referral": referral,
            "patient": referral.patient,
            # Every move, mistaken ones too, marked: the history is never rewritten.
            "events": list(ReferralEvent.every_entry.filter(referral=referral).select_related("by")),
            "move_corrections": {
                c.record_id: c
                for c in Correction.objects.filter(
                    record_kind="referral-move",
                    record_id__in=ReferralEvent.every_entry.filter(referral=referral).values("pk"),
                ).select_related("by")
            },
            "moves": moves,
            "form": form,
        },
    )


def _confirm_move(request: HttpRequest, referral, form: ReferralMoveForm) -> HttpResponse:
    """Say in words what the move will record; the same POST again, confirmed, makes it."""
    to_status = form.cleaned_data["to_status"]
    return render(
        request,
        "guidance/referral_move_confirm.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "form": form,
            "to_label": ReferralStatus(to_status).label,
            "happened_at": form.happened_at(),
            "future": (form.happened_at() or timezone.now()) > timezone.now(),
        },
    )


@patient_staff_required
@require_POST
def referral_move(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for_user(request.user, pk)
    form = ReferralMoveForm(request.POST)
    legal = services.referral_moves_from(referral.status)
    if form.is_valid() and not form.cleaned_data["confirm"] and form.cleaned_data["to_status"] in legal:
        return _confirm_move(request, referral, form)
    if form.is_valid():
        try:
            event = services.referral_move(
                request=request,
                actor=request.user,
                referral=referral,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
                happened_at=form.happened_at(),
                declined_by=form.cleaned_data["declined_by"],
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, f"Referral moved to “{event.get_to_status_display()}”.")
            return redirect("guidance:referral_detail", pk=referral.pk)
    referral.refresh_from_db()
    return _render_referral(request, referral, form)


@patient_staff_required
@require_http_methods(["GET", "POST"])
def referral_move_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A move made by mistake: GET says what correcting it does; the POST, with a reason, does it."""
    referral = selectors.referral_get_for_user(request.user, pk)
    last = ReferralEvent.objects.filter(referral=referral).order_by("-at", "-pk").first()
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_move_correct(
                request=request, actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(
                request, "The mistaken move is marked entered in error; the referral is back where it was."
            )
            return redirect("guidance:referral_detail", pk=referral.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=referral, detail="correct referral move")
    correctable = last is not None and bool(last.from_status)
    return render(
        request,
        "guidance/referral_move_correct.html",
        {"referral": referral, "patient": referral.patient, "last": last, "correctable": correctable, "form": form},
    )
