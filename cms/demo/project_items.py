"""The items of the demo projects, written for each job: what a worker sees, and gold answers.

Each builder returns DemoItem rows in the interface's item and answer shapes
(annotation/base.py lists them). Media items (street scenes, voice clips) take the URLs of
the files the seed stored for the project.
"""

from dataclasses import dataclass

from .street_scenes import street_scene


@dataclass(frozen=True)
class DemoItem:
    data: dict
    gold: dict | None = None
    explanation: str = ""
    external_id: str = ""


# --- Classification: product review sentiment (Spanish) -------------------------------------

SENTIMENT_LABELS = ["positive", "negative", "mixed", "neutral"]

REVIEWS = [
    ("Auriculares inalámbricos", "Suenan de maravilla y la batería dura todo el día.", "positive"),
    ("Cafetera de cápsulas", "Llegó rota y el vendedor no responde. No la recomiendo.", "negative"),
    ("Mochila urbana", "Buena calidad, aunque los bolsillos laterales son muy pequeños.", "mixed"),
    ("Cargador USB-C", "Carga el teléfono. Es blanco y viene con un cable de un metro.", "neutral"),
    ("Zapatillas de running", "Comodísimas desde el primer día, ya voy por 200 km.", "positive"),
    ("Lámpara de escritorio", "La luz parpadea después de una semana de uso.", "negative"),
    ("Licuadora", "Potente y fácil de limpiar, pero hace muchísimo ruido.", "mixed"),
    (
        "Funda para tablet",
        "El color es igual al de la foto. Llegó en el plazo indicado.",
        "neutral",
    ),
    ("Reloj inteligente", "Mide el sueño con precisión y la app es muy clara.", "positive"),
    ("Silla de oficina", "A los tres días se rompió una rueda. Pésima compra.", "negative"),
    ("Sartén antiadherente", "Nada se pega, ¡por fin una sartén que cumple!", "positive"),
    ("Altavoz Bluetooth", "Buen sonido para su tamaño, pero se desconecta a menudo.", "mixed"),
    ("Teclado mecánico", "Las teclas son ruidosas, tal como indica la descripción.", "neutral"),
    ("Aspiradora robot", "Se atasca con cualquier alfombra y se pierde por la casa.", "negative"),
    ("Crema hidratante", "Mi piel está suave y no deja sensación grasa.", "positive"),
    ("Bicicleta estática", "Fácil de montar; el sillín es incómodo en sesiones largas.", "mixed"),
    ("Libro de cocina", "Tiene 120 recetas organizadas por temporada.", "neutral"),
    (
        "Cámara de seguridad",
        "La visión nocturna es excelente y la instalación fue rápida.",
        "positive",
    ),
    ("Paraguas plegable", "Se dio la vuelta con el primer viento. Dinero tirado.", "negative"),
    ("Almohada viscoelástica", "Duermo mejor, aunque el olor inicial tardó días en irse.", "mixed"),
    ("Botella térmica", "Mantiene el café caliente más de ocho horas. Encantada.", "positive"),
    ("Ratón inalámbrico", "Funciona con una pila AA, incluida en la caja.", "neutral"),
    ("Plancha de pelo", "Se calentó tanto que quemó la funda. Peligrosa.", "negative"),
    ("Juego de mesa", "Muy divertido en familia; las instrucciones son confusas.", "mixed"),
    (
        "Tienda de campaña",
        "Impermeable de verdad: aguantó una tormenta sin una gota dentro.",
        "positive",
    ),
    ("Cepillo eléctrico", "Trae dos cabezales y un estuche de viaje.", "neutral"),
    (
        "Freidora de aire",
        "Las patatas salen crujientes, pero la cesta es pequeña para cuatro.",
        "mixed",
    ),
    ("Monitor 27 pulgadas", "Llegó con un píxel muerto en el centro. Devuelto.", "negative"),
]
SENTIMENT_GOLD_EVERY = 7
SENTIMENT_EXPLANATIONS = {
    "positive": "Only praise: the reviewer is satisfied.",
    "negative": "The product failed the reviewer and they say so.",
    "mixed": "Praise and a real complaint in the same review: that is mixed, not neutral.",
    "neutral": "Facts about the product with no opinion either way.",
}


