from django.db import models
from django_scopes import ScopedManager


class Permit(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, default="requested")
    decided_on = models.DateField(null=True, blank=True)
    refuse_when_decided = models.BooleanField(default=False)

    objects = ScopedManager(council="council")

    def __str__(self):
        return f"Permit {self.pk} at {self.location}"
