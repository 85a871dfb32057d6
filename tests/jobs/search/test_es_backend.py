"""The Elasticsearch backend without a cluster: the index definition and the requests it
sends, checked as the JSON structures they must produce, the response parsing, and the
fallback to the database when the cluster is down."""

import logging

import pytest

from core.categories import Category
from jobs.search import es
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search, listing_suggest


def test_index_settings_define_english_stemming_and_field_synonyms():
    body = es.job_index("loopwork-jobs-1").to_dict()
    analysis = body["settings"]["analysis"]

    assert body["settings"]["number_of_shards"] == 1
    assert analysis["filter"]["job_synonyms"] == {
        "type": "synonym_graph",
        "synonyms": [
            "annotation, labeling, labelling, tagging",
            "moderation, review",
            "rater, evaluator, assessor",
            "transcription, speech",
        ],
    }
    assert analysis["filter"]["job_english_stemmer"] == {"type": "stemmer", "language": "english"}
    # synonyms expand at search time only; both analyzers stem English
    assert "job_synonyms" not in analysis["analyzer"]["job_text"]["filter"]
    assert analysis["analyzer"]["job_text_search"]["filter"] == [
        "lowercase",
        "asciifolding",
        "job_english_possessive",
        "job_synonyms",
        "job_english_stop",
        "job_english_stemmer",
    ]


def test_mappings_keep_filters_as_keywords_and_text_analyzed():
    properties = es.job_index("loopwork-jobs-1").to_dict()["mappings"]["properties"]

    for field in ("languages", "countries", "category", "experience", "company_id"):
        assert properties[field] == {"type": "keyword"}
    assert properties["title"]["analyzer"] == "job_text"
    assert properties["title"]["search_analyzer"] == "job_text_search"
    assert properties["title"]["fields"] == {"raw": {"type": "keyword"}}
    assert properties["suggest"]["type"] == "completion"
    assert properties["hourly_rate_cents"] == {"type": "integer"}
    assert properties["test_required"] == {"type": "boolean"}
    assert properties["visible"] == {"type": "boolean"}


def test_search_request_filters_facets_highlights_and_pages():
    query = ListingQuery(
        q="labeling  job!!", categories=(Category.IMAGE_ANNOTATION,), language="en", per_page=10
    )
    body = es.build_search(query, page=3).to_dict()

    assert body["from"] == 20 and body["size"] == 10
    assert body["track_total_hits"] is True
    assert {"term": {"visible": True}} in body["query"]["bool"]["filter"]
    should = body["query"]["bool"]["should"]
    assert should[0] == {
        "multi_match": {
            "query": "labeling job",
            "fields": ["title^3", "company_name^2", "summary^2", "body"],
            "operator": "and",
        }
    }
    assert should[1]["multi_match"]["fuzziness"] == "AUTO"
    assert body["query"]["bool"]["minimum_should_match"] == 1
    # facet filters are a post filter, so each aggregation can leave its own out
    assert body["post_filter"] == {
        "bool": {
            "filter": [
                {"terms": {"category": ["image-annotation"]}},
                {"terms": {"languages": ["en", "_any"]}},
            ]
        }
    }
    aggs = body["aggs"]
    assert set(aggs) == {"category", "pay", "language", "country", "experience", "test", "company"}
    assert aggs["category"]["filter"] == {
        "bool": {"filter": [{"terms": {"languages": ["en", "_any"]}}]}
    }
    assert aggs["language"]["filter"] == {
        "bool": {"filter": [{"terms": {"category": ["image-annotation"]}}]}
    }
    assert aggs["pay"]["aggs"]["values"]["filters"]["filters"]["1500"] == {
        "range": {"hourly_rate_cents": {"gte": 1500}}
    }
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["fields"] == {"title": {}, "summary": {}}
    assert body["suggest"]["did_you_mean"] == {
        "text": "labeling job",
        "term": {"field": "words", "suggest_mode": "missing"},
    }
    assert body["sort"][0] == "_score"


