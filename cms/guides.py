"""The text of the guides a fresh site starts with, as raw StreamField data (see blocks.py)."""


def heading(text: str) -> dict:
    return {"type": "heading", "value": text}


def paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def callout(tone: str, html: str) -> dict:
    return {"type": "callout", "value": {"tone": tone, "text": html}}


def checklist(title: str, items: list[str]) -> dict:
    return {"type": "checklist", "value": {"title": title, "items": items}}


GUIDE_INDEX_INTRO = (
    "<p>Practical, honest guides to remote human-in-the-loop work: what the jobs are, "
    "how to get your first one, and how to earn steadily while looking after yourself.</p>"
)

WHAT_HITL_IS = {
    "slug": "what-human-in-the-loop-work-is",
    "title": "What human-in-the-loop work is",
    "summary": (
        "Why AI systems still need people, and the ten kinds of remote jobs that come out "
        "of it, each with real example tasks."
    ),
    "body": [
        paragraph(
            "<p>Every AI system you have used, from a photo app that finds your dog to a "
            "chatbot that answers billing questions, learned from examples that people "
            "prepared, and it keeps improving because people check what it does. "
            "<b>Human-in-the-loop</b> (HITL) is the name for building those people into the "
            "system on purpose, instead of hoping the machine gets everything right alone.</p>"
        ),
        heading("The idea in a nutshell"),
        paragraph(
            "<p>In a human-in-the-loop system, people take part in how a model learns and "
            "how it makes decisions. Their work falls into three broad roles:</p>"
            "<ul>"
            "<li><b>Teaching.</b> People label raw data (pictures, sentences, recordings) so "
            "that a model has correct examples to learn from.</li>"
            "<li><b>Correcting.</b> People review what a model produced and fix its "
            "mistakes. Each correction becomes a new example, so the model gets better "
            "over time.</li>"
            "<li><b>Stepping in.</b> When the system is unsure of its answer, or when a "
            "decision raises an ethical question a machine should not settle alone, the "
            "case goes to a person who makes the call.</li>"
            "</ul>"
            "<p>That is why this work does not disappear as AI improves. Better models take "
            "on harder problems, and harder problems need careful human judgement.</p>"
        ),
        callout(
            "tip",
            "<p>You do not need to know how AI is built. What counts is reading carefully, "
            "judging sensibly and applying written guidelines the same way every time.</p>",
        ),
        heading("Annotation: teaching models to see, read and listen"),
        paragraph(
            "<h3>Image annotation</h3>"
            "<p>You mark what is in a picture so a vision model can learn to find it. "
            "Typical tasks: drawing a box around every cyclist and pedestrian in street "
            "photos for a driver-assistance system, tracing the exact outline of a product "
            "in a catalogue shot, or tagging whether a photo was taken indoors or "
            "outdoors.</p>"
            "<h3>Text annotation</h3>"
            "<p>You label pieces of text. You might decide whether a product review is "
            "positive, negative or mixed (sentiment analysis), highlight the names of people, "
            "companies and places in news articles (entity recognition), or sort incoming "
            "customer emails into topics such as refunds, delivery and login problems.</p>"
            "<h3>Audio annotation and transcription</h3>"
            "<p>You listen and write down or classify what you hear: typing out a short "
            "voice note word for word, marking where one speaker stops and the next begins, "
            "noting background music or noise, or identifying the language and accent of a "
            "clip. These tasks train speech recognition and voice assistants.</p>"
        ),
        heading("Moderation: keeping online spaces safe"),
        paragraph(
            "<h3>Text moderation</h3>"
            "<p>You read comments, reviews and chat messages that people post and decide "
            "whether they break a platform's rules: harassment, hate, spam, scams or "
            "threats. Your decisions also train the filters that catch the obvious cases "
            "automatically.</p>"
            "<h3>Image and video moderation</h3>"
            "<p>You check uploaded pictures and clips against a content policy, for example "
            "flagging violence or nudity, checking that a thumbnail matches its video, or "
            "spotting dangerous challenges before they spread.</p>"
            "<h3>Social media moderation</h3>"
            "<p>Here the context matters as much as the single post. You look at whole "
            "threads, reply chains and accounts: a joke between friends versus a pile-on, a "
            "network of fake accounts pushing the same link, a message that needs to go to "
            "a safety team straight away.</p>"
        ),
        callout(
            "warning",
            "<p>Moderation can expose you to upsetting material. Good listings say so plainly "
            "and describe the support on offer. Read "
            '<a href="/guides/pay-privacy-and-wellbeing/">Pay, privacy and staying well</a> '
            "before you apply for moderation work.</p>",
        ),
        heading("Evaluation: showing systems what good looks like"),
        paragraph(
            "<h3>Search engine evaluation</h3>"
            "<p>You are given a search query and a page of results and you rate how well "
            "each result, and each ad, answers what the person was looking for. You might "
            "judge whether a page is trustworthy or out of date, or compare two result pages "
            "side by side. Search companies use these ratings to tune their ranking, so "
            "everyone gets better results.</p>"
            "<h3>Social media evaluation</h3>"
            "<p>You assess what a platform shows its users: whether the posts recommended in "
            "a feed match a person's stated interests, whether an ad is relevant and "
            "appropriate where it appears, or which of two screen layouts is clearer. The "
            "feedback improves recommendation systems and the apps themselves.</p>"
        ),
        heading("Support and AI review: working beside a chatbot"),
        paragraph(
            "<h3>Customer support escalation</h3>"
            "<p>Chatbots handle routine questions; you take over when they cannot. That "
            "might be an unusual refund, a frustrated customer, or a question the bot "
            "misunderstood. Escalation work also includes reading automated conversations "
            "to check they meet the company's service standards and flagging the answers "
            "that need fixing.</p>"
            "<h3>AI response review</h3>"
            "<p>You read what an AI assistant wrote and judge it: is it accurate, helpful, "
            "safe and polite? Tasks include ranking two answers to the same question, "
            "pointing out invented facts, or rewriting a weak answer into a good one that "
            "the model can learn from. Specialist knowledge, such as medicine, law or "
            "coding, is often paid more.</p>"
        ),
        heading("Which kind of work suits you?"),
        checklist(
            "Good first matches",
            [
                "You enjoy precise, visual work: image annotation.",
                "You type fast and accurately and have good hearing: transcription.",
                "You read a lot and notice what makes a web page useful: search evaluation.",
                "You write clearly and stay calm with upset people: support escalation.",
                "You know a subject well and like checking facts: AI response review.",
                "You stay steady under pressure and apply rules fairly: moderation, "
                "with regular breaks.",
            ],
        ),
        paragraph(
            "<p>Every listing on Loopwork belongs to one of these ten categories, so you can "
            'filter <a href="/jobs/">the job board</a> by exactly the kind of work you want. '
            "When you are ready, read "
            '<a href="/guides/getting-started-with-hitl-jobs/">Getting started with HITL '
            "jobs</a> for the next step.</p>"
        ),
    ],
}

