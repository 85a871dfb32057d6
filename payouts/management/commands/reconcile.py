"""manage.py reconcile: compare every cached balance with its entries and our payouts with
Stripe's transfers, store the report and print each difference. Nothing is fixed."""

import json

from django.core.management.base import BaseCommand
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from payouts.reconcile import reconciliation_run


class Command(BaseCommand):
    help = "Reconcile the ledger and Stripe transfers; report differences without fixing them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-on-difference",
            action="store_true",
            help="Exit with status 1 when any difference is found (for monitoring).",
        )

    def handle(self, *args, fail_on_difference=False, **options):
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} transfers"),
            TimeElapsedColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("Reconciling", total=None)
            report = reconciliation_run(progress=lambda n: progress.advance(task, n))
        self.stdout.write(
            f"Report {report.pk}: {report.accounts_checked} accounts and "
            f"{report.transfers_checked} Stripe transfers checked, "
            f"{len(report.differences)} differences."
        )
        for difference in report.differences:
            self.stdout.write(json.dumps(difference, sort_keys=True))
        if report.differences and fail_on_difference:
            raise SystemExit(1)