def sentiment_items() -> list[DemoItem]:
    items = []
    for index, (title, text, label) in enumerate(REVIEWS):
        gold = index % SENTIMENT_GOLD_EVERY == 0
        items.append(
            DemoItem(
                data={"title": title, "text": text},
                gold={"label": label} if gold else None,
                explanation=SENTIMENT_EXPLANATIONS[label] if gold else "",
                external_id=f"review-{index + 1:03d}",
            )
        )
    return items


# --- Rating: search relevance -----------------------------------------------------------------

RELEVANCE_SCALE = {
    "1": "Off-topic or useless",
    "2": "Slightly relevant",
    "3": "Moderately relevant",
    "4": "Highly relevant",
    "5": "Fully meets the need",
}

SEARCH_RESULTS = [
    (
        "cheap flights to lisbon",
        "Cheap flights to Lisbon from $89 | Compare 600 airlines",
        "Find the cheapest flights to Lisbon (LIS). Compare fares, set price alerts and book "
        "without hidden fees.",
        "https://www.farefinder.example/flights/lisbon",
        5,
    ),
    (
        "cheap flights to lisbon",
        "Lisbon travel guide: 48 hours in the city of seven hills",
        "Where to eat pastéis de nata, which tram to take and the best viewpoints in Alfama.",
        "https://www.wanderblog.example/lisbon-48-hours",
        2,
    ),
    (
        "cheap flights to lisbon",
        "Lisbon, Ohio: village council meeting minutes",
        "Minutes of the March meeting of the Lisbon village council, Columbiana County.",
        "https://www.lisbon-oh.example/council/minutes-march",
        1,
    ),
    (
        "cheap flights to lisbon",
        "When is the cheapest time to fly to Portugal? Month-by-month fares",
        "Fares to Lisbon and Porto drop by up to 40% in November and February; here is our data.",
        "https://www.farewatch.example/portugal-cheapest-month",
        4,
    ),
    (
        "how to descale a kettle",
        "Descale a kettle with vinegar or citric acid in 4 steps",
        "Fill the kettle halfway with equal parts water and white vinegar, boil, leave for an "
        "hour, then rinse twice.",
        "https://www.homehow.example/descale-kettle",
        5,
    ),
    (
        "how to descale a kettle",
        "Electric kettles: the 10 best of the year",
        "We tested 32 kettles for speed, noise and how easy they are to fill.",
        "https://www.reviewlab.example/best-kettles",
        2,
    ),
    (
        "how to descale a kettle",
        "Limescale: what it is and why hard water leaves it",
        "Calcium carbonate builds up when hard water is heated; descaling dissolves it with a "
        "mild acid.",
        "https://www.waterfacts.example/limescale",
        3,
    ),
    (
        "running shoes for flat feet",
        "Best running shoes for flat feet, tested by podiatrists",
        "Stability shoes with firm medial posts: our top picks for overpronation and low arches.",
        "https://www.runnersworld.example/flat-feet-shoes",
        5,
    ),
    (
        "running shoes for flat feet",
        "Flat feet in children: when to see a doctor",
        "Most children outgrow flat feet; see a doctor when there is pain or stiffness.",
        "https://www.healthline.example/kids-flat-feet",
        1,
    ),
    (
        "running shoes for flat feet",
        "Trail running shoes on sale — up to 50% off",
        "Grippy outsoles and rock plates for muddy and rocky trails. Free returns.",
        "https://www.sportshop.example/trail-sale",
        2,
    ),
    (
        "weather berlin tomorrow",
        "Berlin weather forecast — hourly and 10 days",
        "Tomorrow: cloudy, 9°C, light rain from 15:00, wind 20 km/h from the west.",
        "https://www.weathernow.example/berlin",
        5,
    ),
    (
        "weather berlin tomorrow",
        "Climate of Berlin: average temperatures by month",
        "Berlin has a temperate seasonal climate; the warmest month is July with 24°C highs.",
        "https://www.climatedata.example/berlin",
        2,
    ),
    (
        "python sort list of dicts by key",
        "Sorting a list of dictionaries by a value in Python",
        "Use sorted(items, key=lambda d: d['name']) or operator.itemgetter('name'); add "
        "reverse=True for descending order.",
        "https://www.codeanswers.example/python-sort-dicts",
        5,
    ),
    (
        "python sort list of dicts by key",
        "Python dictionaries explained for beginners",
        "A dictionary maps keys to values; learn to create, read and update them.",
        "https://www.learnpy.example/dictionaries",
        2,
    ),
    (
        "python sort list of dicts by key",
        "Sorting algorithms compared: quicksort, mergesort, heapsort",
        "Time and space complexity of the classic sorting algorithms, with animations.",
        "https://www.algoviz.example/sorting",
        1,
    ),
    (
        "vegetarian lasagna recipe",
        "Easy vegetarian lasagna with spinach and ricotta",
        "Layers of pasta, tomato sauce, spinach, ricotta and mozzarella; ready in 90 minutes.",
        "https://www.goodfood.example/veggie-lasagna",
        5,
    ),
    (
        "vegetarian lasagna recipe",
        "Classic beef lasagna like grandma made",
        "A slow-cooked beef ragù layered with béchamel and parmesan.",
        "https://www.goodfood.example/beef-lasagna",
        2,
    ),
    (
        "vegetarian lasagna recipe",
        "Lasagna pans: which size do you need?",
        "A 9x13 inch pan feeds eight; deeper pans hold more layers.",
        "https://www.kitchenkit.example/lasagna-pans",
        1,
    ),
    (
        "open pharmacy near me sunday",
        "Sunday pharmacy hours — find an open pharmacy",
        "Search by postcode for pharmacies open on Sundays and public holidays, with hours.",
        "https://www.pharmafinder.example/sunday",
        5,
    ),
    (
        "open pharmacy near me sunday",
        "How pharmacists can help with minor illnesses",
        "Pharmacists can advise on colds, rashes and minor injuries without an appointment.",
        "https://www.health.example/pharmacist-advice",
        2,
    ),
    (
        "iphone battery replacement cost",
        "Battery service prices for every iPhone model",
        "Out-of-warranty battery replacement costs $89 to $99 depending on the model.",
        "https://www.phonefix.example/iphone-battery-prices",
        5,
    ),
    (
        "iphone battery replacement cost",
        "10 tips to make your phone battery last longer",
        "Lower screen brightness, turn off background refresh and use low power mode.",
        "https://www.techtips.example/battery-tips",
        2,
    ),
    (
        "learn spanish online free",
        "Free Spanish lessons: 200 audio lessons for beginners",
        "Learn Spanish at your own pace with free audio lessons, quizzes and flashcards.",
        "https://www.langfree.example/spanish",
        5,
    ),
    (
        "learn spanish online free",
        "Spanish language schools in Madrid — 4 week courses from €600",
        "Intensive courses in small groups in the centre of Madrid, with homestay options.",
        "https://www.madridschools.example/courses",
        2,
    ),
]
RELEVANCE_GOLD = {0, 4, 8, 12, 18}


