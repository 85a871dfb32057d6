"""Job search at scale: 100,000 generated listings on PostgreSQL.

Measures listing_search (text + two filters + every facet count), the same query through
Wagtail's own database search backend, the database index refresh throughput (and
Elasticsearch bulk indexing when ELASTICSEARCH_URL is set), and /jobs/ end to end.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_searchbench \
    .venv/bin/python -m bench job_search
BENCH_SEARCH_LISTINGS=20000 ... for a quicker run; SQLite works too but is not the target.
"""

import os
import random
import time
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rich.progress import track
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from accounts.models import Company, Country, Language
from cms.site_tree import ensure_site_tree
from core.categories import Category
from jobs.models import JobIndexPage, JobPage
from jobs.search import db, es
from jobs.search.indexing import database_index_rebuild, entries_for_index, search_data_changed
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search

from .harness import counted_queries, measure, report, throwaway_database

# 100,000 on PostgreSQL (the target); SQLite, the embedded default, gets a smaller corpus.
LISTINGS_BY_VENDOR = {"postgresql": 100_000}
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
BATCH = 5000
ROLES = [
    "rater",
    "annotator",
    "transcriber",
    "moderator",
    "evaluator",
    "reviewer",
    "tagger",
    "labeler",
    "linguist",
    "translator",
    "editor",
    "writer",
    "tester",
    "analyst",
    "checker",
    "curator",
    "classifier",
    "researcher",
    "proofreader",
    "verifier",
    "auditor",
    "judge",
    "specialist",
    "coordinator",
    "assistant",
    "agent",
    "expert",
    "trainer",
    "grader",
    "scorer",
]
DOMAINS = [
    "search results",
    "product images",
    "podcast audio",
    "social media posts",
    "chatbot answers",
    "medical texts",
    "street scenes",
    "customer emails",
    "news articles",
    "video clips",
    "maps",
    "receipts",
    "legal documents",
    "song lyrics",
    "recipes",
    "ads",
    "satellite photos",
    "call recordings",
    "code reviews",
    "math problems",
    "travel listings",
    "job posts",
    "fashion photos",
    "sports clips",
    "game footage",
    "forum threads",
    "support tickets",
]
ADJECTIVES = ["remote", "part-time", "flexible", "senior", "junior", "weekend", "bilingual"]
FILLER = "Work from home on your own schedule with clear guidelines and weekly pay. " * 3


def _job_columns() -> list[str]:
    return [f.column for f in JobPage._meta.local_concrete_fields]