GETTING_STARTED = {
    "slug": "getting-started-with-hitl-jobs",
    "title": "Getting started with HITL jobs",
    "summary": (
        "The skills that matter, a profile that gets you picked, how applications and "
        "qualification tests work on Loopwork, and how to spot a listing you can trust."
    ),
    "body": [
        paragraph(
            "<p>Most human-in-the-loop jobs are open to people without a degree or previous "
            "experience in AI. What you need is a computer, a reliable internet connection "
            "and the habits described below. This guide takes you from signing up to your "
            "first paid task.</p>"
        ),
        heading("The skills that matter"),
        paragraph(
            "<ul>"
            "<li><b>Basic computer literacy.</b> You are comfortable in a web browser, can "
            "switch between tabs, use a few keyboard shortcuts and look things up online "
            "quickly. Search evaluation in particular involves a lot of careful research.</li>"
            "<li><b>Attention to detail.</b> Guidelines often run to many pages, and small "
            "distinctions matter: is a half-hidden car still a car to label, or does a "
            "sarcastic review count as negative? Models learn from exactly what you submit, "
            "so consistency is worth more than speed.</li>"
            "<li><b>Adaptability and a willingness to learn.</b> Guidelines are updated, "
            "tools change and projects end as new ones start. People who read updates "
            "promptly and ask good questions keep getting work.</li>"
            "</ul>"
        ),
        callout(
            "tip",
            "<p>Keep your own notes of tricky cases and how the guidelines settle them. A "
            "page of notes saves you from rereading forty pages every time you hesitate.</p>",
        ),
        heading("Build a profile that gets you picked"),
        paragraph(
            "<p>After you sign up and confirm your email address, complete your worker "
            "profile. Companies often need particular languages or countries: search "
            "ratings, for example, are usually collected per market, because what counts as "
            "a good result depends on where the searcher lives. Listings state which "
            "countries and languages they accept, and the job board filters on them.</p>"
        ),
        checklist(
            "Your profile checklist",
            [
                "A display name you are happy for companies to see.",
                "The country you actually live and work in.",
                "Every language you read and write well, with an honest level.",
                "The kinds of work you have done or want to try.",
                "A short note on relevant experience, including unpaid or volunteer work.",
            ],
        ),
        heading("How listings work"),
        paragraph(
            "<p>Each listing shows the company, the category of work, the pay, the hours "
            "per week, the experience it expects, the number of openings and any deadline. "
            "Pay is either per hour or per task. For per-task pay the listing also states "
            "how many minutes a task typically takes, so you can see what it comes to per "
            "hour before you apply. Listings marked <b>No test needed</b> let you start "
            "without a qualification test.</p>"
        ),
        heading("Applications and qualification tests"),
        paragraph(
            "<p>To apply, write a few sentences on why you are a good fit. If the listing "
            "names a qualification test, taking it is the next step. Tests are timed, often "
            "include sample tasks in the same tool you will use for real work, and are "
            "graded on our servers, so the answer key never reaches your browser. You get a "
            "score from 0 to 100 and know the pass mark in advance.</p>"
            "<p>If you do not pass, you can try again after a cooldown period, up to the "
            "number of attempts the test allows. A pass grants a qualification that can "
            "open several projects, not just the one you applied to. "
            '<a href="/guides/how-qualification-tests-work/">How qualification tests '
            "work</a> explains the details.</p>"
        ),
        heading("Your first tasks"),
        paragraph(
            "<p>Once you are qualified, open <b>My work</b>. It lists the projects you may "
            "work on, with the pay per task, the time a task usually takes and the hourly "
            "rate that adds up to. Start a project and you get one task at a time: answer "
            "it, submit it, and the next one appears.</p>"
            "<p>Some tasks are control items whose correct answer is already known. They "
            "measure your accuracy quietly in the background, and if it drops below the "
            "project's threshold you are stopped from that project. The company then "
            "reviews your work. A rejection always comes with a reason, and you can dispute "
            "one you think is wrong. Work nobody reviews is approved automatically after a "
            "few days.</p>"
            "<ol>"
            "<li>Read the project instructions in full before the first task.</li>"
            "<li>Do your first ten tasks slowly and compare them with the examples.</li>"
            "<li>Note how long a task takes you, to check the real hourly rate.</li>"
            "<li>Stop when your attention slips. Tired answers cost accuracy.</li>"
            "</ol>"
        ),
        heading("How to recognise a trustworthy listing"),
        checklist(
            "Signs of a listing you can trust",
            [
                "The pay is a clear amount per hour or per task, in a named currency.",
                "You never pay anything to apply, to take a test or to receive work.",
                "The company is named and describes what it does.",
                "The work is described concretely, with the hours it needs.",
                "Moderation listings warn about disturbing content and describe support.",
                "Everything happens on the platform, with no request to move to a messaging app.",
                "The promises are realistic: no guaranteed big earnings for little effort.",
            ],
        ),
        callout(
            "warning",
            "<p>Anyone who asks for a fee, a paid starter kit, your bank login or a copy of "
            "your ID outside the platform is running a scam. Do not reply; report the "
            "listing to support instead.</p>",
        ),
    ],
}

