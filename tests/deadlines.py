"""A case's time limits, as tests look for them: `core.Timer` rows of kind concerns.deadline
(the one clock), found by case, by the move that started them, or by the stage they belong to."""

from core.models import Timer, TimerStatus

RUNNING, ENDED, MET = TimerStatus.RUNNING, TimerStatus.ENDED, TimerStatus.MET


def deadlines(case=None, move=None, stage=None, **filters):
    qs = Timer.objects.filter(kind="concerns.deadline", **filters)
    if case is not None:
        qs = qs.filter(subject_type="concerns.case", subject_id=str(case.pk))
    if move is not None:
        qs = qs.filter(payload__move=move.pk)
    if stage is not None:
        qs = qs.filter(payload__stage=stage)
    return qs