def relevance_items() -> list[DemoItem]:
    items = []
    for index, (query, title, snippet, url, rating) in enumerate(SEARCH_RESULTS):
        gold = index in RELEVANCE_GOLD
        items.append(
            DemoItem(
                data={"query": query, "title": title, "snippet": snippet, "url": url},
                gold={"rating": rating, "comment": ""} if gold else None,
                explanation=(
                    f"{RELEVANCE_SCALE[str(rating)]}: compare what the searcher wants with "
                    "what the page offers."
                )
                if gold
                else "",
                external_id=f"serp-{index + 1:03d}",
            )
        )
    return items


# --- Comparison: assistant answers side by side -------------------------------------------

COMPARISONS = [
    (
        "How do I reverse a list in Python?",
        "Use my_list.reverse() to reverse it in place, or my_list[::-1] to get a reversed copy.",
        "Python lists cannot be reversed; convert the list to a string first.",
        "a",
        "B is wrong: lists have a reverse() method and support slicing.",
    ),
    (
        "What's a polite way to decline a meeting invitation?",
        "Just don't reply, they will get the message.",
        "Thank them for the invite, say you can't make it, and offer another time or ask for "
        "the notes: 'Thanks for including me — I can't join on Tuesday. Could you share the "
        "notes?'",
        "b",
        "B gives a usable, polite template; A is rude.",
    ),
    (
        "Explain what an API is in one sentence.",
        "An API is a set of rules that lets one program ask another for data or actions.",
        "An API (application programming interface) is a defined way for software components "
        "to talk to each other, like a menu of requests a program can make.",
        "tie",
        "Both are correct, clear and one sentence.",
    ),
    (
        "Write a JavaScript function that returns the largest number in an array.",
        "function largest(numbers) { return Math.max(...numbers); }",
        "function largest(numbers) { return numbers.sort()[0]; }",
        "a",
        "B sorts as strings and returns the smallest first element.",
    ),
    (
        "Is it safe to eat raw cookie dough?",
        "Yes, it's completely safe, everyone does it.",
        "It's not recommended: raw flour and raw eggs can carry E. coli and Salmonella. Use "
        "heat-treated flour and no eggs if you want edible dough.",
        "b",
        "A is a confident but unsafe claim.",
    ),
    (
        "Summarise the plot of Romeo and Juliet in two sentences.",
        "Two young lovers from feuding families in Verona marry in secret. A chain of "
        "misunderstandings leads to both of their deaths, which reconciles the families.",
        "Romeo and Juliet is a play by Shakespeare. It is very famous and has been adapted "
        "many times.",
        "a",
        "B does not summarise the plot.",
    ),
    (
        "How many minutes should I boil an egg for a runny yolk?",
        "About 6 minutes in boiling water, then into cold water.",
        "Boil it for 6 minutes, then cool it in cold water so it stops cooking.",
        "tie",
        "Same correct advice in different words.",
    ),
    (
        "What does HTTP status 404 mean?",
        "The server could not find the requested resource.",
        "The server crashed while handling your request.",
        "a",
        "B describes a 500 error.",
    ),
    (
        "Give me a SQL query that counts orders per customer.",
        "SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id;",
        "SELECT COUNT(customer_id) FROM orders;",
        "a",
        "B counts all orders, not per customer.",
    ),
    (
        "Suggest a name for a bakery that specialises in sourdough.",
        "Rise & Crust",
        "Bakery Number 1",
        "a",
        "A is memorable and says what the bakery does.",
    ),
    (
        "Convert 5 miles to kilometres.",
        "5 miles is about 8.05 kilometres.",
        "5 miles is about 3.1 kilometres.",
        "a",
        "B converted in the wrong direction.",
    ),
    (
        "How do I undo the last git commit but keep my changes?",
        "git reset --soft HEAD~1",
        "git reset --hard HEAD~1",
        "a",
        "B throws the changes away.",
    ),
    (
        "Recommend a stretch for a stiff neck.",
        "Slowly tilt your ear toward your shoulder and hold for 20 seconds on each side; stop "
        "if it hurts and see a doctor if stiffness lasts more than a few days.",
        "Crack your neck quickly to the side a few times.",
        "a",
        "B recommends a risky movement.",
    ),
    (
        "What is the capital of Australia?",
        "Canberra.",
        "Sydney, the largest city.",
        "a",
        "Sydney is the largest city, but Canberra is the capital.",
    ),
    (
        "Write a haiku about autumn rain.",
        "Cold rain on the roof / maple leaves float down the drain / the kettle answers",
        "Autumn rain is wet / it falls down from the sky / and then it stops now",
        "a",
        "A follows 5-7-5 with an image; B is flat and breaks the form.",
    ),
    (
        "How can I make my password more secure?",
        "Use a long passphrase of four or more random words, a different one for every site, "
        "and turn on two-factor authentication.",
        "Add a number at the end of your usual password.",
        "a",
        "B keeps a reused, guessable password.",
    ),
    (
        "Translate 'good morning' into French.",
        "Bonjour.",
        "Bon matin (in Quebec), though 'bonjour' is the usual greeting.",
        "tie",
        "Both are acceptable; B adds useful nuance.",
    ),
    (
        "Explain recursion to a ten-year-old.",
        "Recursion is when a function calls itself with a smaller problem until the problem is "
        "so small it can be answered directly — like opening nesting dolls until you reach the "
        "smallest one.",
        "Recursion is a programming concept involving self-referential function invocation "
        "with base cases and inductive steps.",
        "a",
        "B is accurate but not for a ten-year-old.",
    ),
    (
        "What should I pack for a weekend hike?",
        "Water, snacks, a map, layers, a rain jacket, sun cream, a first-aid kit and a charged "
        "phone.",
        "Just bring your phone, you can buy anything else on the way.",
        "a",
        "B ignores safety basics.",
    ),
    (
        "Is 0.1 + 0.2 == 0.3 in JavaScript?",
        "No: floating point gives 0.30000000000000004, so compare with a small tolerance.",
        "Yes, JavaScript handles decimals exactly.",
        "a",
        "B is false.",
    ),
    (
        "Draft a one-line apology for a late delivery.",
        "We're sorry your order arrived late — we've refunded the shipping cost.",
        "Delays happen sometimes.",
        "a",
        "A apologises and makes it right.",
    ),
    (
        "What is photosynthesis?",
        "The process plants use to turn light, water and carbon dioxide into sugar and oxygen.",
        "Photosynthesis is how plants eat soil to grow.",
        "a",
        "B is a common misconception.",
    ),
]
COMPARISON_GOLD = {0, 3, 7, 13}