PAY_PRIVACY_WELLBEING = {
    "slug": "pay-privacy-and-wellbeing",
    "title": "Pay, privacy and staying well in remote work",
    "summary": (
        "Plan for income that rises and falls, work out what you really earn per hour, "
        "handle confidential data properly, and protect your time and your mind."
    ),
    "body": [
        paragraph(
            "<p>Remote human-in-the-loop work lets you choose when and where you work. The "
            "same freedom brings a few challenges that an office job handles for you. None "
            "of them is hard to manage once you know about it.</p>"
        ),
        heading("Income goes up and down: plan for it"),
        paragraph(
            "<p>Projects ramp up, pause and end. A queue of tasks can run dry in an "
            "afternoon, and a new project may need a new qualification first. Treat this "
            "work like freelance income rather than a fixed salary.</p>"
            "<ul>"
            "<li>Track what you earn each month for the first three months.</li>"
            "<li>Budget on a quiet month, not on your best one.</li>"
            "<li>Build a buffer that covers one or two months of essential costs.</li>"
            "<li>Hold qualifications for more than one project or category, so one project "
            "ending does not stop your income.</li>"
            "<li>Find out how tax works for self-employed income where you live. You may "
            "have to set money aside yourself.</li>"
            "</ul>"
        ),
        callout(
            "tip",
            "<p>Your earnings page separates <b>pending</b> earnings (approved work still in "
            "its hold period) from <b>available</b> earnings you can pay out. Plan your "
            "spending on what is available.</p>",
        ),
        heading("Know your effective hourly rate"),
        paragraph(
            "<p>Per-task pay is hard to judge on its own. What matters is what it comes to "
            "per hour: the pay per task times the number of tasks you finish in an hour. A "
            "task paying $0.25 that takes you two minutes gives 30 tasks an hour, or $7.50. "
            "If the same task takes you three minutes, that drops to 20 tasks and $5.00.</p>"
            "<p>Listings show the hourly rate at the time the company expects a task to "
            "take. Your own speed will differ, especially at first, and unpaid time counts "
            "too: reading guidelines, taking tests and waiting for tasks.</p>"
        ),
        checklist(
            "Work out your real rate",
            [
                "Time yourself on a batch of twenty tasks.",
                "Count only the work that was approved.",
                "Divide what you earned by the hours you spent, breaks between tasks included.",
                "Compare projects this way and spend your best hours on the best one.",
            ],
        ),
        heading("Protect the data you handle"),
        paragraph(
            "<p>You may see real customer emails, voice recordings, personal photos or "
            "private questions people asked a chatbot. The people behind that data trust "
            "you without knowing you. Follow these rules on every project:</p>"
            "<ul>"
            "<li>Keep the data on the platform: no screenshots, copies or downloads.</li>"
            "<li>Never discuss specific items online or with friends. Talking about the "
            "kind of work you do is fine.</li>"
            "<li>Work where nobody else can see your screen, not on a shared or public "
            "computer, and lock your screen when you step away.</li>"
            "<li>Keep your device updated and protect your account with a unique password "
            "and two-factor authentication.</li>"
            "<li>Never look up or contact the people who appear in the data.</li>"
            "<li>Report an item that seems to contain leaked or unnecessary personal "
            "information instead of working on it.</li>"
            "</ul>"
        ),
        callout(
            "warning",
            "<p>Breaking confidentiality is the quickest way to lose a qualification and "
            "your access to work, and it can hurt real people.</p>",
        ),
        heading("Motivation and routines"),
        paragraph(
            "<p>Nobody is watching the clock for you, so structure has to come from you. "
            "Set regular working hours and keep a spot at home that is only for work. Give "
            "each session a goal, such as a number of tasks or hours, and work in focused "
            "blocks with a timer. A short log of what you did each day shows your progress "
            "and makes the quiet weeks easier to plan for.</p>"
        ),
        heading("Isolation and work-life boundaries"),
        paragraph(
            "<p>Working alone at home can feel lonely, and work has a way of spreading into "
            "every hour of the day. Decide when your day ends and close the tab when it "
            "does, even if the queue is full. Tell the people you live with when you are "
            "working. Turn notifications off outside your hours. Stay in touch with people: "
            "join a community of remote workers, meet friends, and get outside every "
            "day.</p>"
        ),
        heading("Moderation work: breaks and exposure limits"),
        paragraph(
            "<p>Reviewing violence, abuse or hate takes a toll, even on experienced "
            "moderators. It is not a weakness to feel it; it is the normal effect of the "
            "work, and there are proven ways to limit it.</p>"
        ),
        checklist(
            "Protect yourself in moderation work",
            [
                "Take a short break at least once an hour: look away, stand up, breathe.",
                "Limit your daily time on graphic queues and mix in lighter tasks.",
                "Use blur, greyscale or mute settings whenever the tool offers them.",
                "After a session, do something restful that does not involve a screen.",
                "Watch for warning signs: poor sleep, images that come back, irritability "
                "or feeling numb.",
                "Use the support the company offers, and talk to someone you trust.",
                "Remember that you can stop and leave a project at any time.",
            ],
        ),
        callout(
            "note",
            "<p>If something you see suggests that a person is in immediate danger, follow "
            "the project's escalation instructions straight away. That is exactly what they "
            "are for.</p>",
        ),
    ],
}

