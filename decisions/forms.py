"""Forms for recommendations: the questions and evidence a proposal carries (built from the
pack, for any subject kind), and a step in writing."""

from django import forms

from core.forms import DateField, GovukFormMixin
from decisions.models import StepOutcome
from decisions.questions import FILE_TYPES_WORDS, EvidenceKind, Field, evidence_label, file_problem

YES_NO = [("yes", "Yes"), ("no", "No")]
# A question with this many answers or fewer is asked with radios (GOV.UK), more with a list.
RADIOS_UP_TO = 5


def _question(f: Field) -> forms.Field:
    common = {"label": f.label, "required": f.required, "help_text": f.hint}
    if f.type == "date":
        return DateField(**common)
    if f.type == "boolean":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if f.type == "choice" and len(f.choices) <= RADIOS_UP_TO:
        return forms.ChoiceField(
            choices=[(c, c) for c in f.choices], widget=forms.RadioSelect, **common
        )
    if f.type == "choice":
        return forms.ChoiceField(choices=[("", "Choose"), *[(c, c) for c in f.choices]], **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, **common)


class DetailsMixin:
    """Questions from the pack become fields named `q_<key>`."""

    questions: tuple[Field, ...] = ()

    def add_questions(self, questions: tuple[Field, ...]) -> None:
        self.questions = questions
        for f in questions:
            self.fields[f"q_{f.key}"] = _question(f)
        self.style_fields([f"q_{f.key}" for f in questions])

    def question_fields(self):
        return [self[f"q_{f.key}"] for f in self.questions]

    def details(self) -> dict:
        out = {}
        for f in self.questions:
            value = self.cleaned_data.get(f"q_{f.key}")
            if value in (None, ""):
                continue
            if f.type == "boolean":
                value = value == "yes"
            elif f.type == "date":
                value = value.isoformat()
            out[f.key] = value
        return out

    def add_domain_errors(self, errors):
        mapped = {}
        for key, messages in errors.items():
            name = f"q_{key.split('.', 1)[1]}" if key.startswith("details.") else key
            mapped.setdefault(name, []).extend(messages)
        super().add_domain_errors(mapped)


def _evidence_file(label: str) -> forms.FileField:
    return forms.FileField(label=label, required=False, help_text=FILE_TYPES_WORDS)


