"""Where each CMS page type may live in the tree."""

from wagtail.models import Page

from cms.models import GuideIndexPage, GuidePage, HomePage
from jobs.models import JobIndexPage, JobPage


def test_home_page_lives_only_under_the_root():
    assert set(HomePage.allowed_parent_page_models()) == {Page}


def test_home_page_holds_only_the_job_board_and_the_guide_index():
    assert set(HomePage.allowed_subpage_models()) == {JobIndexPage, GuideIndexPage}


def test_index_pages_live_only_under_the_home_page():
    assert set(GuideIndexPage.allowed_parent_page_models()) == {HomePage}
    assert set(JobIndexPage.allowed_parent_page_models()) == {HomePage}


def test_guides_live_only_under_the_guide_index_and_have_no_children():
    assert set(GuidePage.allowed_parent_page_models()) == {GuideIndexPage}
    assert set(GuideIndexPage.allowed_subpage_models()) == {GuidePage}
    assert GuidePage.allowed_subpage_models() == []
    assert JobPage not in GuideIndexPage.allowed_subpage_models()


def test_the_site_tree_allows_no_second_home_or_index(site_tree):
    # given the site skeleton
    root = Page.get_first_root_node()
    guide_index = GuideIndexPage.objects.get()

    # then only guides can still be added, and only under the guide index
    assert not HomePage.can_create_at(root)
    assert not GuideIndexPage.can_create_at(site_tree)
    assert not JobIndexPage.can_create_at(site_tree)
    assert not GuidePage.can_create_at(site_tree)
    assert GuidePage.can_create_at(guide_index)


def test_the_site_tree_serves_home_jobs_and_guides(site_tree):
    home = HomePage.objects.get()
    assert home.url == "/"
    assert JobIndexPage.objects.get().url == "/jobs/"
    assert GuideIndexPage.objects.get().url == "/guides/"
