"""The database backend: search entries filtered, counted per facet and paged in SQL.

PostgreSQL: the stored, weighted tsvector is matched with prefix terms (so a word being typed
already matches), synonyms are OR-ed in, a word that is not in the vocabulary is OR-ed with its
closest vocabulary word by trigram similarity (typo tolerance), and relevance is ts_rank.
With two or more filters, the facet lexemes (indexed with the words) hand the facet query only
the entries failing at most one filter; with no words and one filter, that filter's facet
comes from the board's counters and the others from the entries passing it.
SQLite: every word must appear in the title, company, summary or description (or a synonym
does), relevance is "title matches first, then newest", and "did you mean" uses difflib.
"""

from __future__ import annotations

import difflib
from contextlib import contextmanager

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Company

from .indexing import facet_token, tsvector_lexeme
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
    SORT_RELEVANCE,
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


def _filter_tokens(query: ListingQuery) -> dict[str, list[str] | None]:
    """Per active filter, the facet lexemes of which an entry passing it has at least one
    (see indexing.facet_tokens); None when the lexemes cannot tell."""
    tokens: dict[str, list[str] | None] = {}
    if query.categories:
        tokens[FACET_CATEGORY] = [facet_token(FACET_CATEGORY, c) for c in query.categories]
    if query.min_hourly_cents:
        # an entry's token is its highest bracket reached, so rates >= the minimum have one
        # of the brackets from the highest at or below the minimum up
        floor = max((c for c, _ in PAY_BRACKETS if c <= query.min_hourly_cents), default=0)
        brackets = [0, *(c for c, _ in PAY_BRACKETS)]
        tokens[FACET_PAY] = (
            [facet_token(FACET_PAY, str(c)) for c in brackets if c >= floor] if floor else None
        )
    if query.language:
        tokens[FACET_LANGUAGE] = [
            facet_token(FACET_LANGUAGE, query.language),
            facet_token(FACET_LANGUAGE, ""),
        ]
    if query.country:
        tokens[FACET_COUNTRY] = [
            facet_token(FACET_COUNTRY, query.country),
            facet_token(FACET_COUNTRY, ""),
        ]
    if query.experience:
        tokens[FACET_EXPERIENCE] = [facet_token(FACET_EXPERIENCE, query.experience)]
    if query.no_test:
        tokens[FACET_TEST] = [facet_token(FACET_TEST, "false")]
    if query.company:
        tokens[FACET_COMPANY] = [facet_token(FACET_COMPANY, str(query.company))]
    return tokens


def _counted_rows_tsquery(tokens: dict[str, list[str] | None]) -> str | None:
    """A tsquery over the facet lexemes matching every entry that fails at most one filter
    (the only entries any facet counts), or None when it would not narrow anything.

    It asks for at most one failing filter among those the lexemes can tell, so it is never
    narrower than the exact filters that the facet query still applies.
    """
    known = {
        name: "(" + " | ".join(tsvector_lexeme(token) for token in alternatives) + ")"
        for name, alternatives in tokens.items()
        if alternatives is not None
    }
    if len(known) < 2:
        return None
    return " | ".join(
        "(" + " & ".join(group for other, group in known.items() if other != name) + ")"
        for name in known
    )


