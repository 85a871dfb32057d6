"""A visitor searches the board: types, picks a suggestion, narrows with two facets, opens one."""

import re

import pytest
from playwright.sync_api import expect

from core.categories import Category
from tests.factories import CompanyFactory, make_job

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_search_pick_a_suggestion_narrow_and_open(journey, site_tree, settings):
    settings.ELASTICSEARCH_URL = ""
    acme = CompanyFactory(name="Acme Data")
    make_job(
        title="Search relevance rater",
        summary="Rate search results.",
        company=acme,
        category=Category.SEARCH_EVALUATION,
        hourly_pay_cents=1800,
        languages=("en",),
    )
    make_job(
        title="Search relevance rater (Spanish)",
        summary="Rate Spanish search results.",
        company=acme,
        category=Category.SEARCH_EVALUATION,
        hourly_pay_cents=1200,
        languages=("es",),
    )
    make_job(title="Image annotation", category=Category.IMAGE_ANNOTATION)
    page = journey.page

    journey.goto("/jobs/")
    box = page.get_by_role("combobox", name="Search jobs")
    box.press_sequentially("search rel", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    journey.shot("suggestions")

    # keyboard: down twice, up once, Enter picks the first suggestion and searches
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(page.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=Search\+relevance\+rater"))
    expect(page.locator(".job-card mark").first).to_have_text("Search")
    journey.shot("results")

    # narrow with two facets: a category and a pay bracket
    page.get_by_label("Search engine evaluation").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"category=search-evaluation"))
    page.get_by_role("link", name="$15+/hour").click()
    page.wait_for_url(re.compile(r"min_pay=15"))
    expect(page.get_by_role("heading", name=re.compile(r"^1 open job"))).to_be_visible()
    journey.shot("narrowed")

    page.get_by_role("link", name="Search relevance rater").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search relevance rater")
    journey.shot("listing")
