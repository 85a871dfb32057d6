"""The home page: hero search, live counts, featured jobs, how it works, latest guides."""

from core.categories import Category
from tests.cms.factories import make_guide, make_qualification_test
from tests.cms.test_job_selectors import make_listings_that_do_not_count
from tests.factories import CompanyFactory, make_job

CATEGORIES = list(Category)
MAX_HOME_QUERIES = 12


def test_home_shows_the_exact_live_counts(client, site_tree):
    # given three open listings of two companies in two categories, and four that are not open
    first, second = CompanyFactory(), CompanyFactory()
    make_job(company=first, category=Category.TEXT_ANNOTATION, openings=4)
    make_job(company=first, category=Category.IMAGE_ANNOTATION, openings=6)
    make_job(company=second, category=Category.TEXT_ANNOTATION, openings=10)
    make_listings_that_do_not_count()

    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    assert response.context["counts"] == {
        "open_listings": 3,
        "companies_hiring": 2,
        "categories": 2,
        "openings": 20,
    }
    html = response.content.decode()
    assert "<strong>3</strong> <span>open listings</span>" in html
    assert "<strong>2</strong> <span>companies hiring</span>" in html
    assert "<strong>2</strong> <span>categories with open work</span>" in html
    assert "<strong>20</strong> <span>openings in total</span>" in html


def test_home_features_open_jobs_grouped_by_category_with_their_terms(client, site_tree):
    # given an open listing without a test, one with a test, and listings that are not open
    company = CompanyFactory(name="Northwind Data")
    free = make_job(
        company=company,
        title="Sentiment labelling",
        category=Category.TEXT_ANNOTATION,
        hourly_pay_cents=1550,
        hours_per_week=12,
    )
    tested = make_job(
        title="Search rating",
        category=Category.SEARCH_EVALUATION,
        task_pay=(25, 120),
        qualification_test=make_qualification_test(),
    )
    hidden = make_listings_that_do_not_count()

    # when
    response = client.get("/")

    # then
    featured = response.context["featured_categories"]
    assert [(value, [job.pk for job in jobs]) for value, _, jobs in featured] == [
        ("text-annotation", [free.pk]),
        ("search-evaluation", [tested.pk]),
    ]
    html = response.content.decode()
    assert f'<a href="{free.url}">Sentiment labelling</a>' in html
    assert "Northwind Data" in html
    assert "$15.50 per hour" in html
    assert "12 h/week" in html
    assert "$0.25 per task" in html
    assert html.count("No test needed") == 1
    for job in hidden:
        assert job.title not in html


def test_home_has_a_labelled_search_form_for_the_job_board(client, site_tree):
    html = client.get("/").content.decode()

    assert '<form class="home-search" method="get" action="/jobs/"' in html
    assert '<label for="home-q">' in html
    assert 'id="home-q" name="q"' in html
    assert '<label for="home-category">' in html
    assert '<select id="home-category" name="category">' in html
    for category in Category:
        assert f'<option value="{category.value}">{category.label}</option>' in html.replace(
            "&amp;", "&"
        )
    assert ">Browse jobs</a>" in html
    assert ">Sign up</a>" in html


def test_home_explains_how_it_works_for_both_sides(client, site_tree):
    html = client.get("/").content.decode()

    for step in [
        "Find a job.",
        "Pass a short qualification test.",
        "Work task by task.",
        "Get paid.",
    ]:
        assert f"<strong>{step}</strong>" in html
    for step in [
        "Post a listing.",
        "Qualify workers.",
        "Run labeling projects with quality control.",
        "Export results.",
    ]:
        assert f"<strong>{step}</strong>" in html


def test_home_with_no_open_listings_shows_an_empty_state(client, site_tree):
    make_listings_that_do_not_count()

    response = client.get("/")

    assert response.context["featured_categories"] == []
    assert "No open listings right now" in response.content.decode()
    assert "<strong>0</strong> <span>open listings</span>" in response.content.decode()


def test_home_lists_the_latest_live_guides(client, site_tree):
    older = make_guide(title="Older guide")
    newer = make_guide(title="Newer guide")
    make_guide(title="Draft guide", live=False)

    response = client.get("/")

    assert [guide.pk for guide in response.context["latest_guides"]] == [newer.pk, older.pk]
    assert "Draft guide" not in response.content.decode()


def test_home_query_count_does_not_grow_with_the_number_of_listings(
    client, site_tree, django_assert_max_num_queries
):
    # given three listings (and a first request that warms the content type and site caches)
    for category in CATEGORIES[:3]:
        make_job(category=category)
    client.get("/")
    with django_assert_max_num_queries(MAX_HOME_QUERIES) as few:
        client.get("/")

    # when the board grows to thirty listings in every category, all of them featured
    for index in range(27):
        make_job(category=CATEGORIES[(index + 3) % len(CATEGORIES)])
    with django_assert_max_num_queries(MAX_HOME_QUERIES) as many:
        response = client.get("/")

    # then the home page runs the same number of queries
    assert sum(len(jobs) for _, _, jobs in response.context["featured_categories"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)
