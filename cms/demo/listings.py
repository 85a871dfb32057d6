"""Demo job listings: six open ones per category, plus a few paused and closed for realism.

Each listing is one of two kinds of work, and its text says which:

- task work on Loopwork (`hourly_cents` None): its pay is what its demo projects pay
  (cms/demo/projects.py links at least one to it), so the listing never states a pay of
  its own, and admitted workers take its tasks under Work;
- hourly work done in the company's own tools (`hourly_cents` set, at or above the pay
  floor): a role the company hires for through Loopwork and pays by the hour itself, never
  linked to a project.

The description HTML is assembled from its parts by `description_html` so every listing
reads the same way (intro, duties, needs, how the work is done and paid).
"""

from dataclasses import dataclass
from html import escape

from core.categories import Category
from jobs.models import JobPage

C = Category
LATAM_ES = ("MX", "CO", "AR", "CL", "PE")
DACH = ("DE", "AT", "CH")
ANGLO = ("US", "CA", "GB", "IE", "AU", "NZ")
ON_PASS = JobPage.Admission.ON_PASS
BY_COMPANY = JobPage.Admission.COMPANY


@dataclass(frozen=True)
class DemoListing:
    slug: str
    title: str
    company: str  # the company's slug
    category: str
    summary: str
    intro: str
    duties: tuple[str, ...]
    needs: tuple[str, ...]
    # Hourly work outside Loopwork states its pay; task work (None) is paid what its
    # projects pay.
    hourly_cents: int | None = None
    # Task work admits on passing the test by default (at once without one); a company
    # hiring for an hourly role decides on each applicant.
    admission: str | None = None
    hours: int = 10
    countries: tuple[str, ...] = ()  # empty: people anywhere may apply
    languages: tuple[str, ...] = ("en",)
    experience: str = "entry"
    openings: int = 25
    deadline_days: int | None = None  # days from the seeding day; None: no deadline
    status: str = "open"

    @property
    def is_task_work(self) -> bool:
        return self.hourly_cents is None

    @property
    def pay_source(self) -> str:
        return JobPage.PaySource.PROJECTS if self.is_task_work else JobPage.PaySource.HOURLY

    @property
    def admission_rule(self) -> str:
        if self.admission is not None:
            return self.admission
        return ON_PASS if self.is_task_work else BY_COMPANY