def test_sorting_by_newest_and_pay():
    newest = es.build_search(ListingQuery(), page=1).to_dict()
    pay = es.build_search(ListingQuery(sort="pay"), page=1).to_dict()

    assert "should" not in newest["query"]["bool"]
    assert newest["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    assert pay["sort"][0] == {"hourly_rate_cents": "desc"}


def test_deep_pages_stay_within_the_result_window():
    body = es.build_search(ListingQuery(per_page=50), page=10_000).to_dict()

    assert body["from"] + body["size"] <= es.MAX_RESULT_WINDOW


def test_completion_request():
    assert es.build_suggest("soc", size=5) == {
        "suggest": {
            "listings": {
                "prefix": "soc",
                "completion": {"field": "suggest", "size": 5, "skip_duplicates": True},
            }
        },
        "_source": False,
    }


RESPONSE = {
    "hits": {
        "total": {"value": 3, "relation": "eq"},
        "hits": [
            {
                "_source": {"page_id": 7},
                "highlight": {
                    "title": ["Image <mark>annotation</mark> &amp; <mark>labeling</mark>"]
                },
            },
            {"_source": {"page_id": 9}},
        ],
    },
    "aggregations": {
        "category": {
            "doc_count": 3,
            "values": {"buckets": [{"key": "image-annotation", "doc_count": 2}]},
        },
        "pay": {
            "doc_count": 3,
            "values": {"buckets": {"1000": {"doc_count": 3}, "1500": {"doc_count": 1}}},
        },
        "language": {
            "doc_count": 3,
            "values": {"buckets": [{"key": "en", "doc_count": 1}, {"key": "_any", "doc_count": 2}]},
        },
        "test": {
            "doc_count": 3,
            "values": {"buckets": [{"key": 0, "key_as_string": "false", "doc_count": 3}]},
        },
    },
    "suggest": {"did_you_mean": [{"text": "labelng", "options": [{"text": "labeling"}]}]},
}


def test_response_parsing():
    parsed = es.parse_response(RESPONSE)

    assert parsed["ids"] == [7, 9]
    assert parsed["total"] == 3
    assert parsed["words"] == {"annotation", "labeling"}
    assert parsed["facets"]["category"] == {"image-annotation": 2}
    assert parsed["facets"]["pay"] == {"1000": 3, "1500": 1}
    # listings open to every language count for each language
    assert parsed["facets"]["language"] == {"en": 3, "_any": 2}
    assert parsed["facets"]["test"] == {"false": 3}
    assert parsed["suggestion"] == "labeling"


@pytest.mark.django_db
def test_a_cluster_that_is_down_falls_back_to_the_database(settings, caplog, site_tree):
    from tests.factories import make_job

    make_job(title="Search relevance rater")
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.ELASTICSEARCH_TIMEOUT = 0.5

    with caplog.at_level(logging.WARNING, logger="jobs.search.es"):
        results = listing_search(query=ListingQuery(q="rater"))
        suggestions = listing_suggest(prefix="sear")

    assert results.backend == "database"
    assert [hit.listing.title for hit in results.hits] == ["Search relevance rater"]
    assert suggestions == ["Search relevance rater"]
    assert "Elasticsearch is unavailable" in caplog.text
    # the failure is remembered for a while, so later searches do not wait on the cluster
    assert es.is_down()


@pytest.mark.django_db
def test_elasticsearch_answers_are_turned_into_the_same_results(settings, monkeypatch, site_tree):
    from tests.factories import make_job

    job = make_job(title="Image annotation & labeling", category=Category.IMAGE_ANNOTATION)
    settings.ELASTICSEARCH_URL = "http://elasticsearch.test:9200"
    sent = {}

    class Client:
        def search(self, *, index, body):
            sent.update(index=index, body=body)
            response = dict(RESPONSE)
            response["hits"] = {
                "total": {"value": 1, "relation": "eq"},
                "hits": [{**RESPONSE["hits"]["hits"][0], "_source": {"page_id": job.pk}}],
            }
            return response

    monkeypatch.setattr(es, "client", Client)

    results = listing_search(query=ListingQuery(q="labeling"))

    assert sent["index"] == "loopwork-jobs"
    assert results.backend == "elasticsearch"
    assert [hit.listing.pk for hit in results.hits] == [job.pk]
    assert str(results.hits[0].title_html) == (
        "Image <mark>annotation</mark> &amp; <mark>labeling</mark>"
    )
    assert results.facets["category"].counts()["image-annotation"] == 2
    assert results.suggestion == "labeling"
