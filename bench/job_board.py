"""The job board: listing_search and /jobs/ end to end, on a generated corpus.

make bench                     # SQLite in memory
DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork make bench   # PostgreSQL
"""

import os
import random

from django.conf import settings
from django.test import Client
from rich.progress import track

from accounts.models import Company, Country, Language
from cms.site_tree import ensure_site_tree
from core.categories import Category
from jobs.models import JobIndexPage, JobPage
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search

from .harness import counted_queries, measure, report, throwaway_database

LISTINGS = int(os.environ.get("BENCH_LISTINGS", "400"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
WORDS = ["rater", "annotator", "transcription", "moderator", "search", "image", "review", "chat"]


def build_corpus(count: int) -> None:
    """`count` open listings spread over categories, pay, countries and languages."""
    rng = random.Random(7)
    ensure_site_tree()
    index = JobIndexPage.objects.get()
    companies = [
        Company.objects.create(name=f"Bench company {n}", slug=f"bench-{n}") for n in range(12)
    ]
    countries = list(Country.objects.filter(code__in=["US", "MX", "IN", "DE", "PH", "BR"]))
    languages = list(Language.objects.filter(code__in=["en", "es", "de", "hi", "pt"]))
    categories = list(Category.values)
    for n in track(range(count), description=f"Generating {count} listings"):
        per_task = n % 3 == 0
        page = JobPage(
            title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} job {n}",
            slug=f"bench-job-{n}",
            company=rng.choice(companies),
            category=categories[n % len(categories)],
            summary=f"Remote {rng.choice(WORDS)} work, {rng.choice(WORDS)} tasks.",
            description="<p>Work from home.</p>",
            pay_type=JobPage.PayType.PER_TASK if per_task else JobPage.PayType.PER_HOUR,
            pay_amount_cents=rng.randint(20, 150) if per_task else rng.randint(900, 3800),
            task_minutes=rng.randint(1, 5) if per_task else None,
            live=True,
        )
        index.add_child(instance=page)
        if n % 2:
            page.eligible_countries.set(rng.sample(countries, 2))
        page.required_languages.set(rng.sample(languages, 1))


def run() -> None:
    with throwaway_database():
        build_corpus(LISTINGS)
        cases = {
            "listing_search: no filters, newest": ListingQuery(),
            "listing_search: text + category + country": ListingQuery(
                q="rater", categories=(Category.SEARCH_EVALUATION,), country="MX"
            ),
            "listing_search: min pay $15/h, sorted by pay": ListingQuery(
                min_hourly_cents=1500, sort="pay"
            ),
            "listing_search: language es, page 3": ListingQuery(language="es", page=3),
        }
        rows = []
        for name, query in cases.items():
            with counted_queries() as queries:
                listing_search(query=query)
            rows.append(
                (
                    name,
                    measure(lambda q=query: listing_search(query=q), runs=RUNS),
                    f"{queries[0]} queries",
                )
            )
        client = Client()
        for path in ("/jobs/", "/jobs/?q=rater&category=search-evaluation&country=MX&sort=pay"):
            with counted_queries() as queries:
                status = client.get(path).status_code
            assert status == 200, (path, status)
            rows.append(
                (
                    f"GET {path[:40]}",
                    measure(lambda p=path: client.get(p), runs=RUNS // 2),
                    f"{queries[0]} queries",
                )
            )
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        report(f"Job board, {LISTINGS} open listings, {engine}, {RUNS} runs per case", rows)
        print("  reproduce: make bench   (BENCH_LISTINGS, BENCH_RUNS and DATABASE_URL change it)")