QUALIFICATION_TESTS = {
    "slug": "how-qualification-tests-work",
    "title": "How qualification tests work",
    "summary": (
        "What to expect from a Loopwork qualification test: the timer, grading, scores, "
        "retakes, and how to prepare so you pass the first time."
    ),
    "body": [
        paragraph(
            "<p>Many listings ask you to pass a short qualification test before you can "
            "work on their projects. The test protects everyone: companies get answers they "
            "can rely on, and you get access to work you have shown you can do well, "
            "without needing a CV full of AI experience.</p>"
        ),
        heading("Platform tests and company tests"),
        paragraph(
            "<p>Some tests belong to Loopwork and prove a general skill, such as rating "
            "search results in English. Others are written by one company for its own "
            "projects and check that you can follow its particular guidelines. Either way, "
            "the qualification you earn is yours, and every listing and project that asks "
            "for it opens up to you without another test.</p>"
        ),
        heading("Before you start"),
        paragraph(
            "<p>The test page tells you everything up front: the instructions, the time "
            "limit, the number of questions, the pass mark and how many attempts you have. "
            "Read the instructions and any guidelines the listing links to before you press "
            "start, because the timer begins as soon as you do.</p>"
        ),
        heading("During the test"),
        paragraph(
            "<ul>"
            "<li>The timer runs on our servers, so closing the tab does not pause it.</li>"
            "<li>Questions and their options may be shuffled, so two people rarely see the "
            "same order.</li>"
            "<li>Some questions are sample tasks in the same tool you will use for paid "
            "work, such as labelling an image or rating a search result.</li>"
            "<li>Submit before the time runs out. Unanswered questions count as wrong.</li>"
            "</ul>"
        ),
        callout(
            "tip",
            "<p>Do not rush: most tests leave time to read each question twice. When a "
            "question stumps you, pick the answer the guidelines support best and move "
            "on.</p>",
        ),
        heading("How you are graded"),
        paragraph(
            "<p>Your answers are graded on our servers against an answer key that is never "
            "sent to your browser. You get a score from 0 to 100. Reach the pass mark and "
            "you are granted the qualification with that score. Some projects ask for a "
            "minimum score above the pass mark, so a strong result opens more work. A few "
            "qualifications expire after a while and need a fresh test, because guidelines "
            "change.</p>"
        ),
        heading("If you do not pass"),
        paragraph(
            "<p>It happens to many good workers on their first try. Where the test allows "
            "it, you will see the correct answers with explanations afterwards. You can "
            "retake the test after a cooldown period, often a day, up to the test's "
            "attempt limit. Use the wait to reread the guidelines where you lost "
            "points.</p>"
        ),
        checklist(
            "Prepare in ten minutes",
            [
                "Read the listing and its guidelines once from start to finish.",
                "Write down the three rules that seem easiest to get wrong.",
                "Find a quiet place and a time when you will not be interrupted.",
                "Check your internet connection before you start the timer.",
            ],
        ),
    ],
}

GUIDES = [WHAT_HITL_IS, GETTING_STARTED, PAY_PRIVACY_WELLBEING, QUALIFICATION_TESTS]