def build_corpus(count: int) -> None:
    """`count` open listings inserted in bulk: Page rows with treebeard paths computed here,
    then the JobPage rows and their language and country links with executemany."""
    rng = random.Random(7)
    ensure_site_tree()
    index = JobIndexPage.objects.get()
    content_type = ContentType.objects.get_for_model(JobPage)
    locale = Locale.get_default()
    companies = [
        Company.objects.create(
            name=f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella'])} {name} {n}",
            slug=f"bench-{n}",
        )
        for n, name in enumerate(["Data", "Labs", "AI", "Insights", "Works"] * 40)
    ]
    countries = list(Country.objects.values_list("code", flat=True)[:40])
    languages = list(Language.objects.values_list("code", flat=True)[:12])
    categories = list(Category.values)
    now = timezone.now()
    columns = _job_columns()
    placeholders = ", ".join(["%s"] * len(columns))
    # Identifiers come from the model's own metadata; every value is a parameter.
    insert_job = f"INSERT INTO jobs_jobpage ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    through_languages = JobPage.required_languages.through._meta.db_table
    through_countries = JobPage.eligible_countries.through._meta.db_table
    for start in track(range(0, count, BATCH), description=f"Generating {count} listings"):
        numbers = range(start, min(start + BATCH, count))
        with transaction.atomic():
            pages = []
            for n in numbers:
                adjective, role = rng.choice(ADJECTIVES).title(), rng.choice(ROLES)
                title = f"{adjective} {role} for {rng.choice(DOMAINS)}"
                slug = f"bench-job-{n}"
                published = now - timezone.timedelta(minutes=n)
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=content_type,
                        locale=locale,
                        translation_key=uuid.uuid4(),
                        live=True,
                        path=JobIndexPage._get_path(index.path, index.depth + 1, n + 1),
                        depth=index.depth + 1,
                        numchild=0,
                        url_path=f"{index.url_path}{slug}/",
                        first_published_at=published,
                        last_published_at=published,
                    )
                )
            Page.objects.bulk_create(pages)
            rows, language_rows, country_rows = [], [], []
            for n, page in zip(numbers, pages, strict=True):
                per_task = n % 3 == 0
                values = {
                    "page_ptr_id": page.pk,
                    "company_id": rng.choice(companies).pk,
                    "category": categories[n % len(categories)],
                    "summary": f"{rng.choice(ROLES).title()} work on {rng.choice(DOMAINS)}.",
                    "description": f"<p>{FILLER}</p>",
                    "pay_type": "per_task" if per_task else "per_hour",
                    "pay_amount_cents": rng.randint(20, 150)
                    if per_task
                    else rng.randint(900, 3800),
                    "currency": "USD",
                    "task_minutes": rng.randint(1, 5) if per_task else None,
                    "hours_per_week": 10,
                    "experience_level": rng.choice(JobPage.Experience.values),
                    "openings": 10,
                    "deadline": None,
                    "status": "open",
                    "qualification_test_id": None,
                }
                rows.append([values[column] for column in columns])
                if n % 2:
                    country_rows += [(page.pk, code) for code in rng.sample(countries, 2)]
                language_rows.append((page.pk, rng.choice(languages)))
            with connection.cursor() as cursor:
                cursor.executemany(insert_job, rows)
                cursor.executemany(
                    f"INSERT INTO {through_languages} (jobpage_id, language_id) VALUES (%s, %s)",  # noqa: S608
                    language_rows,
                )
                cursor.executemany(
                    f"INSERT INTO {through_countries} (jobpage_id, country_id) VALUES (%s, %s)",  # noqa: S608
                    country_rows,
                )
    Page.objects.filter(pk=index.pk).update(numchild=count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed(label: str, call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f} s")
    return seconds, result


def run() -> None:
    listings = int(
        os.environ.get("BENCH_SEARCH_LISTINGS", LISTINGS_BY_VENDOR.get(connection.vendor, 20_000))
    )
    with throwaway_database():
        _run(listings)


def _run(listings: int) -> None:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\nJob search benchmark: {listings} listings on {engine}")
    _timed("generate corpus (bulk insert)", lambda: build_corpus(listings))
    seconds, indexed = _timed("database index refresh (rebuild_job_index)", database_index_rebuild)
    throughput = [f"database index refresh: {indexed / seconds:,.0f} listings/s"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_listingsearchentry")

    pages = JobPage.objects.order_by("pk")
    backend = get_search_backend()

    def wagtail_index():
        for start in range(0, listings, BATCH):
            backend.add_bulk(JobPage, list(pages[start : start + BATCH]))

    seconds, _ = _timed("Wagtail database search index (add_bulk)", wagtail_index)
    throughput.append(f"Wagtail search index: {listings / seconds:,.0f} listings/s")

    if es.enabled():
        name = es.new_index_name()
        es.create_index(name)
        seconds, count = _timed(
            "Elasticsearch bulk indexing",
            lambda: es.bulk_index(entries_for_index(), index=name),
        )
        throughput.append(f"Elasticsearch bulk: {count / seconds:,.0f} listings/s")
        es.swap_alias(name)

    sample = JobPage.objects.order_by("pk").first()
    company_id = sample.company_id
    category = Category.SEARCH_EVALUATION.value
    text_two_filters = ListingQuery(q="rater", categories=(category,), language="en")
    cases = {
        "search: text + category + language + facets": text_two_filters,
        "search: text + category + company + facets": ListingQuery(
            q="rater", categories=(category,), company=company_id
        ),
        "search: typo 'ratr' + 2 filters + facets": ListingQuery(
            q="ratr", categories=(category,), language="en"
        ),
        "search: empty query, newest (the /jobs/ default)": ListingQuery(),
        "search: no text, category filter + facets": ListingQuery(categories=(category,)),
        "search: two words, sort by pay, page 5": ListingQuery(
            q="podcast transcriber", sort="pay", page=5
        ),
    }
    rows = []
    for name, query in cases.items():
        # Cold: the database query itself, as on the first request after any listing changed.
        with counted_queries() as queries:
            raw = db.search(query, page=query.page)
        rows.append(
            (
                name + " (uncached)",
                measure(lambda q=query: db.search(q, page=q.page), runs=RUNS),
                f"{raw['total']} hits, {queries[0]} queries",
            )
        )
        # Warm: the service, whose page of results is cached until a listing changes.
        rows.append(
            (
                name + " (service)",
                measure(lambda q=query: listing_search(query=q), runs=RUNS),
                "cached until the next listing change",
            )
        )

    def wagtail_search():
        results = (
            JobPage.objects.live()
            .filter(category=category, company_id=company_id)
            .search("rater", backend="default")
        )
        hits = list(results[:12])
        counts = results.facet("category")
        return hits, counts

    with counted_queries() as queries:
        hits, _counts = wagtail_search()
    rows.append(
        (
            "Wagtail search: text + category + company + 1 facet",
            measure(wagtail_search, runs=10, warmup=1),
            f"{len(hits)} hits shown, {queries[0]} queries",
        )
    )

    client = Client()
    path = f"/jobs/?q=rater&category={category}&language=en"

    def fresh_get(url):
        # as the first request after a listing changed: the cached results are invalidated
        search_data_changed()
        return client.get(url)

    for url in ("/jobs/", path):
        status = client.get(url).status_code
        assert status == 200, (url, status)
        rows.append((f"GET {url[:44]}", measure(lambda u=url: client.get(u), runs=RUNS // 2), ""))
        rows.append(
            (
                f"GET {url[:36]} (fresh)",
                measure(lambda u=url: fresh_get(u), runs=RUNS // 2),
                "search cache invalidated first",
            )
        )

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    report(
        f"Job search, {listings} listings, {engine}, {RUNS} runs per case, "
        f"{os.cpu_count()} CPUs, load average {load}",
        rows,
    )
    print("  indexing throughput: " + "; ".join(throughput))
    print(
        "  reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_searchbench "
        ".venv/bin/python -m bench job_search   (BENCH_SEARCH_LISTINGS, BENCH_RUNS change it)"
    )
