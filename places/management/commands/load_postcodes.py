"""`manage.py load_postcodes NSPL.csv --wards NAMES.csv`: the postcode table from the ONS
lookup, in one transaction; a bad row is named and nothing is loaded."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coins.models import Scheme
from places.loader import LoadRefused, postcodes_load


class Command(BaseCommand):
    help = (
        "Load postcodes, their points and wards from the ONS National Statistics Postcode "
        "Lookup (NSPL) CSV and the ward names file beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nspl", type=Path, help="the NSPL CSV (columns pcds, lat, long, ward)")
        parser.add_argument(
            "--wards", type=Path, required=True, help="the ward names CSV (WDyyCD, WDyyNM)"
        )
        parser.add_argument("--scheme", help="the slug of the scheme these wards belong to")
        parser.add_argument(
            "--authority",
            action="append",
            default=[],
            help="only this local authority's postcodes (the laua column, e.g. E08000035); "
            "give it once per authority",
        )
        parser.add_argument(
            "--ward-column", default="ward", help="the NSPL column with the ward code"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = None
        if options["scheme"]:
            scheme = Scheme.objects.filter(slug=options["scheme"]).first()
            if scheme is None:
                raise CommandError(f"There is no scheme with the slug {options['scheme']!r}.")
        self.stdout.write(f"Reading {options['nspl']} …")
        try:
            result = postcodes_load(
                nspl=options["nspl"],
                ward_names=options["wards"],
                scheme=scheme,
                authorities=frozenset(options["authority"]),
                ward_column=options["ward_column"],
                progress=lambda read: self.stdout.write(f"  {read:,} rows read …"),
            )
        except LoadRefused as refused:
            raise CommandError(f"{refused} Nothing was loaded.") from refused
        self.stdout.write(
            f"Done: {result.read:,} rows read; {result.postcodes_changed:,} postcodes and "
            f"{result.wards_changed:,} wards added or changed; {result.without_location:,} "
            f"without a location and {result.outside_area:,} outside the area left out."
        )