def comparison_items() -> list[DemoItem]:
    items = []
    for index, (prompt, a, b, choice, why) in enumerate(COMPARISONS):
        gold = index in COMPARISON_GOLD
        items.append(
            DemoItem(
                data={"prompt": prompt, "response_a": a, "response_b": b},
                gold={"choice": choice, "reason": why} if gold else None,
                explanation=why if gold else "",
                external_id=f"pair-{index + 1:03d}",
            )
        )
    return items


# --- Spans: named entities in news sentences ------------------------------------------------

ENTITY_LABELS = ["PERSON", "ORG", "LOCATION", "DATE"]

NEWS = [
    (
        "Maria Okafor was named chief executive of Tidewater Energy on Monday.",
        [("Maria Okafor", "PERSON"), ("Tidewater Energy", "ORG"), ("Monday", "DATE")],
    ),
    (
        "Floods closed three roads outside Porto Alegre after a week of heavy rain.",
        [("Porto Alegre", "LOCATION")],
    ),
    (
        "The Riverside Library will reopen on 14 March after a two-year renovation.",
        [("Riverside Library", "ORG"), ("14 March", "DATE")],
    ),
    (
        "Kenji Watanabe scored twice as Osaka Blue beat Kobe United 3-1.",
        [("Kenji Watanabe", "PERSON"), ("Osaka Blue", "ORG"), ("Kobe United", "ORG")],
    ),
    (
        "Health officials in Nairobi reported fewer malaria cases in 2025 than in any year "
        "on record.",
        [("Nairobi", "LOCATION"), ("2025", "DATE")],
    ),
    (
        "Greenleaf Foods recalled a batch of peanut butter sold in Ontario and Quebec.",
        [("Greenleaf Foods", "ORG"), ("Ontario", "LOCATION"), ("Quebec", "LOCATION")],
    ),
    (
        "Senator Ana Ruiz will visit the border town of Nogales next Thursday.",
        [("Ana Ruiz", "PERSON"), ("Nogales", "LOCATION"), ("next Thursday", "DATE")],
    ),
    (
        "Shares of Halvorsen Shipping rose 8% after the company won a contract in Rotterdam.",
        [("Halvorsen Shipping", "ORG"), ("Rotterdam", "LOCATION")],
    ),
    (
        "The festival in Edinburgh runs from 2 August to 26 August this year.",
        [("Edinburgh", "LOCATION"), ("2 August", "DATE"), ("26 August", "DATE")],
    ),
    (
        "Dr. Priya Nair of the Coastal Research Institute presented the study in Lisbon.",
        [("Priya Nair", "PERSON"), ("Coastal Research Institute", "ORG"), ("Lisbon", "LOCATION")],
    ),
    (
        "Northwind Airlines cancelled 40 flights on Friday because of a strike.",
        [("Northwind Airlines", "ORG"), ("Friday", "DATE")],
    ),
    (
        "Tomás Herrera, the mayor of Valparaíso, opened the new tram line.",
        [("Tomás Herrera", "PERSON"), ("Valparaíso", "LOCATION")],
    ),
    (
        "A magnitude 5.1 earthquake shook central Chile early on Sunday.",
        [("Chile", "LOCATION"), ("Sunday", "DATE")],
    ),
    (
        "The Blue Harbor Bank said profits fell in the third quarter.",
        [("Blue Harbor Bank", "ORG"), ("the third quarter", "DATE")],
    ),
    (
        "Lena Fischer won the Berlin marathon in 2 hours 21 minutes.",
        [("Lena Fischer", "PERSON"), ("Berlin", "LOCATION")],
    ),
    (
        "Volunteers planted 5,000 trees along the Danube in October.",
        [("Danube", "LOCATION"), ("October", "DATE")],
    ),
    (
        "The United Nations will hold climate talks in Nairobi next year.",
        [("United Nations", "ORG"), ("Nairobi", "LOCATION"), ("next year", "DATE")],
    ),
    (
        "Chef Amara Diallo opened her second restaurant in Dakar last week.",
        [("Amara Diallo", "PERSON"), ("Dakar", "LOCATION"), ("last week", "DATE")],
    ),
    (
        "Orbital Labs launched a weather satellite from French Guiana on Tuesday.",
        [("Orbital Labs", "ORG"), ("French Guiana", "LOCATION"), ("Tuesday", "DATE")],
    ),
    (
        "The city council of Melbourne approved a new cycling plan.",
        [("Melbourne", "LOCATION")],
    ),
    (
        "Rahul Mehta joined Sunbridge Software as head of research in January.",
        [("Rahul Mehta", "PERSON"), ("Sunbridge Software", "ORG"), ("January", "DATE")],
    ),
    (
        "Heavy snow delayed trains between Oslo and Bergen for six hours.",
        [("Oslo", "LOCATION"), ("Bergen", "LOCATION")],
    ),
    (
        "Professor Ines Duarte will lead the new lab at the University of Coimbra.",
        [("Ines Duarte", "PERSON"), ("University of Coimbra", "ORG")],
    ),
    (
        "Market stalls in Hanoi reopened on 3 February after the Lunar New Year holiday.",
        [("Hanoi", "LOCATION"), ("3 February", "DATE")],
    ),
]
NEWS_GOLD = {0, 6, 9, 16}