class _LexemeMatch(Func):
    """`vector @@ 'lexeme' | ...::tsquery` with the lexemes taken verbatim (to_tsquery would
    parse and stem them as words)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _lexeme_match(column: str, tsquery: str) -> _LexemeMatch:
    return _LexemeMatch(F(column), Cast(Value(tsquery), output_field=SearchQueryField()))


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
# The grouping sets of the PostgreSQL facet query: the few-valued facets share one set (a
# combination of them has at most a few hundred values), so the rows are hashed four times
# rather than seven; each facet is summed from its set in Python.
GROUPING_SETS = [
    (FACET_CATEGORY, FACET_EXPERIENCE, FACET_TEST, FACET_PAY),
    (FACET_LANGUAGE,),
    (FACET_COUNTRY,),
    (FACET_COMPANY,),
]
# Entries are read from memory, where the default random_page_cost makes a full scan that
# evaluates the text match on every row look cheaper than the GIN index; JIT compilation
# costs more than the facet query it would speed up; with the default work_mem the grouping
# sets are sorted (collation-aware string comparisons) rather than hashed.
PLANNER_SQL = (
    "SELECT set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true), "
    "set_config('work_mem', '32MB', true)"
)
SORT_SQL = {
    "rank": "s_rank DESC, s_published DESC NULLS LAST, s_page DESC",
    SORT_NEWEST: "s_published DESC NULLS LAST, s_page DESC",
    SORT_PAY: "s_pay DESC, s_published DESC NULLS LAST, s_page DESC",
}


def _flag_expressions(filters: dict[str, Q]) -> dict[str, ExpressionWrapper]:
    return {
        f"f_{name}": ExpressionWrapper(q, output_field=BooleanField())
        for name, q in filters.items()
    }


def _facet_statement(
    base: QuerySet, filters: dict[str, Q], *, hits: tuple[str, object, int, int] | None
) -> tuple[str, list]:
    """The GROUPING SETS facet query over `base`, optionally with one page of hit ids.

    Each row carries one flag per active filter (does it pass?); grouping sets count per
    facet value and flag combination, and a facet keeps the combinations where every *other*
    flag is true, so the text match and the row scan happen once however many facets there
    are. With `hits` = (order, tsquery, limit, offset), the matching rows are materialized
    once and the page of ids comes from the same scan (UNION ALL, GROUPING() = -1).
    """
    flags = _flag_expressions(filters)
    columns = {**FACET_COLUMNS, FACET_PAY: _pay_bucket(), FACET_COMPANY: F("company_id")}
    extra = {}
    if hits is not None:
        order, tsquery, _, _ = hits
        extra = {"s_page": F("page_id"), "s_published": F("published_at")}
        if order == SORT_PAY:
            extra["s_pay"] = F("hourly_rate_cents")
        if order == "rank":
            # ranked only when every filter passes: the others never reach the page
            passing = Q(*filters.values()) if filters else Q(pk__isnull=False)
            extra["s_rank"] = Case(
                When(passing, then=SearchRank(F("search_vector"), tsquery)), default=None
            )
    scanned = base.order_by().values(
        **{f"c_{name}": expression for name, expression in columns.items()}, **flags, **extra
    )
    sql, params = scanned.query.sql_with_params()
    params = list(params)
    if len(flags) > 1:
        # A row failing two filters counts for no facet: drop it before grouping.
        failing = " + ".join(f"(NOT COALESCE({flag}, false))::int" for flag in flags)
        sql = f"SELECT * FROM ({sql} OFFSET 0) s WHERE {failing} <= 1"  # noqa: S608
    flag_list = "".join(f", {flag}" for flag in flags)
    sets = ", ".join(
        "(" + ", ".join(f"c_{name}" for name in names) + flag_list + ")" for names in GROUPING_SETS
    )
    grouping = ", ".join(f"c_{name}" for name in FACET_GROUPS)
    # Aliases are our own constants and `sql` is Django's compiled query with its parameters.
    facets = (
        f"SELECT GROUPING({grouping}), {grouping}{flag_list}, COUNT(*), NULL::bigint "  # noqa: S608
        f"FROM m GROUP BY GROUPING SETS ({sets})"
    )
    if hits is None:
        # OFFSET 0 keeps the scan a subquery, so each flag is computed once per row.
        return f"WITH m AS ({sql} OFFSET 0) {facets}", params
    order, _, limit, offset = hits
    nulls = ", ".join(["NULL"] * (len(FACET_GROUPS) + len(flags)))
    passing = " AND ".join(flags) or "TRUE"
    page = (
        f"SELECT -1, {nulls}, NULL, s_page FROM m WHERE {passing} "  # noqa: S608
        f"ORDER BY {SORT_SQL[order]} LIMIT %s OFFSET %s"
    )
    return (
        f"WITH m AS MATERIALIZED ({sql}) {facets} UNION ALL ({page})",
        [*params, limit, offset],
    )


def _facet_rows_grouping_sets(
    base: QuerySet, filters: dict[str, Q], *, hits=None
) -> tuple[dict[str, list], list[int]]:
    """(value, count, label) rows per facet from ONE scan of the matching entries (PostgreSQL),
    and the page of hit ids when `hits` asks for it (see `_facet_statement`)."""
    statement, params = _facet_statement(base, filters, hits=hits)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    width = len(FACET_GROUPS)
    flag_names = list(filters)
    totals: dict[str, dict[str, int]] = {name: {} for name in FACET_GROUPS}
    ids: list[int] = []
    # the grouped columns have their bit clear in the GROUPING() mask
    grouped = {
        mask: [
            (1 + index, name, totals[name])
            for index, name in enumerate(FACET_GROUPS)
            if not mask & (1 << (width - 1 - index))
        ]
        for mask in {row[0] for row in rows}
    }
    for row in rows:
        mask = row[0]
        if mask == -1:
            ids.append(row[-1])
            continue
        failed = None
        flags = row[1 + width : -2]
        if not all(flags):
            failing = [name for name, ok in zip(flag_names, flags, strict=True) if not ok]
            if len(failing) > 1:
                continue
            failed = failing[0]
        n = row[-2]
        # a facet counts the rows passing every filter but its own
        for position, name, counted in grouped[mask]:
            if failed is not None and failed != name:
                continue
            value = row[position]
            key = str(value).lower() if isinstance(value, bool) else str(value)
            counted[key] = counted.get(key, 0) + n
    raw = {
        name: [(value, n, "") for value, n in counted.items()] for name, counted in totals.items()
    }
    raw[FACET_COMPANY] = _top_companies(totals[FACET_COMPANY])
    return raw, ids


SUMMARY_SQL = """
SELECT s.facet, s.value, s.n, c.name
  FROM (SELECT facet, value, SUM(listings) AS n FROM jobs_listingfacetcount
         WHERE deadline >= %s GROUP BY facet, value HAVING SUM(listings) > 0) s
  LEFT JOIN accounts_company c ON s.facet = 'company' AND CAST(c.id AS TEXT) = s.value
