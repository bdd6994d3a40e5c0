"""Pages for the issued restriction lists (004 16.4) and the placement checks made: what was
sent to whom, as a page, CSV and PDF."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from core.forms import on_form
from core.views import council_view, require_perm
from restrictions.forms import IssueForm
from restrictions.models import Level, ListIssue
from restrictions.pack import Restrictions
from restrictions.selectors import feed as feed_selectors
from restrictions.selectors import lists as list_selectors
from restrictions.services import list_issue


@council_view("restrictions.view_lists")
def lists_page(request):
    council = request.council
    pack = Restrictions.of(council)
    form = None
    if request.method == "POST":
        require_perm(request, "restrictions.issue_list")
        form = IssueForm()  # carries a top-of-form error, if any
        ok, issue = on_form(
            form,
            lambda: list_issue(
                council=council, actor=request.user, list_key=request.POST.get("list", "")[:60]
            ),
        )
        if ok:
            messages.success(
                request,
                f"{issue.title} no. {issue.number} issued; it is being emailed.",
            )
            return redirect("list-issue", pk=issue.pk)
    issues = list(list_selectors.issues(council=council)[:100])
    return render(
        request,
        "restrictions/lists.html",
        {
            "pack": pack,
            "lists": [
                (ldef, [i for i in issues if i.list_key == ldef.key][:10]) for ldef in pack.lists
            ],
            "may_issue": request.user.has_perm("restrictions.issue_list", council),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _issue(request, pk):
    try:
        return list_selectors.issue_detail(council=request.council, pk=pk)
    except ListIssue.DoesNotExist:
        raise Http404 from None


@council_view("restrictions.view_lists")
def list_issue_page(request, pk: int):
    issue = _issue(request, pk)
    return render(
        request, "restrictions/list_issue.html", {"issue": issue, "content": issue.content}
    )


@council_view("restrictions.view_lists")
def list_issue_csv(request, pk: int):
    issue = _issue(request, pk)
    response = HttpResponse(list_selectors.issue_csv(issue), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{issue.reference}.csv"'
    return response


@council_view("restrictions.view_lists")
def list_issue_pdf(request, pk: int):
    issue = _issue(request, pk)
    response = HttpResponse(list_selectors.issue_pdf(issue), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{issue.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@council_view("restrictions.view_checks")
def checks_page(request):
    page = Paginator(feed_selectors.checks(council=request.council), 50).get_page(
        request.GET.get("page")
    )
    for check in page.object_list:
        check.restricted = sum(1 for shown in check.shown if shown[1] != Level.NONE)
    return render(
        request,
        "restrictions/checks.html",
        {"page": page, "pack": Restrictions.of(request.council)},
    )