def entity_spans(text: str, entities: list[tuple[str, str]]) -> list[dict]:
    """Character offsets (end exclusive) of each entity's first occurrence, in text order."""
    spans = []
    for surface, label in entities:
        start = text.index(surface)
        spans.append({"start": start, "end": start + len(surface), "label": label})
    return sorted(spans, key=lambda span: span["start"])


def entity_items() -> list[DemoItem]:
    items = []
    for index, (text, entities) in enumerate(NEWS):
        gold = index in NEWS_GOLD
        items.append(
            DemoItem(
                data={"text": text},
                gold={"spans": entity_spans(text, entities)} if gold else None,
                explanation=(
                    "Tag names of people, organisations and places, and dates; titles such as "
                    "'Dr.' or 'Senator' stay outside the PERSON span."
                )
                if gold
                else "",
                external_id=f"news-{index + 1:03d}",
            )
        )
    return items


# --- Regions: cars, pedestrians and bicycles in street scenes ------------------------------

REGION_LABELS = ["car", "pedestrian", "bicycle"]
STREET_SCENES = 24
STREET_GOLD = {1, 7, 13, 19}


def street_scene_files() -> list[tuple[str, bytes]]:
    """(file name, PNG) for every scene of the project."""
    return [(f"street-{n:02d}.png", street_scene(n)[0]) for n in range(1, STREET_SCENES + 1)]