LISTINGS = [
    # --- Image annotation ---------------------------------------------------------------
    DemoListing(
        slug="bounding-box-annotator-street-scenes",
        title="Bounding-box annotator for street scenes",
        company="pinewire-vision",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Draw tight boxes around every car, pedestrian and bicycle in street scenes that "
            "train driver-assistance models."
        ),
        intro=(
            "Our driver-assistance models learn from street scenes. You will box the road users a "
            "driver must notice, one picture per task, in Loopwork's box tool."
        ),
        duties=(
            "Draw one tight box around every car, pedestrian and bicycle in the picture",
            "Put a person riding a bicycle inside the bicycle's box",
            "Skip objects cut off by more than half",
        ),
        needs=(
            "A laptop or desktop with a mouse (not a phone)",
            "Patience for detail: boxes must touch the object's edges",
        ),
        hours=20,
        openings=120,
    ),
    DemoListing(
        slug="polygon-segmentation-sidewalk-robots",
        title="Polygon segmentation for sidewalk delivery robots",
        company="pinewire-vision",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Outline kerbs, ramps, bollards and puddles in sidewalk camera images so delivery "
            "robots know where they can drive."
        ),
        intro=(
            "Our delivery robots share sidewalks with people. Precise outlines of what is "
            "drivable, and what is not, keep them safe and polite."
        ),
        duties=(
            "Trace polygons around kerbs, ramps, steps, bollards and standing water",
            "Label each region as drivable, caution or blocked",
            "Check your own work against the reference examples before submitting",
        ),
        needs=(
            "Experience with polygon or segmentation tools is a plus",
            "A screen at least 13 inches wide",
        ),
        hourly_cents=1650,
        hours=25,
        experience="intermediate",
        openings=40,
        deadline_days=45,
    ),
    DemoListing(
        slug="product-photo-attribute-tagging",
        title="Product photo attribute tagging",
        company="brightloom-labs",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Tag colour, material, pattern and style on clothing and furniture photos for a "
            "visual shopping assistant."
        ),
        intro=(
            "Our shopping assistant answers questions like “show me this sofa in green velvet”. "
            "It needs photos tagged the way shoppers describe things, in batches our catalogue "
            "team sets up in its own tagging tool."
        ),
        duties=(
            "Choose the main colour, material and pattern of the item in each photo",
            "Pick the style that fits best from a short list",
            "Skip photos that show more than one product",
        ),
        needs=("An eye for colour and fabric", "Good English reading skills"),
        hours=10,
        openings=200,
        hourly_cents=1200,
    ),
    DemoListing(
        slug="keypoint-labelling-hand-gestures",
        title="Keypoint labelling of hand gestures",
        company="pinewire-vision",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Place 21 keypoints on hands in short video frames to train gesture control for "
            "in-car screens."
        ),
        intro=(
            "Drivers should be able to change the song without looking away from the road. "
            "Our gesture models need every knuckle and fingertip placed precisely."
        ),
        duties=(
            "Place the 21 hand keypoints on each frame, following the skeleton guide",
            "Mark keypoints that are hidden as occluded rather than guessing",
            "Review another annotator's frames once a week",
        ),
        needs=("Previous keypoint or pose annotation experience", "A mouse and a large screen"),
        hourly_cents=1900,
        hours=20,
        countries=(*ANGLO, "IN", "PH", "ZA"),
        experience="intermediate",
        openings=30,
    ),
    DemoListing(
        slug="satellite-image-rooftop-labelling",
        title="Satellite image rooftop labelling",
        company="pinewire-vision",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Outline rooftops and solar panels on aerial imagery to help map where solar "
            "energy is installed."
        ),
        intro=(
            "A renewable-energy research partner wants to know where solar panels are. You "
            "will outline roofs and the panels on them in aerial tiles."
        ),
        duties=(
            "Outline every roof in a tile with a polygon",
            "Mark the panels on each roof and note the roof's material",
            "Flag tiles with clouds or heavy shadows",
        ),
        needs=("Careful, steady mouse work", "No prior experience needed; training is paid"),
        hourly_cents=1200,
        hours=15,
        openings=60,
        deadline_days=30,
    ),
    DemoListing(
        slug="medical-illustration-region-labels-specialist",
        title="Anatomy region labelling (specialist)",
        company="brightloom-labs",
        category=C.IMAGE_ANNOTATION,
        summary=(
            "Label anatomical regions on textbook-style illustrations for a study assistant; "
            "a background in nursing, medicine or biology is required."
        ),
        intro=(
            "Our study assistant explains anatomy diagrams to students. Specialists label the "
            "regions so that its explanations point at the right structures."
        ),
        duties=(
            "Label organs, bones and vessels on illustrations with their standard names",
            "Correct labels suggested by the model",
            "Write a one-line note when a diagram is ambiguous",
        ),
        needs=(
            "A degree or current studies in nursing, medicine, biology or a related field",
            "Fluent English",
        ),
        hourly_cents=3400,
        hours=8,
        experience="expert",
        openings=8,
    ),
    # --- Text annotation ----------------------------------------------------------------
    DemoListing(
        slug="named-entity-tagging-news-articles",
        title="Named-entity tagging in news articles",
        company="brightloom-labs",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Highlight people, organisations, places and dates in short news items so our "
            "research assistant knows who and what each story is about."
        ),
        intro=(
            "Our research assistant answers questions about the news, and it answers better when "
            "it knows who and what a story mentions. You will mark the names and dates in short "
            "news items, one item per task."
        ),
        duties=(
            "Select every person, organisation, place and date in the item and give it its label",
            "Leave titles such as Dr. or Senator outside the person's name",
            "Include “the” only when it is part of the name",
        ),
        needs=("Strong English reading comprehension", "Interest in current affairs"),
        hours=15,
        openings=150,
    ),
    DemoListing(
        slug="sentiment-labelling-product-reviews-spanish",
        title="Sentiment labelling of product reviews (Spanish)",
        company="brightloom-labs",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Read short Spanish product reviews and label their sentiment: positive, negative, "
            "mixed or neutral."
        ),
        intro=(
            "We are teaching our assistant to summarise what Spanish-speaking shoppers think. "
            "It starts with people who read reviews the way shoppers do."
        ),
        duties=(
            "Label each review positive, negative, mixed or neutral",
            "Read to the end: real praise and a real complaint make a review mixed",
            "Label facts with no opinion neutral",
        ),
        needs=("Native or near-native Spanish", "Basic English for the guidelines"),
        hours=20,
        countries=(*LATAM_ES, "ES"),
        languages=("es", "en"),
        openings=80,
    ),
    DemoListing(
        slug="intent-classification-chatbot-utterances",
        title="Intent classification of chatbot messages",
        company="lanternfish-support",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Decide what a customer wants from a single chat message — refund, delivery "
            "status, cancel, complaint — so our assistant routes it right."
        ),
        intro=(
            "Customers write in every way imaginable. Your labels teach our support assistant "
            "to recognise what they want from the first message."
        ),
        duties=(
            "Choose the customer's intent from a list of about 40",
            "Mark messages that contain more than one request",
            "Suggest a new intent when none fits",
        ),
        needs=("Good English", "Customer service experience helps but is not required"),
        hourly_cents=1100,
        hours=20,
        openings=50,
    ),
    DemoListing(
        slug="legal-clause-annotation-german",
        title="Legal clause annotation (German)",
        company="brightloom-labs",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Mark clause types in German contracts — liability, termination, data protection "
            "— for a contract review assistant. Legal background required."
        ),
        intro=(
            "Our contract assistant helps small firms understand what they sign. It needs "
            "German contracts annotated by people who read them for a living."
        ),
        duties=(
            "Label each clause with its type from our taxonomy",
            "Highlight unusual or one-sided wording",
            "Answer short questions about who bears which obligation",
        ),
        needs=(
            "Legal training (Rechtsreferendar, paralegal or law degree)",
            "Native German; English for the guidelines",
        ),
        hourly_cents=3600,
        hours=10,
        countries=DACH,
        languages=("de", "en"),
        experience="expert",
        openings=6,
        deadline_days=21,
    ),
    DemoListing(
        slug="query-rewriting-shopping-search",
        title="Query rewriting for shopping search",
        company="meridian-query",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Rewrite vague or misspelt shopping searches into clear queries that say what the "
            "shopper meant."
        ),
        intro=(
            "People type “blu runnin shoe wide” and expect results. Your rewrites show our "
            "query understanding model what they meant."
        ),
        duties=(
            "Rewrite each query into a clear, correctly spelt one",
            "Keep every size, colour, brand and price the shopper gave, and add nothing",
            "Write the most likely meaning when a query could mean two things",
        ),
        needs=("Fluent English", "Online shopping habits help more than you would think"),
        hours=12,
        openings=90,
    ),
    DemoListing(
        slug="hindi-english-code-mixed-text-labelling",
        title="Hindi-English code-mixed text labelling",
        company="brightloom-labs",
        category=C.TEXT_ANNOTATION,
        summary=(
            "Label the language of each word and the overall meaning of Hinglish messages, "
            "as people really write them."
        ),
        intro=(
            "Millions of people write in a mix of Hindi and English, often in Latin script. "
            "Our assistant should understand them as well as anyone."
        ),
        duties=(
            "Tag each word as Hindi, English or other",
            "Write a plain-English meaning for each message",
            "Flag messages that use offensive slang",
        ),
        needs=("Fluent Hindi and English", "Familiarity with how Hinglish is written online"),
        hourly_cents=900,
        hours=20,
        countries=("IN",),
        languages=("hi", "en"),
        openings=60,
    ),
    # --- Audio annotation & transcription --------------------------------------------
    DemoListing(
        slug="podcast-transcription-english",
        title="Podcast transcription (English)",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Correct machine transcripts of podcast episodes: fix words, mark speakers and "
            "timestamps, tag laughter and music."
        ),
        intro=(
            "Podcasts are hard for speech recognition: crosstalk, accents, jokes. You will turn "
            "our rough machine transcript into an exact one in our own transcript editor, paid "
            "for the hours you work."
        ),
        duties=(
            "Correct the transcript word by word against the audio",
            "Mark speaker changes and add timestamps every 30 seconds",
            "Tag non-speech sounds such as laughter, music and applause",
        ),
        needs=("Excellent English spelling and grammar", "Headphones and a quiet room"),
        hours=20,
        openings=70,
        hourly_cents=1500,
    ),
    DemoListing(
        slug="call-centre-audio-transcription-portuguese",
        title="Call-centre audio transcription (Brazilian Portuguese)",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Transcribe short customer-service calls in Brazilian Portuguese, removing "
            "personal details as you go."
        ),
        intro=(
            "We build speech recognition for support teams in Brazil. Calls are short, noisy "
            "and full of real life."
        ),
        duties=(
            "Transcribe 1-3 minute call snippets verbatim",
            "Replace names, numbers and addresses with tags",
            "Rate the audio quality of each snippet",
        ),
        needs=("Native Brazilian Portuguese", "Headphones"),
        hourly_cents=1000,
        hours=25,
        countries=("BR", "PT"),
        languages=("pt",),
        openings=45,
    ),
    DemoListing(
        slug="speaker-diarisation-meeting-recordings",
        title="Speaker diarisation of meeting recordings",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Mark who speaks when in recorded video meetings, including overlaps and "
            "interruptions, for a meeting notes assistant."
        ),
        intro=(
            "Good meeting notes depend on knowing who said what. You will segment recordings "
            "by speaker on a waveform timeline."
        ),
        duties=(
            "Split the timeline into segments, one per speaker turn",
            "Mark overlapping speech and short back-channel sounds",
            "Check the automatic segments and fix the wrong ones",
        ),
        needs=("Good listening skills", "Some experience with audio or video editing helps"),
        hourly_cents=1400,
        hours=15,
        experience="intermediate",
        openings=25,
    ),
    DemoListing(
        slug="voice-note-emotion-tagging",
        title="Voice note emotion tagging",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Listen to 10-second voice clips and tag the speaker's emotion and energy for "
            "an expressive text-to-speech model."
        ),
        intro=(
            "Synthetic voices sound flat because they do not know how people feel. Your tags, "
            "made in our own listening tool, teach ours the difference between calm, cheerful and "
            "annoyed."
        ),
        duties=(
            "Choose the main emotion in each clip from eight options",
            "Rate energy and speaking rate on a five-point scale",
            "Flag clips with background voices",
        ),
        needs=("Headphones", "English; a second language is a plus"),
        hours=10,
        openings=150,
        hourly_cents=1100,
    ),
    DemoListing(
        slug="japanese-audio-transcription",
        title="Japanese audio transcription",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Transcribe everyday Japanese speech — interviews, vlogs, voice messages — with "
            "correct kanji and furigana for names."
        ),
        intro=(
            "Our Japanese speech model needs transcripts that are exact down to particles "
            "and fillers."
        ),
        duties=(
            "Transcribe clips in standard Japanese orthography",
            "Add readings for proper names",
            "Mark fillers (えーと, あの) and unclear words",
        ),
        needs=("Native Japanese", "Careful proofreading habits"),
        hourly_cents=1800,
        hours=15,
        countries=("JP",),
        languages=("ja",),
        experience="intermediate",
        openings=20,
        deadline_days=40,
    ),
    DemoListing(
        slug="accent-coverage-read-speech-review",
        title="Voice clip transcription for accent coverage",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary=(
            "Type exactly what speakers say in short read-aloud clips; we compare your "
            "transcripts with the prompts to see which accents our recogniser misses."
        ),
        intro=(
            "Speech recognition should work for everyone, not only for a few accents. Your "
            "transcripts of short clips show us which voices our data is missing."
        ),
        duties=(
            "Listen to each clip of a few seconds and type every word you hear",
            "Write numbers the way they are spoken: seven thirty, not 7:30",
            "Use [inaudible] for words you cannot make out",
        ),
        needs=(
            "Fluent English",
            "Headphones and a quiet room",
        ),
        hours=8,
        countries=(*ANGLO, "IN", "NG", "KE", "ZA", "PH", "SG"),
        openings=100,
    ),
    # --- Text moderation ----------------------------------------------------------------
    DemoListing(
        slug="marketplace-listing-moderator",
        title="Marketplace listing moderator",
        company="harborline-safety",
        category=C.TEXT_MODERATION,
        summary=(
            "Review second-hand marketplace listings flagged by our filters for scams, "
            "prohibited items and misleading descriptions."
        ),
        intro=(
            "Buyers should be able to trust a listing. You will decide on the listings our "
            "automatic filters are not sure about."
        ),
        duties=(
            "Approve, edit-request or remove flagged listings following the policy",
            "Spot common scam patterns: off-platform payment, too-good prices",
            "Escalate anything involving weapons, drugs or stolen goods",
        ),
        needs=("Good judgement and consistency", "English; Spanish is a plus"),
        hourly_cents=1350,
        hours=30,
        experience="intermediate",
        openings=35,
    ),
    DemoListing(
        slug="comment-toxicity-rater",
        title="Comment toxicity rater",
        company="harborline-safety",
        category=C.TEXT_MODERATION,
        summary=(
            "Rate short forum comments for toxicity, harassment and hate speech to calibrate "
            "an automated comment filter."
        ),
        intro=(
            "Our comment filter is only as fair as the people who calibrate it. Raters from "
            "many backgrounds help it tell criticism from abuse."
        ),
        duties=(
            "Rate each comment on our five-level toxicity scale",
            "Name the kind of harm in the comment box: insult, threat, identity attack, profanity",
            "Take breaks when you need them; the project caps how many you rate a day",
        ),
        needs=("Fluent English", "Comfort reading offensive language"),
        hours=15,
        openings=120,
    ),
    DemoListing(
        slug="dating-app-profile-review-french",
        title="Dating app profile review (French)",
        company="harborline-safety",
        category=C.TEXT_MODERATION,
        summary=(
            "Review French-language dating profiles for fake accounts, solicitation and "
            "policy breaches."
        ),
        intro=(
            "People on dating apps deserve to meet real people. You will review profiles that "
            "our systems flagged as suspicious."
        ),
        duties=(
            "Check profile text and prompts against the community guidelines",
            "Spot fake or commercial accounts",
            "Write a short reason for every removal",
        ),
        needs=("Native French", "Discretion: you will see personal information"),
        hourly_cents=1500,
        hours=20,
        countries=("FR", "BE", "CH", "CA"),
        languages=("fr", "en"),
        openings=15,
    ),
    DemoListing(
        slug="review-spam-detection",
        title="Review spam detection",
        company="meridian-query",
        category=C.TEXT_MODERATION,
        summary=(
            "Spot fake and incentivised reviews on local business pages: copy-paste praise, "
            "paid-for reviews and off-topic promotion."
        ),
        intro=(
            "Fake reviews make local search worse for everyone. Your decisions train the "
            "model that keeps them out of our results."
        ),
        duties=(
            "Label each review genuine, spam, incentivised or off-topic",
            "Look for copy-paste praise, a free product in exchange, a link to another shop",
            "Leave honest negative reviews as genuine",
        ),
        needs=("English", "A sceptical mind"),
        hours=10,
        openings=80,
    ),
    DemoListing(
        slug="forum-moderation-german",
        title="Community forum moderation (German)",
        company="harborline-safety",
        category=C.TEXT_MODERATION,
        summary=(
            "Moderate reported posts in German-language hobby and parenting forums, applying "
            "the forum rules and the NetzDG reporting process."
        ),
        intro=(
            "Our forum clients want friendly communities. You will handle reported posts and "
            "keep discussions on track."
        ),
        duties=(
            "Decide on reported posts: keep, edit, remove or warn",
            "Handle NetzDG complaints within the deadline",
            "Write short, friendly messages to members",
        ),
        needs=("Native German", "Previous moderation experience"),
        hourly_cents=1700,
        hours=25,
        countries=DACH,
        languages=("de",),
        experience="intermediate",
        openings=10,
        deadline_days=20,
    ),
    DemoListing(
        slug="llm-prompt-safety-labelling",
        title="Prompt safety labelling for a chat assistant",
        company="brightloom-labs",
        category=C.TEXT_MODERATION,
        summary=(
            "Label user prompts sent to a chat assistant by safety category, so it can "
            "decline the harmful ones and help with everything else."
        ),
        intro=(
            "An assistant that refuses too much is useless; one that refuses too little is "
            "dangerous. Your labels help it find the line."
        ),
        duties=(
            "Classify prompts by safety category and severity",
            "Mark prompts that look harmful but are actually fine",
            "Propose clarifications to the policy when cases repeat",
        ),
        needs=("Excellent English", "Experience in trust & safety or policy work"),
        hourly_cents=2600,
        hours=20,
        experience="expert",
        openings=12,
    ),
    # --- Image & video moderation -----------------------------------------------------
    DemoListing(
        slug="short-video-moderation",
        title="Short-video content moderator",
        company="kestrel-feed",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Review short videos flagged by users or classifiers for violence, dangerous "
            "challenges and adult content."
        ),
        intro=(
            "Short-video apps move fast. Moderators make the calls classifiers cannot, "
            "quickly and consistently."
        ),
        duties=(
            "Watch flagged clips and apply the content policy",
            "Age-restrict, remove or approve with a reason",
            "Escalate real-world threats to the safety team immediately",
        ),
        needs=("Resilience; counselling sessions are provided", "English"),
        hourly_cents=1600,
        hours=30,
        experience="intermediate",
        openings=40,
    ),
    DemoListing(
        slug="marketplace-photo-moderation",
        title="Marketplace photo moderation",
        company="harborline-safety",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Check photos on marketplace listings: is it the item for sale, is it a stock "
            "photo, does it show anything prohibited?"
        ),
        intro=(
            "Photos sell items, and sometimes hide scams. You will review the images our filters "
            "flag in Harborline's own review console, in shifts you choose each week."
        ),
        duties=(
            "Confirm photos match the item described",
            "Detect stock photos, screenshots and watermarks",
            "Remove images with prohibited items or personal data",
        ),
        needs=("Attention to detail", "No experience required"),
        hours=15,
        openings=100,
        hourly_cents=1200,
    ),
    DemoListing(
        slug="livestream-thumbnail-review",
        title="Livestream thumbnail review",
        company="kestrel-feed",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Check live-stream thumbnails every few seconds for policy breaches, working in "
            "shifts that cover the evening peak."
        ),
        intro=(
            "Live video cannot wait for a queue. Thumbnail reviewers catch problems while a "
            "stream is still running."
        ),
        duties=(
            "Review grids of live thumbnails and flag breaches",
            "Open and watch streams when a thumbnail is unclear",
            "Work fixed evening shifts in your time zone",
        ),
        needs=("Reliable internet", "Availability for evening shifts"),
        hourly_cents=1450,
        hours=35,
        countries=("US", "CA", "MX", "BR", "CO"),
        openings=20,
    ),
    DemoListing(
        slug="ad-creative-image-review",
        title="Ad creative image review",
        company="kestrel-feed",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Review images and short videos submitted as ads for misleading claims, "
            "restricted products and low-quality creative."
        ),
        intro=(
            "Ads pay for free apps, but bad ads drive people away. You will check creatives "
            "before they reach anyone's feed."
        ),
        duties=(
            "Check creatives against the advertising policy",
            "Flag before/after health claims and restricted products",
            "Rate creative quality on a three-point scale",
        ),
        needs=("English", "Interest in advertising or design"),
        hourly_cents=1250,
        hours=20,
        openings=30,
        deadline_days=35,
    ),
    DemoListing(
        slug="generated-image-safety-rating",
        title="AI-generated image safety rating",
        company="brightloom-labs",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Rate images made by an image generator for safety and for whether they followed "
            "the prompt, to tune its filters."
        ),
        intro=(
            "Image generators surprise everyone, sometimes badly. Your ratings, made in our own "
            "review tool, tune the filters that decide what users see."
        ),
        duties=(
            "Rate each image for safety across six categories",
            "Say whether the image followed the prompt",
            "Flag realistic images of real public figures",
        ),
        needs=("English", "Comfort with occasionally disturbing images"),
        hours=12,
        openings=90,
        hourly_cents=1300,
    ),
    DemoListing(
        slug="video-moderation-spanish-latam",
        title="Video moderation (Spanish, Latin America)",
        company="harborline-safety",
        category=C.IMAGE_VIDEO_MODERATION,
        summary=(
            "Moderate user videos from Latin American communities, where local slang and "
            "context decide what is a threat and what is a joke."
        ),
        intro=(
            "Context matters. Spanish-speaking moderators who know the region make better "
            "decisions than any translated policy."
        ),
        duties=(
            "Review flagged videos and their comments",
            "Apply the policy with local context in mind",
            "Add notes on regional slang to the shared glossary",
        ),
        needs=("Native Spanish (Latin American)", "Basic English"),
        hourly_cents=1100,
        hours=30,
        countries=LATAM_ES,
        languages=("es",),
        openings=25,
    ),
    # --- Social media moderation ------------------------------------------------------
    DemoListing(
        slug="social-media-moderator-english",
        title="Social media moderator (English)",
        company="harborline-safety",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Review reported posts from a growing social app one at a time: mark the policies "
            "each breaks, how severe it is, and escalate anyone at risk."
        ),
        intro=(
            "Our client's social app is growing quickly and its community rules need people who "
            "apply them fairly. Most reported posts break no rule; your decisions tell them apart "
            "from the ones that do."
        ),
        duties=(
            "Mark every policy a reported post breaks, from harassment to misinformation",
            "Choose how severe the breach is, or leave the post up when it breaks none",
            "Always escalate posts that hint at self-harm",
        ),
        needs=("Fluent English", "Heavy social media user"),
        hours=15,
        openings=50,
    ),
    DemoListing(
        slug="misinformation-labelling-elections",
        title="Misinformation labelling during elections",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Label viral posts about voting procedures as accurate, misleading or false, "
            "using sources we provide, during election periods."
        ),
        intro=(
            "False claims about how to vote spread fast. You will help platforms label them "
            "using official election sources."
        ),
        duties=(
            "Compare claims with official sources from the electoral authority",
            "Label posts as accurate, missing context, misleading or false",
            "Never judge opinions, only factual claims about voting",
        ),
        needs=("Careful reading and neutrality", "Knowledge of your country's elections"),
        hourly_cents=2000,
        hours=15,
        countries=("US", "GB", "IN", "BR", "MX", "DE"),
        languages=("en",),
        experience="intermediate",
        openings=20,
        deadline_days=25,
    ),
    DemoListing(
        slug="community-notes-helpfulness-rater",
        title="Community notes helpfulness rater",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Rate whether crowd-written notes on posts are helpful, neutral and well sourced "
            "before they are shown to everyone."
        ),
        intro=(
            "Crowd-written context is powerful when it is good. Your ratings decide which "
            "notes are ready to show."
        ),
        duties=(
            "Read the post and the note written under it",
            "Judge whether the note helps readers: helpful, somewhat helpful or not helpful",
            "Rate notes that argue rather than inform as not helpful",
        ),
        needs=("English", "Good at checking sources"),
        hours=10,
        openings=60,
    ),
    DemoListing(
        slug="hindi-social-media-moderation",
        title="Social media moderation (Hindi)",
        company="harborline-safety",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Moderate Hindi and Hinglish posts and comments for hate speech, harassment and "
            "spam on a regional social platform."
        ),
        intro=(
            "Hate speech in Hindi often hides in slang. Native speakers catch what "
            "classifiers miss."
        ),
        duties=(
            "Review reported posts and comments in Hindi and Hinglish",
            "Apply the hate-speech and harassment policy",
            "Help extend the list of coded slurs",
        ),
        needs=("Native Hindi, good English", "Resilience"),
        hourly_cents=950,
        hours=30,
        countries=("IN",),
        languages=("hi", "en"),
        openings=30,
    ),
    DemoListing(
        slug="group-chat-spam-review",
        title="Group chat spam and scam review",
        company="harborline-safety",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Review reported messages in public group chats for crypto scams, phishing links "
            "and mass spam."
        ),
        intro=(
            "Public group chats attract scammers. You will act on reports in the chat platform's "
            "own moderation console, in shifts, so groups stay useful."
        ),
        duties=(
            "Check reported messages and linked sites",
            "Remove scams and ban repeat spammers",
            "Tag new scam patterns for the detection team",
        ),
        needs=("English", "Knowledge of common online scams"),
        hours=20,
        openings=70,
        hourly_cents=1250,
    ),
    DemoListing(
        slug="creator-comment-moderation-portuguese",
        title="Creator comment moderation (Portuguese)",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_MODERATION,
        summary=(
            "Keep comment sections of Brazilian video creators friendly: remove spam, "
            "harassment and impersonation."
        ),
        intro=(
            "Creators lose audiences when comments turn ugly. You will moderate on their "
            "behalf, under their own rules and ours."
        ),
        duties=(
            "Review held comments and user reports",
            "Remove impersonation accounts",
            "Summarise weekly trends for each creator",
        ),
        needs=("Native Brazilian Portuguese", "Familiar with Brazilian creator culture"),
        hourly_cents=1050,
        hours=20,
        countries=("BR",),
        languages=("pt",),
        openings=15,
    ),
    # --- Search engine evaluation -----------------------------------------------------
    DemoListing(
        slug="search-quality-rater-spanish-mexico",
        title="Search quality rater in Spanish for Mexico",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Judge how well web search results answer real queries from Mexico, in Mexican "
            "Spanish, following our rating guidelines."
        ),
        intro=(
            "“Tortas cerca de mí” means something different in Monterrey and Mérida. Raters "
            "who live in Mexico tell us whether results fit."
        ),
        duties=(
            "Rate each result's relevance to the query and the searcher's location",
            "Judge page quality and trustworthiness",
            "Compare two result pages side by side",
        ),
        needs=(
            "Living in Mexico for the past 3 years",
            "Native Spanish; English for the guidelines",
        ),
        hourly_cents=1400,
        hours=20,
        countries=("MX",),
        languages=("es", "en"),
        openings=40,
    ),
    DemoListing(
        slug="search-quality-rater-us-english",
        title="Search quality rater (US English)",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Rate web search results for relevance and page quality for searchers in the "
            "United States."
        ),
        intro=(
            "Our raters are the ground truth for search quality. Each task is one query and one "
            "result; every rating is compared with other raters', so consistency matters more "
            "than speed."
        ),
        duties=(
            "Rate how well each result meets the searcher's need, from 1 to 5",
            "Think about what most people typing the query want before you read the result",
            "Read the rating guidelines and their examples before you start",
        ),
        needs=("Living in the US", "Fluent English; comfortable with long guidelines"),
        hours=20,
        countries=("US",),
        openings=60,
    ),
    DemoListing(
        slug="maps-local-search-evaluator-japan",
        title="Maps and local search evaluator (Japan)",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Check whether map search results in Japan show the right places, addresses and "
            "opening hours for what people searched."
        ),
        intro=(
            "Local search must know that a ramen shop closed last month. Raters in Japan "
            "check places against reality."
        ),
        duties=(
            "Rate map results for relevance and distance",
            "Verify addresses and opening hours with official sources",
            "Flag duplicate or closed places",
        ),
        needs=("Living in Japan", "Native Japanese"),
        hourly_cents=2100,
        hours=15,
        countries=("JP",),
        languages=("ja",),
        openings=15,
    ),
    DemoListing(
        slug="shopping-search-relevance-german",
        title="Shopping search relevance (German)",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Judge whether product search results match German shoppers' queries, including "
            "size, brand and compatibility details."
        ),
        intro=(
            "A shopper asking for an “Akku für Bosch Bohrmaschine 18V” wants exactly that. You "
            "will tell us when results miss, in our own rating tool, paid by the hour."
        ),
        duties=(
            "Rate each product as exact, substitute, complement or irrelevant",
            "Check compatibility claims on product pages",
            "Note queries where the best product is missing",
        ),
        needs=("Native German", "Living in Germany, Austria or Switzerland"),
        hours=15,
        countries=DACH,
        languages=("de",),
        openings=50,
        hourly_cents=1500,
    ),
    DemoListing(
        slug="side-by-side-search-evaluation-french",
        title="Side-by-side search evaluation (French)",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Compare two versions of a search results page for French queries and say which "
            "serves the searcher better, and why."
        ),
        intro=(
            "Before we change the ranking, raters compare the old and new result pages. "
            "Your reasons matter as much as your choice."
        ),
        duties=(
            "Compare two result pages for the same query",
            "Choose the better one on a seven-point scale",
            "Write one or two sentences explaining your choice",
        ),
        needs=("Native French", "Living in France, Belgium, Switzerland or Canada"),
        hourly_cents=1600,
        hours=10,
        countries=("FR", "BE", "CH", "CA"),
        languages=("fr", "en"),
        experience="intermediate",
        openings=20,
        deadline_days=28,
    ),
    DemoListing(
        slug="query-autocomplete-evaluation",
        title="Query autocomplete evaluation",
        company="meridian-query",
        category=C.SEARCH_EVALUATION,
        summary=(
            "Judge the search suggestions that appear as people type: useful, not useful, or "
            "harmful."
        ),
        intro=(
            "Autocomplete shapes what people search for. It has to be helpful and must never "
            "suggest something hurtful."
        ),
        duties=(
            "Read what the person typed and the suggestion shown under it",
            "Mark a suggestion useful when many people typing this would want it",
            "Mark offensive, hurtful or defamatory suggestions as harmful",
        ),
        needs=("Fluent English", "No experience needed"),
        hours=8,
        openings=150,
    ),
    # --- Social media evaluation ------------------------------------------------------
    DemoListing(
        slug="social-feed-relevance-evaluator",
        title="Social feed relevance evaluator",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Use a test account for a few hours a week and rate whether the posts in your "
            "feed match your interests and feel fresh."
        ),
        intro=(
            "Ranking teams need to know how a feed feels, not only what it clicks. You will "
            "browse and rate your own test feed."
        ),
        duties=(
            "Browse a test feed set up around given interests",
            "Rate each post's relevance and the feed's variety",
            "Note posts you saw too many times",
        ),
        needs=("An active social media user", "A smartphone (Android or iOS)"),
        hourly_cents=1300,
        hours=10,
        openings=80,
    ),
    DemoListing(
        slug="ad-relevance-rater-social",
        title="Ad relevance rater for social apps",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Judge how relevant ads are to a described user and the post they appear next "
            "to, and flag ads that feel intrusive."
        ),
        intro=(
            "Ads that match what you care about are useful; others are noise. You will rate ads "
            "in our own ad-review tool, and your ratings help the ad system tell the difference."
        ),
        duties=(
            "Read a short user profile and rate ads for relevance",
            "Judge whether the ad fits next to the surrounding post",
            "Flag sensitive targeting",
        ),
        needs=("English", "Living in the US, UK or Canada"),
        hours=12,
        countries=("US", "GB", "CA"),
        openings=90,
        hourly_cents=1300,
    ),
    DemoListing(
        slug="video-recommendation-quality-japanese",
        title="Video recommendation quality (Japanese)",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Rate the quality and relevance of recommended short videos for Japanese viewers "
            "and spot low-effort or repetitive content."
        ),
        intro=(
            "Japanese viewers expect well-made, relevant videos. You will tell our client "
            "when recommendations fall short."
        ),
        duties=(
            "Watch the seed video and rate each recommendation after it",
            "Judge production quality and originality",
            "Flag reposted or repetitive content",
        ),
        needs=("Native Japanese", "Living in Japan"),
        hourly_cents=1700,
        hours=10,
        countries=("JP",),
        languages=("ja",),
        openings=20,
    ),
    DemoListing(
        slug="hashtag-and-topic-labelling",
        title="Hashtag and topic labelling",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Judge whether posts under trending hashtags are on topic, off topic or spam, so "
            "trending pages stay meaningful."
        ),
        intro=(
            "Trending pages get hijacked by spam and off-topic posts. Your labels keep them "
            "about what people are actually talking about."
        ),
        duties=(
            "Read the hashtag, what it is trending for, and one post that uses it",
            "Label the post on topic, off topic or spam",
            "Treat posts that use the hashtag only to sell something as spam",
        ),
        needs=("English", "Keeps up with online culture"),
        hours=8,
        openings=60,
    ),
    DemoListing(
        slug="notification-usefulness-panel",
        title="Notification usefulness panel",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Join a diary panel: install a test app, rate every notification you get for a "
            "week, and answer a short daily survey."
        ),
        intro=(
            "Too many notifications make people uninstall. Panelists tell us which ones were "
            "worth it."
        ),
        duties=(
            "Rate each notification as useful, neutral or annoying",
            "Fill in a two-minute daily survey",
            "Join one optional 30-minute video interview",
        ),
        needs=("A smartphone", "Living in the UK, Ireland, Australia or New Zealand"),
        hourly_cents=1000,
        hours=3,
        countries=("GB", "IE", "AU", "NZ"),
        openings=30,
        deadline_days=14,
    ),
    DemoListing(
        slug="spanish-feed-evaluation-spain",
        title="Social feed evaluation (Spanish, Spain)",
        company="kestrel-feed",
        category=C.SOCIAL_MEDIA_EVALUATION,
        summary=(
            "Rate how relevant, local and fresh a Spanish-language social feed feels to "
            "someone living in Spain."
        ),
        intro=(
            "A feed for Madrid should not feel like a feed for Mexico City. Raters in Spain "
            "tell us when it does."
        ),
        duties=(
            "Browse a test feed and rate posts for local relevance",
            "Spot content that is clearly meant for another country",
            "Rate overall freshness at the end of each session",
        ),
        needs=("Native Spanish (Spain)", "Living in Spain"),
        hourly_cents=1250,
        hours=10,
        countries=("ES",),
        languages=("es",),
        openings=25,
    ),
    # --- Customer support escalation ---------------------------------------------------
    DemoListing(
        slug="escalation-specialist-ai-support-assistant",
        title="Escalation specialist for an AI support assistant",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Take over conversations our AI support assistant hands off: refunds, angry "
            "customers and anything the bot is unsure about."
        ),
        intro=(
            "Our assistant solves most tickets alone and hands the rest to people. You are the "
            "person the customer meets when it matters."
        ),
        duties=(
            "Resolve escalated chats for online shops: refunds, damaged goods, lost parcels",
            "Write the answer the assistant should have given, for training",
            "Tag why each conversation was escalated",
        ),
        needs=("One year of customer support experience", "Excellent written English"),
        hourly_cents=2200,
        hours=30,
        countries=(*ANGLO, "PH", "IN", "ZA"),
        experience="intermediate",
        openings=20,
    ),
    DemoListing(
        slug="bilingual-support-escalation-spanish",
        title="Bilingual support escalation (Spanish/English)",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Handle escalated customer chats in Spanish and English for travel and telecom "
            "clients when the AI assistant needs a person."
        ),
        intro=(
            "Customers switch languages mid-conversation; our assistant does not always keep "
            "up. Bilingual specialists do."
        ),
        duties=(
            "Resolve escalated chats in Spanish or English",
            "Rebook travel and fix billing issues in the client's tools",
            "Rate how well the assistant handled the start of each chat",
        ),
        needs=("Fluent Spanish and English", "Support experience in travel or telecom"),
        hourly_cents=1900,
        hours=35,
        countries=("US", "MX", "CO", "ES"),
        languages=("es", "en"),
        experience="intermediate",
        openings=15,
    ),
    DemoListing(
        slug="refund-dispute-reviewer",
        title="Refund and dispute reviewer",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Review refund requests the AI assistant could not decide, check order evidence "
            "and make the call within policy."
        ),
        intro=(
            "Refund decisions need judgement and evidence. You will make the ones our "
            "assistant is not allowed to make."
        ),
        duties=(
            "Check order history, tracking and photos",
            "Approve, partly approve or decline with a clear reason",
            "Spot refund abuse patterns",
        ),
        needs=("Experience with e-commerce support or payments", "Good English"),
        hourly_cents=1750,
        hours=25,
        experience="intermediate",
        openings=15,
        deadline_days=30,
    ),
    DemoListing(
        slug="technical-support-escalation-saas",
        title="Technical support escalation (SaaS)",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Solve technical tickets the AI assistant escalates for a software client: "
            "login problems, integrations, API errors."
        ),
        intro=(
            "When a customer's integration breaks, a canned answer will not do. You will "
            "troubleshoot and explain in plain words."
        ),
        duties=(
            "Reproduce and troubleshoot reported problems",
            "Write clear step-by-step answers",
            "Improve the help articles the assistant cites",
        ),
        needs=("Technical support or developer experience", "Comfort reading API logs"),
        hourly_cents=3200,
        hours=20,
        countries=ANGLO + DACH + ("NL", "SE", "PL"),
        experience="expert",
        openings=8,
    ),
    DemoListing(
        slug="german-customer-escalation",
        title="Customer escalation specialist (German)",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Answer escalated German-language customer emails and chats for an online "
            "retailer, with the AI assistant drafting first replies."
        ),
        intro=(
            "Our assistant drafts; you decide. German-speaking specialists review drafts and "
            "take over when the case needs a person."
        ),
        duties=(
            "Review and correct the assistant's drafts before sending",
            "Take over complaints and complex returns",
            "Tag drafts that needed heavy editing",
        ),
        needs=("Native German", "Customer service experience"),
        hourly_cents=2100,
        hours=30,
        countries=DACH,
        languages=("de", "en"),
        experience="intermediate",
        openings=10,
    ),
    DemoListing(
        slug="support-conversation-quality-grader",
        title="Support conversation quality grader",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary=(
            "Grade finished support conversations against a quality rubric, and rewrite curt "
            "replies into friendly ones that keep every fact."
        ),
        intro=(
            "Quality assurance keeps both people and the assistant improving. You will grade "
            "conversations after they close, and turn curt replies into ones our assistant can "
            "learn from."
        ),
        duties=(
            "Score closed conversations from 1 to 5: resolved, accurate, polite, within policy",
            "Rewrite curt replies so they acknowledge the customer, explain and give a next step",
            "Keep every fact of the original reply and promise nothing new",
        ),
        needs=("Support or QA experience", "English"),
        hours=15,
        openings=40,
    ),
    # --- AI response review ------------------------------------------------------------
    DemoListing(
        slug="chatbot-answer-reviewer",
        title="Chatbot answer reviewer",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Compare two answers from our writing assistant, pick the better one and explain "
            "why: accuracy, helpfulness and tone."
        ),
        intro=(
            "Our assistant learns from your preferences. Careful, well-reasoned comparisons "
            "are the most valuable data we have."
        ),
        duties=(
            "Read a prompt and two answers, then choose the better one, or a tie",
            "Check correctness first, then safety, then how helpful and clear each answer is",
            "Say briefly why when the choice is close",
        ),
        needs=("Excellent English writing", "A university degree or equivalent experience"),
        hours=20,
        openings=60,
        admission=BY_COMPANY,
    ),
    DemoListing(
        slug="fact-checking-ai-answers",
        title="Fact-checking AI answers",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Check every factual claim in an AI assistant's answers against reliable "
            "sources and mark what is wrong or unsupported."
        ),
        intro=(
            "Fluent answers can still be wrong. Fact-checkers find the claims our assistant "
            "made up so it learns not to."
        ),
        duties=(
            "Split answers into individual claims",
            "Verify each claim and cite a source",
            "Rewrite the answer so every claim is correct",
        ),
        needs=("Research skills", "Journalism, library or academic background is a plus"),
        hourly_cents=2400,
        hours=15,
        experience="intermediate",
        openings=25,
    ),
    DemoListing(
        slug="coding-assistant-answer-review",
        title="Coding assistant answer review (Python, JavaScript)",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Review code written by an AI assistant: does it run, is it correct and safe, "
            "and is the explanation right? Developers only."
        ),
        intro=(
            "Developers use our assistant for real work. Reviewers with production experience "
            "keep its code honest, working in our own code sandbox."
        ),
        duties=(
            "Run and test the assistant's code",
            "Rate correctness, security and readability",
            "Write a better solution when the assistant's falls short",
        ),
        needs=("Three years of professional Python or JavaScript", "Excellent English"),
        hourly_cents=3800,
        hours=15,
        experience="expert",
        openings=15,
    ),
    DemoListing(
        slug="ai-response-review-french",
        title="AI response review (French)",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Rate French answers from a writing assistant for grammar, naturalness and "
            "accuracy, and correct the ones that sound translated."
        ),
        intro=(
            "A French answer should sound French, not translated. Native speakers tell us "
            "when it does not."
        ),
        duties=(
            "Rate answers for fluency, accuracy and register",
            "Correct unnatural phrasing",
            "Flag answers that miss cultural context",
        ),
        needs=("Native French", "Strong writing skills"),
        hourly_cents=2200,
        hours=15,
        countries=("FR", "BE", "CH", "CA", "SN", "CI"),
        languages=("fr",),
        openings=20,
    ),
    DemoListing(
        slug="support-bot-answer-accuracy-review",
        title="Support bot answer accuracy review",
        company="lanternfish-support",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Check the AI support assistant's answers against the client's help centre and "
            "mark anything invented or out of date."
        ),
        intro=(
            "A support bot must never promise what the policy does not allow. You will check "
            "answers against the source of truth."
        ),
        duties=(
            "Compare each answer with the help-centre article it cites",
            "Label it accurate, invented (a promise the article does not make) or out of date",
            "Read the whole article excerpt before you decide",
        ),
        needs=("Good English", "Attention to detail"),
        hours=15,
        openings=70,
    ),
    DemoListing(
        slug="multilingual-assistant-review-portuguese",
        title="Assistant answer review (Portuguese)",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary=(
            "Compare Portuguese answers from two assistant versions for Brazilian and "
            "European users and explain which is better."
        ),
        intro=(
            "Portuguese differs between Brazil and Portugal. Reviewers from both help our "
            "assistant answer each the way they expect."
        ),
        duties=(
            "Compare two answers and choose the better one",
            "Mark vocabulary that is wrong for the user's country",
            "Rate helpfulness and correctness",
        ),
        needs=("Native Portuguese (Brazil or Portugal)", "Good English for the guidelines"),
        hourly_cents=1500,
        hours=15,
        countries=("BR", "PT"),
        languages=("pt", "en"),
        openings=30,
        deadline_days=50,
    ),
    # --- Paused and closed listings: realistic history, not counted as open ---------
    DemoListing(
        slug="receipt-data-extraction",
        title="Receipt data extraction",
        company="pinewire-vision",
        category=C.IMAGE_ANNOTATION,
        summary="Type merchant, date, total and tax from photos of shop receipts.",
        intro=(
            "A bookkeeping app needs receipts read exactly, including faded ones. The work is "
            "done in its own data-entry tool and paid by the hour."
        ),
        duties=("Enter merchant, date, total and tax", "Mark unreadable fields"),
        needs=("Accurate typing",),
        openings=50,
        status="paused",
        hourly_cents=1100,
    ),
    DemoListing(
        slug="holiday-season-chat-support",
        title="Holiday season chat support",
        company="lanternfish-support",
        category=C.SUPPORT_ESCALATION,
        summary="Extra escalation cover for the holiday peak; this season's team is complete.",
        intro="Every December our clients' chat volume triples. This year's team is full.",
        duties=("Resolve escalated chats during peak hours",),
        needs=("Support experience", "Availability in December"),
        hourly_cents=2000,
        hours=35,
        openings=30,
        status="closed",
    ),
    DemoListing(
        slug="news-summary-rating-pilot",
        title="News summary rating (pilot)",
        company="brightloom-labs",
        category=C.AI_RESPONSE_REVIEW,
        summary="Rate AI-written news summaries for accuracy and missing context. Pilot paused.",
        intro="Our pilot is paused while we update the guidelines with what raters taught us.",
        duties=("Rate summaries against the article", "Mark missing context"),
        needs=("Fluent English",),
        hourly_cents=1600,
        openings=20,
        status="paused",
    ),
    DemoListing(
        slug="audio-wake-word-verification",
        title="Wake word verification",
        company="saltmarsh-audio",
        category=C.AUDIO_ANNOTATION,
        summary="Confirm whether short clips contain the wake word. The project is complete.",
        intro=(
            "Thanks to everyone who took part; this dataset, labelled in our own listening tool, "
            "is finished."
        ),
        duties=("Listen and answer yes or no",),
        needs=("Headphones",),
        openings=100,
        status="closed",
        hourly_cents=1000,
    ),
]