class EvidenceMixin:
    """One note and one link per kind of evidence the proposal needs, and any other evidence."""

    kinds: tuple[str, ...] = ()

    def add_evidence(self, kinds: dict[str, EvidenceKind], required: tuple[str, ...]) -> None:
        self.kinds = required
        self.evidence_labels: dict[str, str] = {}
        for kind in required:
            found = kinds.get(kind)
            self.fields[f"ev_{kind}_note"] = forms.CharField(
                label="What it shows",
                required=False,
                help_text=found.hint if found else "",
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"ev_{kind}_url"] = forms.URLField(
                label="Web address (optional)",
                required=False,
                assume_scheme="https",
            )
            self.fields[f"ev_{kind}_file"] = _evidence_file("Or attach the file (optional)")
            self.evidence_labels[kind] = evidence_label(kinds, kind)
        self.fields["ev_other"] = forms.CharField(
            label="Other evidence (optional)",
            required=False,
            max_length=10_000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields["ev_other_file"] = _evidence_file("Attach other evidence (optional)")
        self.style_fields([n for n in self.fields if n.startswith("ev_")])

    def check_evidence(self) -> None:
        """Each required kind needs a note, a link or a file: say so on that kind's own
        field; a file that cannot be evidence is named on its own field."""
        for name, value in list(self.cleaned_data.items()):
            if name.startswith("ev_") and name.endswith("_file") and value:
                problem = file_problem(value.name, value.size)
                if problem:
                    self.add_error(name, problem)
        for kind in self.kinds:
            if (
                not any(
                    self.cleaned_data.get(f"ev_{kind}_{part}") for part in ("note", "url", "file")
                )
                and f"ev_{kind}_file" not in self.errors
            ):
                self.add_error(
                    f"ev_{kind}_note",
                    f"Add “{self.evidence_labels[kind]}”: say what it shows, give its address"
                    " or attach it",
                )

    def evidence_pairs(self):
        return [
            (
                self.evidence_labels[k],
                self[f"ev_{k}_note"],
                self[f"ev_{k}_url"],
                self[f"ev_{k}_file"],
            )
            for k in self.kinds
        ]

    def evidence(self) -> list[dict]:
        """The items for the service; an attached file travels as (name, content), kept by
        the service with the rest (decisions.evidence)."""
        items = []
        for kind in [*self.kinds, "other"]:
            prefix = f"ev_{kind}" if kind != "other" else "ev_other"
            note = self.cleaned_data.get(f"{prefix}_note" if kind != "other" else prefix, "")
            url = self.cleaned_data.get(f"{prefix}_url", "") if kind != "other" else ""
            upload = self.cleaned_data.get(f"{prefix}_file")
            if note or url or upload:
                item = {"kind": kind, "note": note, "url": url}
                if upload:
                    item["upload"] = (upload.name, upload.read())
                items.append(item)
        return items

    def add_domain_errors(self, errors):
        mapped = dict(errors)
        if "evidence" in mapped and self.kinds:
            mapped[f"ev_{self.kinds[0]}_note"] = mapped.pop("evidence")
        super().add_domain_errors(mapped)


VERBS = frozenset(
    [
        "issue",
        "refer",
        "terminate",
        "take",
        "place",
        "suspend",
        "lift",
        "impose",
        "end",
        "put",
        "restrict",
        "move",
        "step",
        "escalate",
        "close",
        "open",
        "send",
        "give",
        "share",
        "stop",
        "start",
        "serve",
        "extend",
        "remove",
    ]
)


def outcome_words(rec) -> tuple[str, str]:
    """The decision in words (issue 13): "Issue a Rectification Notice: Willow Gardens" and
    "Do not issue a Rectification Notice", not "Approve" and "Do not approve". A label that
    is not an instruction ("New placements restricted for ...") reads "Do not agree: ..."."""
    label = rec.label.strip().rstrip(".")
    if not label:
        return ("Approve", "Do not approve")
    place = getattr(getattr(rec, "location", None), "name", "") or getattr(
        getattr(rec, "provider", None), "name", ""
    )
    yes = f"{label}: {place}" if place and place.lower() not in label.lower() else label
    first = label.split()[0].lower()
    no = f"Do not {first}{label[len(first) :]}" if first in VERBS else f"Do not agree: {label}"
    return (yes, no)


class ActForm(DetailsMixin, GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons, in writing",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": "Give the reasons"},
    )
    stipulation = forms.CharField(
        label="When should it be reconsidered? (optional)",
        help_text="Any stipulation for when a restriction or termination should be reconsidered.",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgent = forms.BooleanField(label="Urgent decision", required=False)
    decided_on = DateField(
        label="Date the decision was taken (optional)",
        help_text="Leave empty for today. Time limits that follow count from this date.",
        required=False,
    )
    virtual = forms.BooleanField(
        label="Taken virtually, outside a scheduled meeting (email or teleconference)",
        required=False,
    )
    meeting = forms.TypedChoiceField(
        label="The meeting that decided",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="A meeting of the board that was quorate, with this on its agenda. Its "
        "quorum comes from the attendance recorded on the meeting's page.",
    )
    DECIDER_FIELDS = ("virtual", "meeting")

    def __init__(
        self,
        *args,
        deciding: bool,
        asks: tuple[str, ...] = (),
        questions: tuple[Field, ...] = (),
        choices: dict | None = None,
        outcome_words: tuple[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        meetings = (choices or {}).get("meeting", [])
        self.fields["meeting"].choices = [("", "Choose the meeting")] + list(meetings)
        self.fields["meeting"].widget.attrs["class"] = "govuk-select"
        # The decider's questions (004 18.4) are answered when approving: never required by
        # the form itself, the service says which it needs.
        self.add_questions(tuple(Field(**{**f.__dict__, "required": False}) for f in questions))
        if deciding:
            yes, no = outcome_words or ("Approve", "Do not approve")
            self.fields["outcome"].choices = [
                (StepOutcome.APPROVED, yes),
                (StepOutcome.REJECTED, no),
            ]
        else:
            self.fields["outcome"].choices = [
                (StepOutcome.FORWARDED, "Agree and forward"),
                (StepOutcome.DECLINED, "Do not recommend"),
            ]
            del self.fields["decided_on"]
        for name in self.DECIDER_FIELDS:
            if name not in asks:
                del self.fields[name]
        self.fields["outcome"].widget.attrs["class"] = "govuk-radios__input"

    def service_data(self) -> dict:
        """What the service takes: the form's fields, the answers as `decision_details`."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("q_")}
        if self.questions:
            data["decision_details"] = self.details()
        return data

    def add_domain_errors(self, errors):
        mapped = {
            (k.removeprefix("decision_") if k.startswith("decision_details.") else k): v
            for k, v in errors.items()
        }
        super().add_domain_errors(mapped)
