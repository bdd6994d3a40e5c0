"""Deterministic synthetic CQC API records for the demo, tests and benchmarks.

The same seed gives the same records, byte for byte, on every machine."""

import datetime as dt
import random

SERVICE_TYPES = [
    ("Care home service with nursing", "Care home service with nursing"),
    ("Care home service without nursing", "Care home service without nursing"),
    ("Homecare agencies", "Domiciliary care service"),
    ("Supported living", "Supported living service"),
]
RATINGS = ["Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate"]
KEY_QUESTIONS = ["Safe", "Effective", "Caring", "Responsive", "Well-led"]
PLACES = [
    ("Bromley", "London", "BR1"),
    ("Bedford", "East of England", "MK40"),
    ("Bradford", "Yorkshire and The Humber", "BD1"),
    # Somerset's services spread over its four areas (003 memo: Taunton, Mendip, Sedgemoor
    # and West Somerset, South Somerset), by postcode district.
    ("Somerset", "South West", ("TA1", "BA5", "TA6", "BA20")),
    ("West Berkshire", "South East", "RG14"),
    ("Trafford", "North West", "M33"),
    ("Leeds", "Yorkshire and The Humber", "LS1"),
    ("Kent", "South East", "ME14"),
]
WORDS = [
    "Oak",
    "Willow",
    "Meadow",
    "Cedar",
    "Rose",
    "Hill",
    "Park",
    "Brook",
    "Elm",
    "Beech",
    "Orchard",
    "Abbey",
    "Grange",
    "Heather",
    "Lavender",
    "Maple",
    "Priory",
    "Springfield",
]
KINDS = ["House", "Lodge", "Court", "Manor", "View", "Gardens", "Care Centre", "Home Care"]


def _kq(rng: random.Random, overall: str) -> list[dict]:
    out = []
    for name in KEY_QUESTIONS:
        rating = overall if rng.random() < 0.6 else rng.choice(RATINGS)
        out.append({"name": name, "rating": rating})
    return out


def provider_record(i: int, rng: random.Random) -> dict:
    return {
        "providerId": f"1-{200000000 + i}",
        "name": f"{rng.choice(WORDS)} {rng.choice(['Care', 'Healthcare', 'Living'])} "
        f"{rng.choice(['Ltd', 'Limited', 'Group', 'CIC', 'Trust'])} {i}",
        "organisationType": "Provider",
        "ownershipType": rng.choice(["Organisation", "Partnership", "Individual"]),
        "companiesHouseNumber": f"{rng.randrange(10**7, 10**8)}",
        "registrationStatus": "Registered",
        "regulatedActivities": [
            {
                "name": "Accommodation for persons who require nursing or personal care",
                "code": "RA2",
                "nominatedIndividual": {
                    "personTitle": rng.choice(["Mrs", "Mr", "Ms", "Dr"]),
                    "personGivenName": rng.choice(["Ann", "Raj", "Li", "Sam", "Jo"]),
                    "personFamilyName": rng.choice(["Smith", "Patel", "Chen", "Jones"]),
                },
            }
        ],
    }


def location_record(i: int, provider_id: str, rng: random.Random) -> dict:
    town, region, outward = PLACES[i % len(PLACES)]
    if isinstance(outward, tuple):
        outward = outward[(i // len(PLACES)) % len(outward)]
    st = rng.choice(SERVICE_TYPES)
    care_home = st[0].startswith("Care home")
    history = []
    day = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    for n in range(rng.randrange(1, 4)):
        overall = rng.choice(RATINGS)
        history.append(
            {
                "reportDate": day.isoformat(),
                "reportLinkId": f"rl-{i}-{n}",
                "overall": {"rating": overall, "keyQuestionRatings": _kq(rng, overall)},
            }
        )
        day += dt.timedelta(days=rng.randrange(200, 900))
    current = history[-1]
    record = {
        "locationId": f"1-{100000000 + i}",
        "providerId": provider_id,
        "name": f"{rng.choice(WORDS)} {rng.choice(KINDS)}",
        "registrationStatus": "Registered",
        "registrationDate": (dt.date(2012, 1, 1) + dt.timedelta(days=i % 3000)).isoformat(),
        "dormancy": "N",
        "careHome": "Y" if care_home else "N",
        "numberOfBeds": rng.randrange(8, 120) if care_home else 0,
        "postalAddressLine1": f"{rng.randrange(1, 300)} {rng.choice(WORDS)} Road",
        "postalAddressTownCity": town,
        "postalCode": f"{outward} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJLN')}"
        f"{rng.choice('PQRSTUWXYZ')}",
        "localAuthority": town,
        "region": region,
        "onspdLatitude": round(51 + rng.random() * 3, 5),
        "onspdLongitude": round(-3 + rng.random() * 3, 5),
        "mainPhoneNumber": f"0{rng.randrange(1000000000, 1999999999)}",
        "gacServiceTypes": [{"name": st[0], "description": st[1]}],
        "currentRatings": {
            "overall": {
                "rating": current["overall"]["rating"],
                "reportDate": current["reportDate"],
                "reportLinkId": current["reportLinkId"],
                "keyQuestionRatings": current["overall"]["keyQuestionRatings"],
            }
        },
        "historicRatings": history[:-1],
    }
    return record


def records(locations: int, *, seed: int = 2026, locations_per_provider: int = 5):
    """(provider records, location records), deterministic for a seed."""
    rng = random.Random(seed)
    provider_count = max(1, locations // locations_per_provider)
    providers = [provider_record(i, rng) for i in range(provider_count)]
    locs = [
        location_record(i, providers[i % provider_count]["providerId"], rng)
        for i in range(locations)
    ]
    return providers, locs