def how_it_works(listing: DemoListing, *, company_name: str, has_test: bool) -> str:
    """How the listing's work is done, admitted and paid, in the applicant's words.

    It must agree with the listing's pay source and admission rule, which the seed sets
    from the same spec: task work is paid per task through Loopwork at its projects' pay,
    hourly work is done in the company's own tools and paid by the company.
    """
    test = "take the qualification test, " if has_test else ""
    if listing.is_task_work:
        if listing.admission_rule == ON_PASS:
            admitted = (
                "you are admitted as soon as you pass it"
                if has_test
                else "you are admitted as soon as you apply"
            )
        else:
            admitted = f"{company_name} then admits or declines each applicant"
        return (
            f"This is task work on Loopwork. Apply here, {test}and {admitted}; the tasks "
            "then appear under Work, one at a time, and you work when you like. Each task "
            "pays the reward shown above, for the time shown, and approved tasks are paid "
            "through Loopwork."
        )
    return (
        f"This is hourly work in {company_name}'s own tools, not task by task on Loopwork. "
        f"Apply here, {test}and {company_name} decides on each applicant and contacts the "
        f"people it admits to set them up. {company_name} pays the hourly rate above for "
        "the hours you work."
    )


def description_html(listing: DemoListing, *, company_name: str, has_test: bool) -> str:
    """The listing body as Wagtail rich text: intro, duties, needs, how it works."""
    duties = "".join(f"<li>{escape(item)}</li>" for item in listing.duties)
    needs = "".join(f"<li>{escape(item)}</li>" for item in listing.needs)
    steps = escape(how_it_works(listing, company_name=company_name, has_test=has_test))
    return (
        f"<p>{escape(listing.intro)}</p>"
        f"<h3>What you will do</h3><ul>{duties}</ul>"
        f"<h3>What you need</h3><ul>{needs}</ul>"
        f"<p><strong>How it works:</strong> {steps}</p>"
    )