def street_items(urls: dict[str, str]) -> list[DemoItem]:
    items = []
    for n in range(1, STREET_SCENES + 1):
        name = f"street-{n:02d}.png"
        gold = n in STREET_GOLD
        boxes = street_scene(n)[1] if gold else []
        items.append(
            DemoItem(
                data={"image_url": urls[name]},
                gold={"boxes": [box.as_answer() for box in boxes]} if gold else None,
                explanation=(
                    "Every car, pedestrian and bicycle gets its own tight box; a cyclist is "
                    "inside the bicycle's box."
                )
                if gold
                else "",
                external_id=f"scene-{n:02d}",
            )
        )
    return items


# --- Transcription: short voice clips ---------------------------------------------------------

# The words spoken in cms/demo/assets/audio/clip-NN.wav (synthesised with espeak-ng).
CLIP_TRANSCRIPTS = [
    "Please leave the parcel at the back door, next to the blue bin.",
    "Your table for four is booked for seven thirty on Friday evening.",
    "The next train to Lisbon leaves from platform two in ten minutes.",
    "I would like to cancel my subscription and get a refund for this month.",
    "Turn left at the bakery, then the clinic is the second building on the right.",
    "Remind me to call the dentist tomorrow at nine in the morning.",
    "The weather tomorrow will be sunny with a high of twenty four degrees.",
    "Can you send me the invoice for my last order?",
    "My flight was delayed and I missed the connection in Madrid.",
    "The printer on the third floor is out of paper again.",
    "We are open from eight in the morning until six in the evening.",
    "Add two litres of milk and a loaf of bread to the shopping list.",
    "The meeting has moved to Thursday afternoon at half past two.",
    "Press one to speak to an agent or two to hear your balance.",
    "The package was damaged when it arrived, so I sent a photo.",
    "Please check that the front door is locked before you leave.",
    "Our new phone comes in three colours: black, silver and green.",
    "I forgot my password and the reset email never came.",
    "The museum is free on the first Sunday of every month.",
    "Set a timer for twelve minutes for the pasta.",
    "Thank you for calling, your reference number is seven one four.",
    "The bus to the airport stops outside the central station.",
]
CLIP_CONTEXTS = ("Voice assistant request", "Voicemail", "Customer call", "Announcement")
CLIP_GOLD = {1, 5, 9, 14}


