"""Demo task projects: the task work behind every demo listing that pays per task.

Each project belongs to the company of the listing it is linked to and requires that
listing's test qualification when the listing names a test. Every label schema, item and
gold answer goes through the interface's clean_config / clean_item / clean_answer, so the
demo data is exactly what an upload would have produced.

Pay is what a launch would accept: every project states how long a task takes a careful
worker (`estimated_task_seconds`, no longer than its lease) and a reward that pays at least
the platform's floor for that time (settings.PAY_FLOOR_HOURLY_CENTS, $8.00 an hour), most
of them well above it. The listings show exactly these figures (marketplace/pay.py).

Most projects take only workers admitted through their listing (`access` "listings");
two are open to every worker who holds their qualification (one needs none), so the demo
shows both ways in.

Identity is the company and the project title: an existing project is left as it is.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Company, User
from annotation.registry import get_interface
from core.categories import Category
from jobs.models import JobPage, Qualification
from jobs.qualification_models import QualificationGrant
from marketplace.models import Item, Project, ProjectMedia
from marketplace.projects import project_budget, project_escrow_top_up
from payouts.funding import (
    MAX_TOP_UP_CENTS,
    company_balance_cents,
    topup_create,
    topup_test_event,
)
from payouts.stripe_gateway import OfflineGateway, use_gateway
from payouts.webhooks import stripe_event_accept, stripe_event_process

from . import project_items as content
from .project_items import DemoItem

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
AUDIO_DIR = ASSETS_DIR / "audio"
DEMO_GRANT_SCORE = 92
EXTRA_WORKER_GRANT_SCORE = 85
BATCH_SIZE = 1000
LISTINGS = Project.Access.LISTINGS
OPEN = Project.Access.OPEN


@dataclass(frozen=True)
class DemoProject:
    title: str
    company: str  # the company's slug
    listing: str  # the linked listing's slug; its test (if any) is required
    category: str
    interface: str
    label_schema: dict
    description: str
    instructions: str
    reward_cents: int
    estimated_task_seconds: int
    build_items: Callable[[dict[str, str]], list[DemoItem]]
    access: str = LISTINGS
    media: Callable[[], list[tuple[str, bytes]]] | None = None
    media_type: str = ""
    overlap: int = 3
    lease_seconds: int = 600
    gold_rate: int = 10
    accuracy_threshold: int = 70
    min_gold_answers: int = 3
    content_risk: str = Project.ContentRisk.NONE
    daily_exposure_cap: int | None = None
    max_assignments_per_worker: int | None = None


def _audio_files() -> list[tuple[str, bytes]]:
    return [
        (content.clip_name(n), (AUDIO_DIR / content.clip_name(n)).read_bytes())
        for n in range(1, len(content.CLIP_TRANSCRIPTS) + 1)
    ]


PROJECTS = [
    DemoProject(
        title="Bounding boxes on street scenes",
        company="pinewire-vision",
        listing="bounding-box-annotator-street-scenes",
        category=Category.IMAGE_ANNOTATION,
        interface="regions",
        label_schema={"labels": content.REGION_LABELS},
        description="Draw a tight box around every car, pedestrian and bicycle.",
        instructions=(
            "<p>Draw one box per object, as tight as you can. A person riding a bicycle is "
            "part of the bicycle's box. Skip objects cut off by more than half.</p>"
        ),
        reward_cents=35,
        estimated_task_seconds=120,
        build_items=content.street_items,
        media=content.street_scene_files,
        media_type="image/png",
        overlap=2,
        lease_seconds=900,
    ),
    DemoProject(
        title="Named-entity tagging in news articles",
        company="brightloom-labs",
        listing="named-entity-tagging-news-articles",
        category=Category.TEXT_ANNOTATION,
        interface="spans",
        label_schema={"labels": content.ENTITY_LABELS},
        description="Mark people, organisations, places and dates in short news items.",
        instructions=(
            "<p>Select each name or date and give it a label. Leave titles (Dr., Senator) "
            "outside PERSON spans; include 'the' only when it is part of the name.</p>"
        ),
        reward_cents=18,
        estimated_task_seconds=60,
        build_items=lambda urls: content.entity_items(),
        overlap=2,
    ),
    DemoProject(
        title="Product review sentiment (Spanish)",
        company="brightloom-labs",
        listing="sentiment-labelling-product-reviews-spanish",
        category=Category.TEXT_ANNOTATION,
        interface="classification",
        label_schema={
            "labels": content.SENTIMENT_LABELS,
            "multiple": False,
            "question": "What is the overall sentiment of this review?",
        },
        description="Short Spanish product reviews from an online shop: label the sentiment.",
        instructions=(
            "<p>Read the whole review, then choose one label.</p><ul>"
            "<li><strong>positive</strong>: only praise.</li>"
            "<li><strong>negative</strong>: the product failed the reviewer.</li>"
            "<li><strong>mixed</strong>: real praise and a real complaint.</li>"
            "<li><strong>neutral</strong>: facts, no opinion.</li></ul>"
        ),
        # The answers seeded in cms/demo/reviews.py took a median of 35 s, the careful
        # ones up to 52 s: still above the floor at this reward.
        reward_cents=12,
        estimated_task_seconds=40,
        build_items=lambda urls: content.sentiment_items(),
        lease_seconds=300,
    ),
    DemoProject(
        title="Query rewriting for shopping search",
        company="meridian-query",
        listing="query-rewriting-shopping-search",
        category=Category.TEXT_ANNOTATION,
        interface="free_text",
        label_schema={"min_length": 3, "max_length": 200},
        description="Turn misspelt, vague shopping searches into clear queries.",
        instructions=(
            "<p>Write the query the shopper meant, spelt correctly. Keep every size, colour, "
            "brand and price they typed, and add nothing they did not ask for.</p>"
        ),
        reward_cents=12,
        estimated_task_seconds=45,
        build_items=lambda urls: content.query_items(),
        overlap=2,
        lease_seconds=300,
        accuracy_threshold=50,
    ),
    DemoProject(
        title="Voice clip transcription for accent coverage",
        company="saltmarsh-audio",
        listing="accent-coverage-read-speech-review",
        category=Category.AUDIO_ANNOTATION,
        interface="transcription",
        label_schema={"language": "en"},
        description="Listen to a clip of a few seconds and type exactly what is said.",
        instructions=(
            "<p>Type every word you hear, with normal punctuation. Write numbers the way "
            "they are spoken (seven thirty, not 7:30). Use [inaudible] for words you cannot "
            "make out.</p>"
        ),
        reward_cents=12,
        estimated_task_seconds=45,
        build_items=content.clip_items,
        media=_audio_files,
        media_type="audio/wav",
        overlap=2,
    ),
    DemoProject(
        title="Comment toxicity rating",
        company="harborline-safety",
        listing="comment-toxicity-rater",
        category=Category.TEXT_MODERATION,
        interface="rating",
        label_schema={
            "min": 1,
            "max": 5,
            "question": "How toxic is this comment?",
            "scale_labels": content.TOXICITY_SCALE,
        },
        description="Forum comments: rate how toxic each one is, from 1 to 5.",
        instructions=(
            "<p>Rate the words, not whether you agree. Criticism of an idea is not toxic; "
            "insults are; threats and attacks on a group of people are the worst. Name the "
            "kind of harm in the comment box.</p>"
            "<p>Some comments are insulting. Take a break whenever you need one.</p>"
        ),
        reward_cents=7,
        estimated_task_seconds=25,
        build_items=lambda urls: content.comment_items(),
        lease_seconds=300,
        content_risk=Project.ContentRisk.MILD,
        daily_exposure_cap=300,
    ),
    DemoProject(
        title="Review spam detection",
        company="meridian-query",
        listing="review-spam-detection",
        category=Category.TEXT_MODERATION,
        interface="classification",
        label_schema={
            "labels": content.REVIEW_SPAM_LABELS,
            "multiple": False,
            "question": "Is this a genuine review of the business?",
        },
        description="Reviews of local businesses: genuine, spam, incentivised or off-topic.",
        instructions=(
            "<p>A genuine review describes a real visit, good or bad. Spam promotes something "
            "else; an incentivised review says the reviewer got something for it; off-topic "
            "says nothing about the business.</p>"
        ),
        reward_cents=10,
        estimated_task_seconds=40,
        build_items=lambda urls: content.business_review_items(),
        lease_seconds=300,
    ),
    DemoProject(
        title="Social media moderation (English)",
        company="harborline-safety",
        listing="social-media-moderator-english",
        category=Category.SOCIAL_MEDIA_MODERATION,
        interface="moderation",
        label_schema={
            "policies": content.MODERATION_POLICIES,
            "severities": content.MODERATION_SEVERITIES,
        },
        description="Public posts reported by users: mark the policies they break, if any.",
        instructions=(
            "<p>Most reported posts break no rule: leave them with no label. Mark every "
            "policy a post breaks and its severity. Always escalate possible self-harm.</p>"
            "<p>Some posts contain insults and threats. Take a break whenever you need one.</p>"
        ),
        reward_cents=12,
        estimated_task_seconds=40,
        build_items=lambda urls: content.post_items(),
        # Open to every worker who passed the moderation test, listing or not.
        access=OPEN,
        content_risk=Project.ContentRisk.MILD,
        daily_exposure_cap=200,
    ),
    DemoProject(
        title="Community notes helpfulness rating",
        company="kestrel-feed",
        listing="community-notes-helpfulness-rater",
        category=Category.SOCIAL_MEDIA_MODERATION,
        interface="classification",
        label_schema={
            "labels": content.NOTE_LABELS,
            "multiple": False,
            "question": "Does this note help people understand the post?",
        },
        description="A post and the note written under it: is the note helpful?",
        instructions=(
            "<p>A helpful note corrects or adds context to the post's claim and says where "
            "its facts come from. A note that argues, insults or gives no facts is not "
            "helpful, even when you agree with it.</p>"
        ),
        reward_cents=40,
        estimated_task_seconds=120,
        build_items=lambda urls: content.note_items(),
        lease_seconds=600,
    ),
    DemoProject(
        title="Search quality rating (US English)",
        company="meridian-query",
        listing="search-quality-rater-us-english",
        category=Category.SEARCH_EVALUATION,
        interface="rating",
        label_schema={
            "min": 1,
            "max": 5,
            "question": "How well does this result meet the searcher's need?",
            "scale_labels": content.RELEVANCE_SCALE,
        },
        description="Rate how well one search result answers a real query, from 1 to 5.",
        instructions=(
            "<p>Think about what the person typing the query most likely wants. Then read the "
            "result's title, snippet and address.</p><ul>"
            "<li>5: the searcher could stop here.</li>"
            "<li>3: useful, but not what most people want.</li>"
            "<li>1: a different meaning of the words, or useless.</li></ul>"
        ),
        reward_cents=16,
        estimated_task_seconds=45,
        build_items=lambda urls: content.relevance_items(),
    ),
    DemoProject(
        title="Query autocomplete evaluation",
        company="meridian-query",
        listing="query-autocomplete-evaluation",
        category=Category.SEARCH_EVALUATION,
        interface="classification",
        label_schema={
            "labels": content.AUTOCOMPLETE_LABELS,
            "multiple": False,
            "question": "Should the search box suggest this?",
        },
        description="What someone typed and the suggestion under it: useful, or harmful?",
        instructions=(
            "<p>Useful: many people typing this want exactly that. Not useful: almost nobody "
            "does. Harmful: it insults a group of people or accuses a named person, whatever "
            "people type.</p>"
        ),
        # A few cents a task pays fairly for work this quick.
        reward_cents=4,
        estimated_task_seconds=15,
        build_items=lambda urls: content.suggestion_items(),
        # Needs no test: open to every worker, so a new account has work at once.
        access=OPEN,
        lease_seconds=180,
    ),
    DemoProject(
        title="Hashtag and topic labelling",
        company="kestrel-feed",
        listing="hashtag-and-topic-labelling",
        category=Category.SOCIAL_MEDIA_EVALUATION,
        interface="classification",
        label_schema={
            "labels": content.HASHTAG_LABELS,
            "multiple": False,
            "question": "Is this post about what the hashtag is trending for?",
        },
        description="Posts under trending hashtags: on topic, off topic or spam.",
        instructions=(
            "<p>Read what the hashtag is trending for, then the post. Off topic: a real post "
            "about something else. Spam: the hashtag is used only to sell something.</p>"
        ),
        reward_cents=8,
        estimated_task_seconds=30,
        build_items=lambda urls: content.hashtag_items(),
        lease_seconds=300,
    ),
    DemoProject(
        title="Support conversation quality grading",
        company="lanternfish-support",
        listing="support-conversation-quality-grader",
        category=Category.SUPPORT_ESCALATION,
        interface="rating",
        label_schema={
            "min": 1,
            "max": 5,
            "question": "How good was this conversation for the customer?",
            "scale_labels": content.CONVERSATION_SCALE,
        },
        description="Closed support chats, human and AI: grade them from 1 to 5.",
        instructions=(
            "<p>Grade the whole conversation: was the problem solved, was every answer "
            "correct and within policy, and was the customer treated kindly? Say in the "
            "comment what cost it points.</p>"
        ),
        reward_cents=45,
        estimated_task_seconds=150,
        build_items=lambda urls: content.conversation_items(),
        overlap=2,
        lease_seconds=900,
    ),
    DemoProject(
        title="Support conversation quality: rewriting curt replies",
        company="lanternfish-support",
        listing="support-conversation-quality-grader",
        category=Category.SUPPORT_ESCALATION,
        interface="free_text",
        label_schema={"min_length": 40, "max_length": 800},
        description="Turn curt support replies into friendly, clear ones that keep every fact.",
        instructions=(
            "<p>Keep every fact of the original reply and do not promise anything new. "
            "Acknowledge the customer, explain, and end with a next step.</p>"
        ),
        reward_cents=60,
        estimated_task_seconds=180,
        build_items=lambda urls: content.rewrite_items(),
        overlap=1,
        lease_seconds=1200,
        gold_rate=0,
        accuracy_threshold=0,
        max_assignments_per_worker=15,
    ),
    DemoProject(
        title="Chatbot answer review",
        company="brightloom-labs",
        listing="chatbot-answer-reviewer",
        category=Category.AI_RESPONSE_REVIEW,
        interface="comparison",
        label_schema={
            "question": "Which answer is better: correct, safe and helpful?",
            "allow_tie": True,
            "require_reason": False,
        },
        description="Two assistant answers to the same prompt: pick the better one.",
        instructions=(
            "<p>Check correctness first, then safety, then how helpful and clear the answer "
            "is. Choose a tie only when both are equally good (or equally bad).</p>"
        ),
        reward_cents=40,
        estimated_task_seconds=90,
        build_items=lambda urls: content.comparison_items(),
        lease_seconds=900,
    ),
    DemoProject(
        title="Support bot answer accuracy review",
        company="lanternfish-support",
        listing="support-bot-answer-accuracy-review",
        category=Category.AI_RESPONSE_REVIEW,
        interface="classification",
        label_schema={
            "labels": content.ACCURACY_LABELS,
            "multiple": False,
            "question": "Does the assistant's answer match the help article?",
        },
        description="The help article and the support bot's answer: is the answer right?",
        instructions=(
            "<p>Read the whole article excerpt first. Accurate: everything the answer says is "
            "in the article. Invented: it promises something the article does not say. Out of "
            "date: it gives what applied before the article's update.</p>"
        ),
        reward_cents=30,
        estimated_task_seconds=90,
        build_items=lambda urls: content.bot_answer_items(),
    ),
]

# The demo worker holds these categories' test qualifications (and not the others), so the
# demo shows projects they can start and projects that ask for a test first.
DEMO_WORKER_CATEGORIES = (Category.TEXT_ANNOTATION, Category.SEARCH_EVALUATION)


def _clean_items(spec: DemoProject, config: dict, urls: dict[str, str]) -> list[Item]:
    interface = get_interface(spec.interface)
    rows = []
    for demo_item in spec.build_items(urls):
        data = interface.clean_item(demo_item.data, config)
        gold = (
            interface.clean_answer(demo_item.gold, config, data)
            if demo_item.gold is not None
            else None
        )
        rows.append(
            Item(
                data=data,
                external_id=demo_item.external_id,
                is_gold=gold is not None,
                gold_answer=gold,
                gold_explanation=demo_item.explanation,
            )
        )
    return rows


def _store_media(project: Project, spec: DemoProject) -> dict[str, str]:
    urls = {}
    for name, payload in spec.media() if spec.media else ():
        media = ProjectMedia(
            project=project, original_name=name, content_type=spec.media_type, size=len(payload)
        )
        media.file.save(name, ContentFile(payload), save=False)
        media.save()
        urls[name] = f"{settings.MEDIA_URL}{media.file.name}"
    return urls


@transaction.atomic
def demo_project_ensure(
    *, spec: DemoProject, company: Company, owner: User | None, now: datetime.datetime
) -> tuple[Project, bool]:
    """The active demo project with this title in the company; created with items if missing.

    Refuses (InvalidInput) demo data an interface would refuse, so the demo is always valid.
    """
    existing = Project.objects.filter(company=company, title=spec.title).first()
    if existing is not None:
        return existing, False
    config = get_interface(spec.interface).clean_config(spec.label_schema)
    listing = JobPage.objects.filter(slug=spec.listing).select_related("qualification_test").first()
    test = listing.qualification_test if listing is not None else None
    project = Project.objects.create(
        company=company,
        created_by=owner,
        title=spec.title,
        description=spec.description,
        instructions=spec.instructions,
        category=str(spec.category),
        interface=spec.interface,
        label_schema=config,
        reward_cents=spec.reward_cents,
        estimated_task_seconds=spec.estimated_task_seconds,
        overlap=spec.overlap,
        lease_seconds=spec.lease_seconds,
        max_assignments_per_worker=spec.max_assignments_per_worker,
        required_qualification_id=test.qualification_id if test is not None else None,
        min_qualification_score=70 if test is not None else 0,
        access=spec.access,
        gold_rate=spec.gold_rate,
        accuracy_threshold=spec.accuracy_threshold,
        min_gold_answers=spec.min_gold_answers,
        content_risk=spec.content_risk,
        daily_exposure_cap=spec.daily_exposure_cap,
        status=Project.Status.ACTIVE,
        launched_at=now,
    )
    if listing is not None:
        project.listings.add(listing)
    urls = _store_media(project, spec)
    items = _clean_items(spec, config, urls)
    for item in items:
        item.project = project
        item.created_at = now
    Item.objects.bulk_create(items)
    budget = project_budget(project).total_cents
    demo_funding_ensure(company=company, owner=owner, needed_cents=budget)
    # Created active: its budget is reserved as a launch would (payouts/funding.py).
    project_escrow_top_up(
        project=project, key=f"escrow:project:{project.pk}:launch", action="Launching"
    )
    return project, True


# What a demo company keeps on its balance beyond its projects' budgets, to launch more.
DEMO_HEADROOM_CENTS = 500_00


def demo_funding_ensure(*, company: Company, owner: User | None, needed_cents: int) -> int:
    """Top the company's balance up so it covers `needed_cents` plus DEMO_HEADROOM_CENTS.

    Always in offline test mode (whatever the keys): labelled test-mode top-ups completed by
    their synthetic payment_intent.succeeded event, through the webhook handler that credits
    real payments. Returns how much was added (0 when the balance already covers it).
    """
    short = needed_cents + DEMO_HEADROOM_CENTS - company_balance_cents(company.pk)
    if short <= 0 or owner is None:
        return 0
    added = 0
    with use_gateway(OfflineGateway()):
        while added < short:
            amount = min(-(-(short - added) // 100_00) * 100_00, MAX_TOP_UP_CENTS)
            start = topup_create(company=company, user=owner, amount_cents=amount)
            stored, _ = stripe_event_accept(
                event=topup_test_event(top_up=start.top_up, succeed=True)
            )
            stripe_event_process(event_pk=stored.pk)
            added += amount
    return added


def demo_required_qualifications() -> list[int]:
    """Ids of the qualifications the demo projects require."""
    titles = [spec.title for spec in PROJECTS]
    return sorted(
        set(
            Project.objects.filter(
                title__in=titles, required_qualification__isnull=False
            ).values_list("required_qualification_id", flat=True)
        )
    )


def _grant_missing(*, worker_ids: list[int], qualification_ids: list[int], score: int, now) -> int:
    qualifications = {
        q.pk: q
        for q in Qualification.objects.filter(pk__in=qualification_ids).prefetch_related("tests")
    }
    created = 0
    for start in range(0, len(worker_ids), BATCH_SIZE):
        chunk = worker_ids[start : start + BATCH_SIZE]
        held = set(
            QualificationGrant.objects.filter(
                worker_id__in=chunk, qualification_id__in=qualification_ids
            ).values_list("worker_id", "qualification_id")
        )
        rows = []
        for worker_id in chunk:
            for qualification_id, qualification in qualifications.items():
                if (worker_id, qualification_id) in held:
                    continue
                test = qualification.tests.all()[0] if qualification.tests.all() else None
                validity = test.grant_validity_days if test is not None else None
                rows.append(
                    QualificationGrant(
                        worker_id=worker_id,
                        qualification_id=qualification_id,
                        test=test,
                        score=score,
                        granted_at=now,
                        expires_at=now + datetime.timedelta(days=validity) if validity else None,
                    )
                )
        QualificationGrant.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


@transaction.atomic
def demo_category_grants_ensure(
    *, workers: list[User], categories: tuple[str, ...], score: int, now: datetime.datetime
) -> int:
    """Give `workers` the test qualifications the demo projects of `categories` require,
    granted at `now`; returns the grants created (none on later runs)."""
    wanted = sorted(
        set(
            Project.objects.filter(
                title__in=[spec.title for spec in PROJECTS],
                category__in=[str(c) for c in categories],
                required_qualification__isnull=False,
            ).values_list("required_qualification_id", flat=True)
        )
    )
    return _grant_missing(
        worker_ids=[worker.pk for worker in workers],
        qualification_ids=wanted,
        score=score,
        now=now,
    )


def demo_worker_grants_ensure(*, worker: User, now: datetime.datetime) -> int:
    """Give the demo worker the test qualifications of DEMO_WORKER_CATEGORIES' projects."""
    return demo_category_grants_ensure(
        workers=[worker], categories=DEMO_WORKER_CATEGORIES, score=DEMO_GRANT_SCORE, now=now
    )


@transaction.atomic
def demo_extra_worker_grants_ensure(*, emails: list[str], now: datetime.datetime) -> int:
    """Qualify the extra demo workers for every demo project; returns the grants created."""
    worker_ids = []
    for start in range(0, len(emails), BATCH_SIZE):
        worker_ids.extend(
            User.objects.filter(email__in=emails[start : start + BATCH_SIZE]).values_list(
                "pk", flat=True
            )
        )
    return _grant_missing(
        worker_ids=sorted(worker_ids),
        qualification_ids=demo_required_qualifications(),
        score=EXTRA_WORKER_GRANT_SCORE,
        now=now,
    )
