"""Pages of the exchange: ask, questions for you, a question, introductions, meetings."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from serendip.errors import NotFound, ServiceError
from serendip.network.models import Space
from serendip.pages import member_or_404, redirect_back

from . import services
from .forms import (
    AcceptForm,
    AnswerForm,
    ConfirmForm,
    MeetingForm,
    OutcomeForm,
    QuestionForm,
)
from .selectors import (
    introduction_states,
    introductions_for,
    meetings_of,
    met_on,
    open_questions,
    question_detail,
    question_progress,
    questions_asked_by,
    questions_for,
)


def _attempt(request, fn, ok: str) -> bool:
    """Run a service; show its error as a message instead of an error page."""
    try:
        fn()
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return False
    messages.success(request, ok)
    return True


@login_required
def questions(request):
    me = member_or_404(request)
    tag = request.GET.get("tag", "")[:50]
    context = {
        "routed": questions_for(me),
        "mine": questions_asked_by(me),
        "open": open_questions(exclude=me, tag=tag),
        "tag": tag,
        "me": me,
    }
    return render(request, "exchange/questions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request):
    me = member_or_404(request)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.question_ask(
                asker=me,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.tag_list(),
                here=form.cleaned_data["here"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            n = q.routes.count()
            messages.success(
                request,
                ngettext(
                    "Asked. It went to %(n)d member who may know; you'll see their answers here.",
                    "Asked. It went to %(n)d members who may know; you'll see their answers here.",
                    n,
                )
                % {"n": n},
            )
            return redirect("question", question_id=q.pk)
    return render(request, "exchange/ask.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def question(request, question_id: int):
    me = member_or_404(request)
    try:
        q, answers = question_detail(question_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    context = {
        "q": q,
        "answers": answers,
        "me": me,
        "is_asker": q.asker_id == me.pk,
        "progress": question_progress(q) if q.asker_id == me.pk else None,
        "answer_form": AnswerForm(),
        "accept_form": AcceptForm(),
    }
    return render(request, "exchange/question.html", context)


@login_required
@require_POST
def answer(request, question_id: int):
    form = AnswerForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.answer_create(
                author=member_or_404(request), question_id=question_id, body=form.cleaned_data["body"]
            ),
            "Thanks for answering.",
        )
    else:
        messages.error(request, _("An answer needs some text (at most 5,000 characters)."))
    return redirect("question", question_id=question_id)


@login_required
@require_POST
def accept(request, question_id: int, answer_id: int):
    form = AcceptForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.answer_accept(
                asker=member_or_404(request), answer_id=answer_id, rating=form.cleaned_data["rating"]
            ),
            "Answer accepted. Its author earned social capital.",
        )
    else:
        messages.error(request, _("Choose a rating from 1 to 5."))
    return redirect("question", question_id=question_id)


@login_required
def introductions(request):
    return render(
        request, "exchange/introductions.html", {"inbox": introductions_for(member_or_404(request))}
    )


def actions_partial(request, me, other_id: int, error: str = ""):
    """The actions next to a person at a space, as they are now (what an HTMX click swaps in)."""
    space = None
    slug = request.POST.get("space", "")
    if slug:
        space = Space.objects.filter(slug=slug[:80]).first()
    date = space.local_today() if space else None
    context = {
        "other_id": other_id,
        "space": space,
        "date": date,
        "intro_state": introduction_states(me, [other_id]).get(other_id),
        "met_already": date is not None and other_id in met_on(me, date),
        "error": error,
    }
    return render(request, "exchange/_actions.html", context)


@login_required
@require_POST
def introduction_respond(request, introduction_id: int, answer: str):
    accept_it = answer == "accept"
    _attempt(
        request,
        lambda: services.introduction_respond(
            member=member_or_404(request), introduction_id=introduction_id, accept=accept_it
        ),
        "Accepted: go and say hello." if accept_it else "Declined. We won't suggest this again.",
    )
    return redirect("introductions")


@login_required
def meetings(request):
    me = member_or_404(request)
    rows = []
    for m in meetings_of(me):
        mine = next((o for o in m.outcomes.all() if o.member_id == me.pk), None)
        initial = {}
        if mine is not None:  # the form shows what was saved, to correct it
            value = None if mine.value_cents is None else Decimal(mine.value_cents) / 100
            initial = {"kind": mine.kind, "value_eur": value, "note": mine.note}
        rows.append((m, mine, OutcomeForm(initial=initial, prefix=f"m{m.pk}")))
    context = {"rows": rows, "me": me, "confirm_form": ConfirmForm()}
    return render(request, "exchange/meetings.html", context)


@login_required
@require_POST
def meeting_record(request):
    me = member_or_404(request)
    form = MeetingForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.meeting_record(
                member=me, other_id=form.cleaned_data["other_id"], date=form.cleaned_data["date"]
            )
        except ServiceError as exc:
            error = exc.detail
    else:
        error = _("That meeting could not be recorded.")
    if request.htmx and form.is_valid():
        return actions_partial(request, me, form.cleaned_data["other_id"], error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Meeting recorded. It counts once the other confirms."))
    return redirect_back(request, "meetings")


@login_required
@require_POST
def meeting_confirm(request, meeting_id: int):
    form = ConfirmForm(request.POST)
    rating = form.cleaned_data["rating"] if form.is_valid() else None
    _attempt(
        request,
        lambda: services.meeting_confirm(member=member_or_404(request), meeting_id=meeting_id, rating=rating),
        "Meeting confirmed: you both earned social capital.",
    )
    return redirect("meetings")


@login_required
@require_POST
def outcome(request, meeting_id: int):
    form = OutcomeForm(request.POST, prefix=f"m{meeting_id}")
    if form.is_valid():
        _attempt(
            request,
            lambda: services.outcome_record(
                member=member_or_404(request),
                meeting_id=meeting_id,
                kind=form.cleaned_data["kind"],
                value_cents=form.value_cents() if form.cleaned_data["kind"] == "paid_work" else None,
                note=form.cleaned_data["note"],
            ),
            "Thanks: outcomes are how the network knows it works.",
        )
    else:
        messages.error(request, _("Please choose what the meeting led to."))
    return redirect("meetings")
