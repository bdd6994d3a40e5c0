"""factory_boy factories for the models tests build on."""

import datetime as dt

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password

from councils.models import Council, Membership, Role, User
from providers.models import Location, Provider, Rating

PASSWORD = "correct-horse-battery"
_HASH = None


def _password_hash():
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    return _HASH


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Council {n}")
    code = factory.Sequence(lambda n: f"test-{n}")
    short_name = factory.LazyAttribute(lambda o: o.name.replace(" Council", ""))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.LazyFunction(_password_hash)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = Role.OFFICER


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    cqc_provider_id = factory.Sequence(lambda n: f"1-9{n:08d}")
    name = factory.Sequence(lambda n: f"Provider {n} Ltd")
    name_key = factory.LazyAttribute(lambda o: o.name.lower())


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    provider = factory.SubFactory(ProviderFactory)
    cqc_location_id = factory.Sequence(lambda n: f"1-8{n:08d}")
    name = factory.Sequence(lambda n: f"Location {n}")
    postcode = "BR1 1AA"
    postcode_key = "BR11AA"
    local_authority = "Bromley"
    care_home = True
    beds = 40


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    location = factory.SubFactory(LocationFactory)
    report_date = factory.LazyFunction(lambda: dt.date(2025, 1, 15))
    report_link_id = factory.Sequence(lambda n: f"report-{n}")
    overall = "Good"


def policy_text(code: str) -> str:
    return (settings.POLICY_DIR / f"{code}.yaml").read_text(encoding="utf-8")
