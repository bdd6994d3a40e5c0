"""CQC's directory CSV, and its variant with ratings: imports, re-imports and bad rows."""

import datetime as dt

import openpyxl
import pytest

from providers.models import ImportProblem, ImportStatus, Location, Rating, RatingChange
from providers.services import import_from_path
from tests.providers.importing.helpers import (
    DIRECTORY,
    DIRECTORY_HEADER,
    DIRECTORY_PREAMBLE,
    RATINGS_HEADER,
    csv_bytes,
    directory_csv,
    directory_row,
    import_bytes,
    problems,
    ratings_row,
    register_snapshot,
)

pytestmark = pytest.mark.django_db


# === 5. CQC directory CSV =====================================================================


class TestDirectoryCsv:
    """Requirement: CQC's directory CSV (4 lines before the header; the columns of
    data/README.md), and the "with ratings" variant."""

    def test_directory_import(self, tmp_path):
        """Rows land with their fields; a provider's homes are grouped by its name."""
        rows = [
            directory_row(),
            directory_row(
                name="Rose House",
                location_id="1-300000002",
                service_types="Nursing homes|Residential homes",
                checked="03/Jan/2025 - 09:00",
            ),
            directory_row(
                name="Sale Home Care",
                location_id="1-300000003",
                service_types="Homecare agencies",
                provider="Other Provider Ltd",
                checked="",
            ),
        ]
        run = import_bytes(tmp_path, directory_csv(rows), "directory.csv", DIRECTORY)

        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 3
        assert run.providers_created == 2
        assert run.problem_count == 0
        cafe = Location.objects.get(cqc_location_id="1-300000001")
        assert cafe.name == "Café Lodge"
        assert cafe.address_line1 == "1 High Street, Sale"
        assert cafe.postcode == "M33 2AB"
        assert cafe.phone == "01619000000"
        assert cafe.website == "www.example.org"
        assert cafe.local_authority == "Trafford"
        assert cafe.last_inspection_date == dt.date(2026, 2, 25)
        assert cafe.care_home is True
        assert cafe.provider.name == "St John’s Care Ltd"
        assert cafe.provider.cqc_provider_id is None
        assert list(cafe.service_types.values_list("name", flat=True)) == ["Residential homes"]
        rose = Location.objects.get(cqc_location_id="1-300000002")
        assert rose.provider == cafe.provider
        assert rose.last_inspection_date == dt.date(2025, 1, 3)
        assert sorted(rose.service_types.values_list("name", flat=True)) == [
            "Nursing homes",
            "Residential homes",
        ]
        homecare = Location.objects.get(cqc_location_id="1-300000003")
        assert homecare.care_home is False
        assert homecare.last_inspection_date is None
        assert homecare.provider.name == "Other Provider Ltd"
        assert Rating.objects.count() == 0

    def test_directory_reimport_changes_nothing(self, tmp_path):
        """The same directory file twice: the second run leaves every row as it was."""
        rows = [directory_row(), directory_row(name="Rose House", location_id="1-300000002")]
        data = directory_csv(rows)
        import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        snapshot = register_snapshot()
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert (run.locations_created, run.locations_updated, run.unchanged) == (0, 0, 2)
        assert run.providers_created == 0
        assert register_snapshot() == snapshot

    def test_directory_bad_rows_reported_by_line(self, tmp_path):
        """A bad row is reported with its line in the file (header on line 5, first data
        row on line 6); the good rows still import."""
        rows = [
            directory_row(),  # line 6
            directory_row(location_id="RXX12"),  # line 7
            directory_row(name="", location_id="1-300000003"),  # line 8
            directory_row(name="Late", location_id="1-300000004", checked="yesterday"),  # 9
            directory_row(name="Fine", location_id="1-300000005"),  # line 10
        ]
        run = import_bytes(tmp_path, directory_csv(rows), "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 2
        assert run.problem_count == 3
        found = problems(run)
        assert set(found) == {7, 8, 9}
        assert "location ID" in found[7] and "RXX12" in found[7]
        assert "Name" in found[8]
        assert "Date of latest check" in found[9]
        assert ImportProblem.objects.get(run=run, row=7).identifier == "RXX12"

    def test_directory_windows_1252(self, tmp_path):
        """A Windows-1252 directory CSV imports and its text is right ("é", "’")."""
        data = directory_csv([directory_row()], encoding="cp1252")
        assert "é".encode("cp1252") in data and b"\x92" in data  # really cp1252
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get()
        assert loc.name == "Café Lodge"
        assert loc.provider.name == "St John’s Care Ltd"

    def test_directory_header_found_without_preamble(self, tmp_path):
        """A directory file saved without its title lines still imports."""
        data = directory_csv([directory_row()], preamble=[])
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.count() == 1

    def test_directory_as_xlsx(self, tmp_path):
        """The directory as a workbook (title lines, then the header) imports the same."""
        book = openpyxl.Workbook()
        for row in [*DIRECTORY_PREAMBLE, DIRECTORY_HEADER, directory_row()]:
            book.active.append(row)
        path = tmp_path / "directory.xlsx"
        book.save(path)
        run = import_from_path(path=path, format=DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get()
        assert loc.name == "Café Lodge"
        assert loc.last_inspection_date == dt.date(2026, 2, 25)

    @pytest.mark.parametrize("preamble", [0, 4], ids=["header-first", "4-title-lines"])
    def test_with_ratings_variant(self, tmp_path, preamble):
        """The "with ratings" variant: IDs, care home, beds, authority, postcode, provider
        ID, and the latest overall rating with its publication date as history."""
        rows = [
            ratings_row(),
            ratings_row(
                location_id="1-400000002",
                name="Cedar View",
                care_home="N",
                rating="Outstanding",
                published="01/12/2023",
                beds="",
            ),
            ratings_row(
                location_id="1-400000003",
                name="New Place",
                rating="No published rating",
                published="",
                provider_id="1-500000002",
                provider="Other Ltd",
            ),
        ]
        head = DIRECTORY_PREAMBLE[:preamble]
        run = import_bytes(
            tmp_path, csv_bytes([*head, RATINGS_HEADER, *rows]), "ratings.csv", DIRECTORY
        )

        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 3
        assert run.providers_created == 2
        assert run.ratings_added == 2
        maple = Location.objects.get(cqc_location_id="1-400000001")
        assert maple.name == "Maple Court"
        assert maple.care_home is True
        assert maple.beds == 40
        assert maple.local_authority == "Bedford"
        assert maple.region == "East of England"
        assert maple.postcode == "MK40 1AB"
        assert maple.address_line1 == "5 Maple Road"
        assert maple.town == "Bedford"
        assert maple.provider.cqc_provider_id == "1-500000001"
        assert maple.provider.name == "Maple Group Ltd"
        assert maple.overall_rating == "Requires improvement"
        assert maple.rating_date == dt.date(2024, 3, 14)
        rating = maple.ratings.get()
        assert (rating.report_date, rating.overall) == (
            dt.date(2024, 3, 14),
            "Requires improvement",
        )
        cedar = Location.objects.get(cqc_location_id="1-400000002")
        assert cedar.care_home is False
        assert cedar.beds is None
        assert cedar.provider == maple.provider
        assert cedar.overall_rating == "Outstanding"
        new = Location.objects.get(cqc_location_id="1-400000003")
        assert new.overall_rating == ""
        assert new.ratings.count() == 0

    def test_with_ratings_reimport_and_new_rating(self, tmp_path):
        """Re-importing the ratings file changes nothing; a later file with a new
        publication date adds history and a RatingChange."""
        data = csv_bytes([RATINGS_HEADER, ratings_row()])
        import_bytes(tmp_path, data, "ratings.csv", DIRECTORY)
        snapshot = register_snapshot()
        again = import_bytes(tmp_path, data, "ratings.csv", DIRECTORY)
        assert (again.unchanged, again.ratings_added, again.rating_changes) == (1, 0, 0)
        assert register_snapshot() == snapshot

        newer = csv_bytes([RATINGS_HEADER, ratings_row(rating="Good", published="02/02/2026")])
        run = import_bytes(tmp_path, newer, "ratings.csv", DIRECTORY)
        assert (run.ratings_added, run.rating_changes) == (1, 1)
        change = RatingChange.objects.get()
        assert (change.previous_overall, change.current_overall) == (
            "Requires improvement",
            "Good",
        )
        assert Location.objects.get().overall_rating == "Good"

    def test_with_ratings_bad_values_reported(self, tmp_path):
        """Unknown rating, bad date, bad beds, bad Y/N are each reported by line."""
        rows = [
            ratings_row(),  # line 2
            ratings_row(location_id="1-400000002", rating="Brilliant"),  # 3
            ratings_row(location_id="1-400000003", published="32/13/2024"),  # 4
            ratings_row(location_id="1-400000004", beds="forty"),  # 5
            ratings_row(location_id="1-400000005", care_home="Maybe"),  # 6
            ratings_row(location_id="1-400000006", provider_id="P-1"),  # 7
        ]
        run = import_bytes(tmp_path, csv_bytes([RATINGS_HEADER, *rows]), "r.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE
        assert run.locations_created == 1
        found = problems(run)
        assert set(found) == {3, 4, 5, 6, 7}
        assert "Location Latest Overall Rating" in found[3] and "Brilliant" in found[3]
        assert "Publication Date" in found[4]
        assert "Care homes beds" in found[5]
        assert "Care home?" in found[6]
        assert "provider ID" in found[7]