def clip_name(number: int) -> str:
    return f"clip-{number:02d}.wav"


def clip_items(urls: dict[str, str]) -> list[DemoItem]:
    items = []
    for n, transcript in enumerate(CLIP_TRANSCRIPTS, start=1):
        gold = n in CLIP_GOLD
        items.append(
            DemoItem(
                data={
                    "audio_url": urls[clip_name(n)],
                    "context": CLIP_CONTEXTS[n % len(CLIP_CONTEXTS)],
                },
                gold={"text": transcript} if gold else None,
                explanation="Write numbers as they are spoken, in words." if gold else "",
                external_id=f"clip-{n:02d}",
            )
        )
    return items


# --- Moderation: social posts (mild) -------------------------------------------------------

MODERATION_POLICIES = ["harassment", "hate", "spam", "violence", "misinformation", "self-harm"]
MODERATION_SEVERITIES = ["low", "medium", "high"]

POSTS = [
    ("Just finished my first 10k run!! Legs are jelly but so proud 🏃‍♀️", "", []),
    ("Get 1000 followers in 24 hours!!! DM me now, only $5, link in bio", "low", ["spam"]),
    ("You're honestly the dumbest person on this app, log off forever", "low", ["harassment"]),
    ("Drinking bleach cures the flu, doctors don't want you to know", "high", ["misinformation"]),
    ("Anyone know a good vegan place near the station? Visiting Saturday", "", []),
    ("People from that town are all thieves, don't ever trust them", "medium", ["hate"]),
    ("If he shows up at practice again I'll make sure he regrets it", "medium", ["violence"]),
    ("Cheap watches!!! Rolex copies 90% off visit www.best-watches.example", "low", ["spam"]),
    ("Our cat learned to open the fridge. We are in trouble.", "", []),
    (
        "The election is on Wednesday now, they moved it, spread the word",
        "high",
        ["misinformation"],
    ),
    ("ugh this referee is blind, worst call of the season", "", []),
    ("Nobody would even notice if I disappeared tonight", "high", ["self-harm"]),
    ("Congrats to my sister on her graduation today!! 🎓", "", []),
    ("Shut up, nobody asked for your ugly opinion, loser", "low", ["harassment"]),
    ("Win a free iPhone! Just enter your bank details here to claim", "medium", ["spam"]),
    ("Does anyone have notes from Tuesday's chemistry lecture?", "", []),
    ("5G towers are spreading the virus, take them down", "high", ["misinformation"]),
    ("My landlord hasn't fixed the heating in 3 weeks, so frustrating", "", []),
    (
        "Go back to where you came from, you people ruin everything",
        "medium",
        ["hate", "harassment"],
    ),
    ("Movie night recs? Something funny but not too silly", "", []),
    ("Follow for follow? Like all my posts and I'll like yours 💯💯", "low", ["spam"]),
    ("That match was brutal, we got absolutely destroyed 5-0 😂", "", []),
    ("I know where you live. Keep talking and see what happens.", "high", ["violence"]),
    ("Homemade bread attempt #3 — finally a proper crust!", "", []),
]
POST_AUTHORS = ("@sunny_runner", "@deals4u", "@mike_k", "@truthseeker", "@ana.eats", "@jt")
POSTS_GOLD = {0, 1, 3, 8, 11}


