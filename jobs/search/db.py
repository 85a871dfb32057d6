"""The database backend: search entries filtered, counted per facet and paged in SQL.

PostgreSQL: the stored, weighted tsvector is matched with prefix terms (so a word being typed
already matches), synonyms are OR-ed in, a word that is not in the vocabulary is OR-ed with its
closest vocabulary word by trigram similarity (typo tolerance), and relevance is ts_rank.
SQLite: every word must appear in the title, company, summary or description (or a synonym
does), relevance is "title matches first, then newest", and "did you mean" uses difflib.
"""

from __future__ import annotations

import difflib

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from .models import ListingSearchEntry, ListingSearchWord
from .results import (
    COMPANY_FACET_SIZE,
    FACET_CATEGORY,
    FACET_COMPANY,
    FACET_COUNTRY,
    FACET_EXPERIENCE,
    FACET_LANGUAGE,
    FACET_PAY,
    FACET_TEST,
    PAY_BRACKETS,
    SORT_NEWEST,
    SORT_PAY,
    ListingQuery,
)
from .text import SYNONYMS, query_terms

TRIGRAM_THRESHOLD = 0.3
ANY = "_any"

# For each query word: is it (a prefix of) a known word, and the closest known word.
CORRECTIONS_SQL = """
SELECT t.term,
       EXISTS (SELECT 1 FROM jobs_listingsearchword w WHERE w.word LIKE t.term || '%%'),
       (SELECT w.word FROM jobs_listingsearchword w
         WHERE w.word %% t.term AND similarity(w.word, t.term) >= %s
         ORDER BY similarity(w.word, t.term) DESC, w.word LIMIT 1)
  FROM unnest(%s::text[]) AS t(term)
"""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def corrections(terms: list[str]) -> dict[str, str]:
    """Query words unknown to the vocabulary, each with its closest known word."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(CORRECTIONS_SQL, [TRIGRAM_THRESHOLD, terms])
            return {term: best for term, known, best in cursor.fetchall() if not known and best}
    found = {}
    for term in terms:
        candidates = ListingSearchWord.objects.filter(word__startswith=term[:1]).values_list(
            "word", flat=True
        )
        if term in candidates:
            continue
        close = difflib.get_close_matches(term, list(candidates[:5000]), n=1, cutoff=0.75)
        if close:
            found[term] = close[0]
    return found


def _alternatives(term: str, correction: str | None) -> list[str]:
    words = [term, *SYNONYMS.get(term, ())]
    if correction:
        words.append(correction)
    return list(dict.fromkeys(words))


def _tsquery(terms: list[str], fixes: dict[str, str]) -> SearchQuery:
    combined = None
    for term in terms:
        either = None
        for word in _alternatives(term, fixes.get(term)):
            # Words are letters and digits only (see query_terms), so quoting is enough.
            part = SearchQuery(f"'{word}':*", search_type="raw", config="english")
            either = part if either is None else either | part
        combined = either if combined is None else combined & either
    return combined


def _like_condition(terms: list[str]) -> Q:
    condition = Q()
    for term in terms:
        either = Q()
        for word in _alternatives(term, None):
            either |= (
                Q(title__icontains=word)
                | Q(company_name__icontains=word)
                | Q(summary__icontains=word)
                | Q(body__icontains=word)
            )
        condition &= either
    return condition


def _filters(query: ListingQuery) -> dict[str, Q]:
    filters = {}
    if query.categories:
        filters[FACET_CATEGORY] = Q(category__in=query.categories)
    if query.min_hourly_cents:
        filters[FACET_PAY] = Q(hourly_rate_cents__gte=query.min_hourly_cents)
    if query.language:
        filters[FACET_LANGUAGE] = Q(languages__contains=f" {query.language} ") | Q(languages="")
    if query.country:
        filters[FACET_COUNTRY] = Q(countries__contains=f" {query.country} ") | Q(countries="")
    if query.experience:
        filters[FACET_EXPERIENCE] = Q(experience=query.experience)
    if query.no_test:
        filters[FACET_TEST] = Q(test_required=False)
    if query.company:
        filters[FACET_COMPANY] = Q(company_id=query.company)
    return filters


def _without(filters: dict[str, Q], name: str) -> list[Q]:
    return [condition for other, condition in filters.items() if other != name]


def _code_counts(rows) -> dict[str, int]:
    """Counts per code from counts per code list; a listing with no list is open to all."""
    open_to_all = 0
    counts: dict[str, int] = {}
    for codes, n in rows:
        if not codes:
            open_to_all += n
        for code in codes.split():
            counts[code] = counts.get(code, 0) + n
    result = {code: n + open_to_all for code, n in counts.items()}
    result[ANY] = open_to_all
    return result


def _pay_bucket() -> Case:
    """The highest pay bracket a listing reaches (0 below the lowest); counts are cumulative."""
    return Case(
        *[
            When(hourly_rate_cents__gte=cents, then=Value(cents))
            for cents, _ in sorted(PAY_BRACKETS, reverse=True)
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


FACET_COLUMNS = {
    FACET_CATEGORY: F("category"),
    FACET_EXPERIENCE: F("experience"),
    FACET_TEST: F("test_required"),
    FACET_LANGUAGE: F("languages"),
    FACET_COUNTRY: F("countries"),
}


def _facet_rows_union(base: QuerySet, filters: dict[str, Q]) -> dict[str, list]:
    """(value, count, label) rows per facet: one grouped SELECT per facet, each with every
    other filter applied, joined with UNION ALL into one round trip (the SQLite path)."""

    def narrowed(name):
        return base.filter(*_without(filters, name)).order_by()

    parts = []
    for name, column in FACET_COLUMNS.items():
        grouped = narrowed(name).values(value=column).annotate(n=Count("pk"), label=Value(""))
        parts.append((name, grouped.values_list("value", "n", "label")))
    pay = narrowed(FACET_PAY).values(value=_pay_bucket()).annotate(n=Count("pk"), label=Value(""))
    parts.append((FACET_PAY, pay.values_list("value", "n", "label")))
    companies = (
        narrowed(FACET_COMPANY)
        .values(value=F("company_id"))
        .annotate(n=Count("pk"), label=Max("company_name"))
        .order_by("-n", "label")
        .values_list("value", "n", "label")[:COMPANY_FACET_SIZE]
    )
    parts.append((FACET_COMPANY, companies))

    statements, params = [], []
    for name, queryset in parts:
        sql, part_params = queryset.query.sql_with_params()
        # Django compiled `sql`; the facet name and every value are parameters.
        statements.append(
            f"SELECT CAST(%s AS TEXT), CAST(f.value AS TEXT), f.n, f.label FROM ({sql}) f"  # noqa: S608
        )
        params += [name, *part_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        rows = cursor.fetchall()

    raw: dict[str, list] = {name: [] for name, _ in parts}
    for name, value, n, label in rows:
        raw[name].append((value, n, label))
    return raw


FACET_GROUPS = [*FACET_COLUMNS, FACET_PAY, FACET_COMPANY]


def _facet_rows_grouping_sets(base: QuerySet, filters: dict[str, Q]) -> dict[str, list]:
    """(value, count, label) rows per facet from ONE scan of the matching entries (PostgreSQL).

    Each row carries one flag per active filter (does it pass?); GROUPING SETS count per facet
    value and flag combination, and a facet keeps the combinations where every *other* flag
    is true. So the text match and the row scan happen once, however many facets there are.
    """
    flags = {
        f"f_{name}": ExpressionWrapper(q, output_field=BooleanField())
        for name, q in filters.items()
    }
    columns = {**FACET_COLUMNS, FACET_PAY: _pay_bucket(), FACET_COMPANY: F("company_id")}
    scanned = base.order_by().values(
        **{f"c_{name}": expression for name, expression in columns.items()},
        company=F("company_name"),
        **flags,
    )
    sql, params = scanned.query.sql_with_params()
    flag_list = ", ".join(flags)
    sets = ", ".join(f"(c_{name}{', ' + flag_list if flag_list else ''})" for name in FACET_GROUPS)
    grouping = ", ".join(f"c_{name}" for name in FACET_GROUPS)
    select_flags = f", {flag_list}" if flag_list else ""
    # Aliases are our own constants and `sql` is Django's compiled query with its parameters.
    statement = (
        f"SELECT GROUPING({grouping}), {grouping}{select_flags}, COUNT(*), MAX(m.company) "  # noqa: S608
        # OFFSET 0 keeps the scan a subquery, so each flag is computed once per row.
        f"FROM ({sql} OFFSET 0) m GROUP BY GROUPING SETS ({sets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    raw: dict[str, list] = {name: [] for name in FACET_GROUPS}
    width = len(FACET_GROUPS)
    flag_names = list(filters)
    for row in rows:
        mask, values = row[0], row[1 : 1 + width]
        passed = dict(zip(flag_names, row[1 + width : 1 + width + len(flag_names)], strict=True))
        n, company = row[-2], row[-1]
        # the one grouped column has its bit clear in the GROUPING() mask
        index = next(i for i in range(width) if not mask & (1 << (width - 1 - i)))
        name = FACET_GROUPS[index]
        if all(ok for other, ok in passed.items() if other != name):
            value = values[index]
            raw[name].append(
                (
                    str(value).lower() if isinstance(value, bool) else str(value),
                    n,
                    company if name == FACET_COMPANY else "",
                )
            )
    merged: dict[str, dict] = {}
    for name, entries in raw.items():
        totals: dict[str, list] = {}
        for value, n, label in entries:
            current = totals.setdefault(value, [0, label])
            current[0] += n
        merged[name] = [(value, n, label) for value, (n, label) in totals.items()]
    merged[FACET_COMPANY] = sorted(merged[FACET_COMPANY], key=lambda row: (-row[1], row[2]))[
        :COMPANY_FACET_SIZE
    ]
    return merged


def _facet_counts(base: QuerySet, filters: dict[str, Q]) -> dict[str, dict[str, int]]:
    """Counts per value of every facet, each with every other filter applied, in one query."""
    raw = (
        _facet_rows_grouping_sets(base, filters)
        if is_postgres()
        else _facet_rows_union(base, filters)
    )
    counts: dict[str, dict[str, int]] = {}
    for name in (FACET_CATEGORY, FACET_EXPERIENCE):
        counts[name] = {value: n for value, n, _ in raw[name]}
    counts[FACET_TEST] = {
        ("true" if value in ("1", "true") else "false"): n for value, n, _ in raw[FACET_TEST]
    }
    for name in (FACET_LANGUAGE, FACET_COUNTRY):
        counts[name] = _code_counts((value, n) for value, n, _ in raw[name])
    buckets = {int(value): n for value, n, _ in raw[FACET_PAY]}
    counts[FACET_PAY] = {
        str(cents): sum(n for bucket, n in buckets.items() if bucket >= cents)
        for cents, _ in PAY_BRACKETS
    }
    counts[FACET_COMPANY] = {value: n for value, n, _ in raw[FACET_COMPANY]}
    counts["_company_names"] = {value: label for value, _, label in raw[FACET_COMPANY]}
    return counts


def _ordered(listings: QuerySet, query: ListingQuery, tsquery, terms: list[str]) -> QuerySet:
    newest = [F("published_at").desc(nulls_last=True), F("page_id").desc()]
    sort = query.effective_sort
    if sort == SORT_NEWEST:
        return listings.order_by(*newest)
    if sort == SORT_PAY:
        return listings.order_by(F("hourly_rate_cents").desc(), *newest)
    if tsquery is not None:
        return listings.annotate(rank=SearchRank(F("search_vector"), tsquery)).order_by(
            F("rank").desc(), *newest
        )
    title_hits = sum(
        (Case(When(title__icontains=term, then=Value(1)), default=Value(0)) for term in terms),
        Value(0),
    )
    return listings.annotate(
        title_hits=title_hits * Value(1, output_field=IntegerField())
    ).order_by(F("title_hits").desc(), *newest)


def search(query: ListingQuery, *, page: int) -> dict:
    """One page of `query` from the database, in the raw shape both backends return."""
    today = timezone.localdate()
    base = ListingSearchEntry.objects.filter(visible=True).filter(
        Q(deadline__isnull=True) | Q(deadline__gte=today)
    )
    terms = query_terms(query.q)
    fixes: dict[str, str] = {}
    tsquery = None
    if terms and is_postgres():
        fixes = corrections(terms)
        tsquery = _tsquery(terms, fixes)
        base = base.filter(search_vector=tsquery)
    elif terms:
        base = base.filter(_like_condition(terms))

    filters = _filters(query)
    facets = _facet_counts(base, filters)
    category_counts = facets[FACET_CATEGORY]
    if query.categories:
        total = sum(category_counts.get(category, 0) for category in set(query.categories))
    else:
        total = sum(category_counts.values())

    size = query.page_size
    num_pages = max(-(-total // size), 1)
    page = min(max(page, 1), num_pages)
    ids: list[int] = []
    if total:
        listings = _ordered(base.filter(*filters.values()), query, tsquery, terms)
        offset = (page - 1) * size
        ids = list(listings.values_list("page_id", flat=True)[offset : offset + size])
    if terms and not total and not fixes:
        fixes = corrections(terms)
    suggestion = " ".join(fixes.get(term, term) for term in terms) if fixes else ""
    return {
        "ids": ids,
        "words": {word for term in terms for word in _alternatives(term, fixes.get(term))},
        "total": total,
        "page": page,
        "facets": facets,
        "suggestion": suggestion,
    }