"""


def _facet_rows_summary(today) -> dict[str, list]:
    """(value, count, label) rows per facet of the unfiltered board, from the counters that
    indexing keeps (one row per facet value and deadline, not one per listing), with the
    company names in the same query."""
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [today])
        rows = cursor.fetchall()
    totals: dict[str, dict[str, int]] = {name: {} for name in FACET_GROUPS}
    names = {}
    for facet, value, n, name in rows:
        totals[facet][value] = n
        if name is not None:
            names[value] = name
    raw = {
        name: [(value, n, "") for value, n in counted.items()] for name, counted in totals.items()
    }
    raw[FACET_COMPANY] = _top_companies(totals[FACET_COMPANY], names)
    return raw


def _top_companies(counts: dict[str, int], names: dict[str, str] | None = None) -> list:
    """The COMPANY_FACET_SIZE companies with most matches (ties by name), with their names;
    unless given, names are read for the leading companies only."""
    if not counts:
        return []
    if names is None:
        ranked = sorted(counts.values(), reverse=True)
        floor = ranked[min(COMPANY_FACET_SIZE, len(ranked)) - 1]
        leading = [int(key) for key, n in counts.items() if n >= floor and key != "None"]
        names = {
            str(pk): name
            for pk, name in Company.objects.filter(pk__in=leading).values_list("pk", "name")
        }
    rows = [(key, n, names[key]) for key, n in counts.items() if key in names]
    return sorted(rows, key=lambda row: (-row[1], row[2]))[:COMPANY_FACET_SIZE]


@contextmanager
def _planner_settings():
    """PLANNER_SQL for the statements run inside (SET LOCAL lasts until the transaction ends)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(PLANNER_SQL)
        yield


def _narrowed(entries: QuerySet, facet_tsquery: str | None) -> QuerySet:
    """`entries` also matching `facet_tsquery` on the facet lexemes (PostgreSQL): the GIN
    index then hands out only those entries, and the exact filters still decide."""
    if facet_tsquery is None or not is_postgres():
        return entries
    return entries.filter(_lexeme_match("facet_tokens", facet_tsquery))


def _facet_rows_one_filter(
    base: QuerySet, filters: dict[str, Q], tokens: dict[str, list[str] | None], today
) -> dict[str, list]:
    """(value, count, label) rows per facet for no words and one filter: the filtered facet
    counts the whole board (the counters), every other facet counts the entries passing
    the filter, and only those entries are read."""
    [(name, condition)] = filters.items()
    alternatives = tokens[name]
    own = None
    if alternatives is not None:
        own = " | ".join(tsvector_lexeme(token) for token in alternatives)
    passing = _narrowed(base.filter(condition), own)
    if is_postgres():
        with _planner_settings():
            raw, _ = _facet_rows_grouping_sets(passing, {})
    else:
        raw = _facet_rows_union(passing, {})
    raw[name] = _facet_rows_summary(today)[name]
    return raw


def _facet_counts(raw: dict[str, list]) -> dict[str, dict[str, int]]:
    """Counts per value of every facet from the (value, count, label) rows per facet."""
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
    size = query.page_size
    wanted = max(page, 1)
    ids: list[int] | None = None
    tokens = _filter_tokens(query)
    if not terms and not filters:
        raw = _facet_rows_summary(today)
    elif not terms and len(filters) == 1:
        raw = _facet_rows_one_filter(base, filters, tokens, today)
    elif is_postgres():
        hits = None
        if tsquery is not None:
            # the matching rows are scanned once for the facets and the page of ids
            sort = query.effective_sort
            hits = ("rank" if sort == SORT_RELEVANCE else sort, tsquery, size, (wanted - 1) * size)
        counted = _narrowed(base, _counted_rows_tsquery(tokens))
        with _planner_settings():
            raw, ids = _facet_rows_grouping_sets(counted, filters, hits=hits)
        ids = ids if hits else None
    else:
        raw = _facet_rows_union(base, filters)
    facets = _facet_counts(raw)
    category_counts = facets[FACET_CATEGORY]
    if query.categories:
        total = sum(category_counts.get(category, 0) for category in set(query.categories))
    else:
        total = sum(category_counts.values())
    num_pages = max(-(-total // size), 1)
    page = min(wanted, num_pages)
    if not total:
        ids = []
    elif ids is None or page != wanted:
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
