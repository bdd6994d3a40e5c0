"""References people quote (`CASE-2026-0001`, `INT-2026-00001`): one generator for every
numbered record, unique per council, prefix and year."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone


def tenant_lock(council) -> None:
    """Lock the council's row until the transaction ends, so that work on one council that
    must not overlap (numbering, a whole recompute) waits its turn."""
    apps.get_model(settings.TENANT_MODEL).objects.select_for_update().filter(pk=council.pk).first()


def next_reference(
    *,
    council,
    model: type[models.Model],
    prefix: str,
    year: int | None = None,
    width: int = 4,
) -> str:
    """The next reference for `model` in `council`: `<prefix>-<year>-<number>`, the number
    zero-padded to `width` and counting on past it (10000 after 9999). Call inside atomic():
    the council's row is locked so two records never get the same number."""
    tenant_lock(council)
    stem = f"{prefix}-{year or timezone.localdate().year}-"
    last = (
        model.objects.filter(council=council, reference__startswith=stem)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:0{width}d}"