def post_items() -> list[DemoItem]:
    items = []
    for index, (text, severity, labels) in enumerate(POSTS):
        gold = index in POSTS_GOLD
        answer = {
            "labels": labels,
            "severity": severity,
            "escalate": "self-harm" in labels,
            "note": "",
        }
        items.append(
            DemoItem(
                data={"text": text, "context": f"Public post by {POST_AUTHORS[index % 6]}"},
                gold=answer if gold else None,
                explanation=(
                    "Self-harm signals are always escalated."
                    if "self-harm" in labels
                    else "No policy is broken: leave it up."
                    if not labels
                    else f"Breaks the {', '.join(labels)} policy."
                )
                if gold
                else "",
                external_id=f"post-{index + 1:03d}",
            )
        )
    return items


# --- Free text: rewrite support replies -----------------------------------------------------

REPLIES = [
    (
        "Your refund was processed. It takes time. Check your bank.",
        "Good news: your refund of $24.99 was processed today. Banks usually take 3 to 5 "
        "working days to show it; if it is not there by Friday, reply here and we will chase "
        "it for you.",
    ),
    (
        "We don't do exchanges. Read the policy.",
        "I'm sorry, we can't exchange items, but you can return it within 30 days for a full "
        "refund and order the size you need. Here is the returns link to get started.",
    ),
    (
        "Password reset emails go to spam sometimes, look there.",
        "Sorry for the trouble! Reset emails sometimes land in the spam or promotions folder. "
        "Could you check there? If it isn't there in 10 minutes, I can send a new link.",
    ),
    (
        "Your order is late because of the courier. Nothing we can do.",
        "I'm sorry your order is late. The courier has had delays in your area; I've asked "
        "them for an update and will email you the new delivery date by tomorrow.",
    ),
    ("Cancel it yourself in settings.", ""),
    ("The app works fine for everyone else. Reinstall it.", ""),
    ("We already answered this. See previous email.", ""),
    ("Your card was declined. Use another one.", ""),
    ("Shipping to Canada costs extra. It says so at checkout.", ""),
    ("That product is discontinued. Buy something else.", ""),
    ("Your account is locked because of too many logins. Wait.", ""),
    ("You need to send a photo of the damage or we can't help.", ""),
    ("Coupons can't be combined. Only one per order.", ""),
    ("We can't change the address after shipping.", ""),
    ("The warranty ended last month, so no repair.", ""),
    ("Invoices are in your account. Download them there.", ""),
    ("The item is out of stock. No date yet.", ""),
    ("Our support hours are 9-5. Call then.", ""),
    ("You were charged twice because you clicked twice.", ""),
    ("Subscriptions renew automatically. That's in the terms.", ""),
    ("Your parcel was returned because nobody was home.", ""),
    ("We don't ship on weekends.", ""),
]


def rewrite_items() -> list[DemoItem]:
    items = []
    for index, (reply, better) in enumerate(REPLIES):
        items.append(
            DemoItem(
                data={
                    "prompt": (
                        "Rewrite this support reply so it is friendly, clear and offers a "
                        "next step. Keep every fact; do not promise anything new."
                    ),
                    "text": reply,
                },
                gold={"text": better} if better else None,
                explanation=(
                    "Apologise or acknowledge, keep the facts, say what happens next."
                    if better
                    else ""
                ),
                external_id=f"reply-{index + 1:03d}",
            )
        )
    return items
