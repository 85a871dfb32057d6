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


# --- Free text: query rewriting for shopping search ------------------------------------------

QUERIES = [
    ("blu runnin shoe wide", "blue running shoes wide fit"),
    ("iphon 15 case clear magsafe", "clear MagSafe case for iPhone 15"),
    ("cofee grinder burr cheap under 50", "cheap burr coffee grinder under $50"),
    ("kids rain jaket size 6 yelow", "yellow kids rain jacket size 6"),
    ("samsng tv 55 inch 4k", "Samsung 55 inch 4K TV"),
    ("wireles earbuds for runing sweatproof", "sweatproof wireless earbuds for running"),
    ("standng desk electic 140cm", "electric standing desk 140 cm"),
    ("lego star wars set 8 year old", "LEGO Star Wars set for an 8 year old"),
    ("vaccum cleaner pet hair cordless", "cordless vacuum cleaner for pet hair"),
    ("mens wallet leather slim brown", "slim brown leather wallet for men"),
    ("air fryer 5l dual basket", "5 litre dual basket air fryer"),
    ("yoga mat thick non slip purple", "thick non-slip purple yoga mat"),
    ("nike air max 90 womens white 7", "Nike Air Max 90 women's white size 7"),
    ("hdmi cable 3m 8k", "8K HDMI cable 3 m"),
    ("baby monitor with camra and app", "baby monitor with camera and app"),
    ("coffe table oak round", "round oak coffee table"),
]
QUERY_GOLD = {0, 3, 8, 12}
QUERY_PROMPT = (
    "Rewrite this shopping search as a clear, correctly spelt query. Keep every size, colour, "
    "brand and price the shopper gave; add nothing."
)


def query_items() -> list[DemoItem]:
    items = []
    for index, (query, rewrite) in enumerate(QUERIES):
        gold = index in QUERY_GOLD
        items.append(
            DemoItem(
                data={"prompt": QUERY_PROMPT, "text": query},
                gold={"text": rewrite} if gold else None,
                explanation=(
                    "Fix the spelling, keep every detail the shopper typed, add nothing."
                    if gold
                    else ""
                ),
                external_id=f"query-{index + 1:03d}",
            )
        )
    return items


# --- Rating: comment toxicity (mild) -------------------------------------------------------

TOXICITY_SCALE = {
    "1": "Not toxic",
    "2": "Rude",
    "3": "Toxic",
    "4": "Very toxic",
    "5": "Threat or hate",
}

COMMENTS = [
    ("@benchmarker", "Great write-up, thanks for sharing the benchmark numbers.", 1),
    ("@old_timer", "Third time you've posted the same question. Use the search.", 2),
    ("@gearhead", "Only an idiot would buy this model after the recall.", 3),
    ("@nightowl", "Nobody cares about your opinion, go back under your rock.", 3),
    ("@reader42", "I disagree with the author: the study had only 40 participants.", 1),
    ("@grump", "People like you are the reason this forum is dying. Pathetic.", 4),
    ("@lapcounter", "lol what a clown, imagine thinking that's a good lap time", 3),
    ("@helper", "Can a mod lock this thread? It's gone way off topic.", 1),
    ("@anon_7781", "Keep posting and I'll find out where you live.", 5),
    ("@saves_lost", "The patch broke my saves. Whoever tested this should be fired.", 2),
    ("@anon_3310", "People from his country shouldn't be allowed to post here at all.", 5),
    ("@photo_fan", "Damn, that sunset photo is incredible.", 1),
    ("@skeptic", "Stop spreading nonsense, you clearly never read the paper.", 2),
    ("@anon_0042", "Shut up already, you absolute waste of space.", 4),
]
COMMENT_GOLD = {0, 4, 8}


def comment_items() -> list[DemoItem]:
    items = []
    for index, (author, text, rating) in enumerate(COMMENTS):
        gold = index in COMMENT_GOLD
        items.append(
            DemoItem(
                data={"text": text, "author": author},
                gold={"rating": rating, "comment": ""} if gold else None,
                explanation=(
                    f"{TOXICITY_SCALE[str(rating)]}: rate the words, not whether you agree."
                    if gold
                    else ""
                ),
                external_id=f"comment-{index + 1:03d}",
            )
        )
    return items


# --- Classification: review spam detection ---------------------------------------------------

REVIEW_SPAM_LABELS = ["genuine", "spam", "incentivised", "off-topic"]

BUSINESS_REVIEWS = [
    (
        "Lucía's Bakery",
        "The croissants were flaky and still warm at 8 am. The queue moves fast.",
        "genuine",
    ),
    (
        "Harbor Dental",
        "Best dentist best dentist best dentist!!! Visit cheap-whitening.example for 50% off",
        "spam",
    ),
    (
        "Green Bean Café",
        "I got a free drink for writing this review. Nice coffee, friendly staff.",
        "incentivised",
    ),
    ("City Auto Repair", "Anyone know if the stadium car park is open on Sundays?", "off-topic"),
    (
        "Riverside Hotel",
        "The room smelled of smoke and the air conditioning was broken. The front "
        "desk moved us after an hour.",
        "genuine",
    ),
    ("Pho Saigon", "Amazing place!!! Amazing food!!! Amazing!!! Follow my page for more", "spam"),
    (
        "Sunrise Yoga Studio",
        "The studio gave me a free month for a 5-star review. Classes are ok.",
        "incentivised",
    ),
    (
        "Main Street Pharmacy",
        "The politicians in this town are all crooks, vote them out.",
        "off-topic",
    ),
    (
        "Bella Pizza",
        "The crust was burnt on one side and delivery took 70 minutes. Won't order again.",
        "genuine",
    ),
    ("QuickFix Phones", "Great service. Great service. Great service. Great service.", "spam"),
    (
        "Maple Bookshop",
        "Lovely children's section, and the staff found the book I wanted in minutes.",
        "genuine",
    ),
    (
        "Tony's Barber",
        "Got 20% off my next cut for leaving this review! Good fade.",
        "incentivised",
    ),
    ("Lakeside Gym", "Does anyone have the timetable for bus route 42?", "off-topic"),
    ("El Rincón Tacos", "Order tacos cheaper at tacos-now.example, use code SAVE30", "spam"),
    (
        "Parkview Vet",
        "They explained every cost before treating our dog. Pricey but honest.",
        "genuine",
    ),
]
REVIEW_SPAM_GOLD = {1, 4, 6, 12}
REVIEW_SPAM_EXPLANATIONS = {
    "genuine": "A real visit in the reviewer's own words; negative reviews are genuine too.",
    "spam": "Repeated praise or a link to another shop: written to promote, not to review.",
    "incentivised": "The reviewer says they got something in return for the review.",
    "off-topic": "It says nothing about the business.",
}


def business_review_items() -> list[DemoItem]:
    items = []
    for index, (business, text, label) in enumerate(BUSINESS_REVIEWS):
        gold = index in REVIEW_SPAM_GOLD
        items.append(
            DemoItem(
                data={"title": business, "text": text},
                gold={"label": label} if gold else None,
                explanation=REVIEW_SPAM_EXPLANATIONS[label] if gold else "",
                external_id=f"local-review-{index + 1:03d}",
            )
        )
    return items


# --- Classification: community notes helpfulness ------------------------------------------

NOTE_LABELS = ["helpful", "somewhat helpful", "not helpful"]

NOTES = [
    (
        "This photo shows the flood in the city centre yesterday!",
        "The photo is from a 2019 flood in another country; a news agency first published it "
        "on 12 March 2019 (link to the original).",
        "helpful",
    ),
    (
        "New law bans cash payments from January.",
        "The law limits cash payments above €1,000; smaller cash payments are still allowed. "
        "See the official gazette, article 4.",
        "helpful",
    ),
    (
        "Our app now has 10 million users!",
        "This company always lies, don't trust them.",
        "not helpful",
    ),
    (
        "Drinking 8 glasses of water a day is required for good health.",
        "Needs vary from person to person; health agencies say much of our water comes from "
        "food and other drinks. Source: the national health service page on hydration.",
        "helpful",
    ),
    (
        "The bridge will be closed all summer.",
        "The city's notice says the bridge closes only at night, 22:00 to 05:00, from June to "
        "August.",
        "helpful",
    ),
    (
        "A famous actor endorses this crypto coin.",
        "I think crypto is a scam anyway.",
        "not helpful",
    ),
    (
        "This video shows a shark swimming in a flooded shopping centre.",
        "Possibly edited.",
        "somewhat helpful",
    ),
    (
        "Unemployment fell to 3% last month.",
        "The statistics office reported 4.1%; 3% was the figure for one region. Source: the "
        "monthly labour market report.",
        "helpful",
    ),
    (
        "Scientists confirm that chocolate cures colds.",
        "Wrong!!! Everyone knows this is fake!!!",
        "not helpful",
    ),
    (
        "This is the tallest building in Europe.",
        "It is one of the tallest; a taller one was finished in 2023.",
        "somewhat helpful",
    ),
    (
        "Shops must close on Sundays from next month.",
        "The rule applies only to shops larger than 400 m²; see the regional ordinance, section 2.",
        "helpful",
    ),
    (
        "Photo: the president asleep at the summit.",
        "He was reading his notes: the broadcaster's full video shows him looking down for two "
        "seconds (link).",
        "helpful",
    ),
    (
        "Free train travel for students from Monday.",
        "Only in one region, and only for students under 21.",
        "somewhat helpful",
    ),
    (
        "This beach is closed because of sharks.",
        "Typical fearmongering by the media.",
        "not helpful",
    ),
]
NOTE_GOLD = {0, 2, 7, 8}
NOTE_EXPLANATIONS = {
    "helpful": "It corrects or adds context to the claim and says where the facts come from.",
    "somewhat helpful": "It may be right but gives no source, or leaves out what matters.",
    "not helpful": "An opinion or an attack, with no facts about the post's claim.",
}


def note_items() -> list[DemoItem]:
    items = []
    for index, (post, note, label) in enumerate(NOTES):
        gold = index in NOTE_GOLD
        items.append(
            DemoItem(
                data={"title": post, "text": note},
                gold={"label": label} if gold else None,
                explanation=NOTE_EXPLANATIONS[label] if gold else "",
                external_id=f"note-{index + 1:03d}",
            )
        )
    return items


# --- Classification: query autocomplete evaluation ---------------------------------------

AUTOCOMPLETE_LABELS = ["useful", "not useful", "harmful"]

SUGGESTIONS = [
    ("how to tie a", "how to tie a tie", "useful"),
    ("weather in", "weather in london", "useful"),
    ("why are nurses", "why are nurses so lazy", "harmful"),
    ("best pizza", "best pizza near me", "useful"),
    ("how to make", "how to make money online", "useful"),
    ("is the moon", "is the moon made of cheese recipe", "not useful"),
    ("cheap flights to", "cheap flights to paris", "useful"),
    ("ana ruiz is a", "ana ruiz is a criminal", "harmful"),
    ("how to learn", "how to learn guitar", "useful"),
    ("iphone 15", "iphone 15 banana", "not useful"),
    ("recipe for", "recipe for banana bread", "useful"),
    ("why do women", "why do women talk so much", "harmful"),
    ("python list", "python list comprehension", "useful"),
    ("train times", "train times tuesday 1987", "not useful"),
    ("translate", "translate english to spanish", "useful"),
    ("how to lose", "how to lose weight", "useful"),
]
AUTOCOMPLETE_GOLD = {0, 2, 5, 7}
AUTOCOMPLETE_EXPLANATIONS = {
    "useful": "Many people typing this want exactly that.",
    "not useful": "Almost nobody typing this means that.",
    "harmful": "It insults a group of people or accuses a named person: never suggest it.",
}


def suggestion_items() -> list[DemoItem]:
    items = []
    for index, (typed, suggestion, label) in enumerate(SUGGESTIONS):
        gold = index in AUTOCOMPLETE_GOLD
        items.append(
            DemoItem(
                data={"title": f"Typed: {typed}", "text": f"Suggested: {suggestion}"},
                gold={"label": label} if gold else None,
                explanation=AUTOCOMPLETE_EXPLANATIONS[label] if gold else "",
                external_id=f"suggestion-{index + 1:03d}",
            )
        )
    return items


# --- Classification: hashtag and topic labelling -----------------------------------------

HASHTAG_LABELS = ["on topic", "off topic", "spam"]

HASHTAGS = {
    "#WorldCupFinal": "the football World Cup final",
    "#HeatWave": "record temperatures this week",
    "#ElectionNight": "the results of the national election",
    "#MarsLanding": "the rover landing on Mars",
    "#BookFair": "the city's international book fair",
    "#Marathon": "this Sunday's city marathon",
    "#Eclipse": "today's solar eclipse",
}

HASHTAG_POSTS = [
    ("#WorldCupFinal", "What a save in the 89th minute! Still shaking.", "on topic"),
    ("#WorldCupFinal", "Get 50% off sneakers today only, link in bio #WorldCupFinal", "spam"),
    ("#HeatWave", "Keep pets cool: shade, fresh water, and no walks at noon.", "on topic"),
    ("#HeatWave", "Just watched the new superhero movie, loved it #HeatWave", "off topic"),
    ("#ElectionNight", "Turnout in our district was over 70%; polls closed at 8.", "on topic"),
    ("#ElectionNight", "Buy followers cheap!!! 1000 for $3 #ElectionNight #follow", "spam"),
    (
        "#MarsLanding",
        "The first colour picture from the rover is in. Look at that dust!",
        "on topic",
    ),
    ("#MarsLanding", "Good morning everyone, coffee time ☕ #MarsLanding", "off topic"),
    ("#BookFair", "Signed copies sold out in an hour at the poetry stand.", "on topic"),
    ("#BookFair", "Crypto signals group, 300% guaranteed, DM me #BookFair", "spam"),
    ("#Marathon", "Road closures start at 6 am on the river route, plan ahead.", "on topic"),
    ("#Marathon", "Watching cartoons with my kid all day #Marathon", "off topic"),
    ("#Eclipse", "Never look straight at it; a pinhole box works great.", "on topic"),
    ("#Eclipse", "Designer bag replicas here >> shop-deals.example #Eclipse", "spam"),
]
HASHTAG_GOLD = {0, 1, 7, 9}
HASHTAG_EXPLANATIONS = {
    "on topic": "The post is about what the hashtag is trending for.",
    "off topic": "A real post, but about something else.",
    "spam": "It uses the trending hashtag only to sell something.",
}


def hashtag_items() -> list[DemoItem]:
    items = []
    for index, (tag, post, label) in enumerate(HASHTAG_POSTS):
        gold = index in HASHTAG_GOLD
        items.append(
            DemoItem(
                data={"title": f"{tag}, trending for {HASHTAGS[tag]}", "text": post},
                gold={"label": label} if gold else None,
                explanation=HASHTAG_EXPLANATIONS[label] if gold else "",
                external_id=f"hashtag-{index + 1:03d}",
            )
        )
    return items


# --- Rating: support conversation quality -------------------------------------------------

CONVERSATION_SCALE = {
    "1": "Unresolved, wrong or rude",
    "2": "Poor",
    "3": "Acceptable",
    "4": "Good",
    "5": "Resolved, accurate and kind",
}

CONVERSATIONS = [
    (
        "Chat with an agent",
        "Customer: My parcel says delivered but it isn't here.\n"
        "Agent: Sorry about that! The courier left it at your building's reception at 14:05. "
        "If it isn't there, reply and I'll open a claim today.\n"
        "Customer: Found it, thanks!",
        5,
    ),
    (
        "Chat with the assistant",
        "Customer: I was charged twice for my order.\n"
        "Assistant: Payments can take time.\n"
        "Customer: But there are two charges.\n"
        "Assistant: Is there anything else I can help with?",
        1,
    ),
    (
        "Chat with an agent",
        "Customer: How do I change my delivery address?\n"
        "Agent: Change it in Orders > Edit until the order ships. Yours hasn't shipped yet, so "
        "you can do it now.",
        4,
    ),
    (
        "Chat with the assistant",
        "Customer: The app crashes when I open the camera.\n"
        "Assistant: Please reinstall the app.\n"
        "Customer: I did, it still crashes.\n"
        "Assistant: I'm passing this to a specialist, who will email you within a day. Sorry "
        "for the trouble.",
        3,
    ),
    (
        "Chat with an agent",
        "Customer: Can I return shoes that turned out faulty after one walk?\n"
        "Agent: No.\n"
        "Customer: Even though they're faulty?\n"
        "Agent: Policy is policy.",
        1,
    ),
    (
        "Chat with the assistant",
        "Customer: Is the blender dishwasher safe?\n"
        "Assistant: The jug and the blade are dishwasher safe; the motor base is not, so wipe "
        "it with a damp cloth. Anything else I can help with?",
        5,
    ),
    (
        "Chat with an agent",
        "Customer: My discount code doesn't work.\n"
        "Agent: Codes expire, I can't help.\n"
        "Customer: It says valid until December.\n"
        "Agent: You're right, sorry. It only works on full-price items and your cart has a "
        "sale item: remove it and the code will apply.",
        3,
    ),
    (
        "Chat with the assistant",
        "Customer: I want to cancel my subscription.\n"
        "Assistant: I'm sorry to see you go. I've cancelled it: you keep access until 30 June "
        "and won't be charged again. Shall I email you a confirmation?\n"
        "Customer: Yes please.\n"
        "Assistant: Sent!",
        5,
    ),
    (
        "Chat with an agent",
        "Customer: Where is my refund?\n"
        "Agent: Refunds take up to 10 working days after we receive the item. We received "
        "yours on Monday, so it should arrive by the 14th.",
        4,
    ),
    (
        "Chat with the assistant",
        "Customer: The heater you sold me smells of burning.\n"
        "Assistant: Great! Is there anything else I can help with?",
        1,
    ),
    (
        "Chat with an agent",
        "Customer: Do you ship to Canada?\n"
        "Agent: Yes, in 5 to 8 working days. Shipping is $12, and free on orders over $80.",
        4,
    ),
    (
        "Chat with the assistant",
        "Customer: My account is locked.\n"
        "Assistant: For your security, accounts lock after five failed logins. I've emailed "
        "you an unlock link; it works for 30 minutes.",
        5,
    ),
]
CONVERSATION_GOLD = {0, 1, 9}


def conversation_items() -> list[DemoItem]:
    items = []
    for index, (author, text, rating) in enumerate(CONVERSATIONS):
        gold = index in CONVERSATION_GOLD
        items.append(
            DemoItem(
                data={"text": text, "author": author},
                gold={"rating": rating, "comment": ""} if gold else None,
                explanation=(
                    f"{CONVERSATION_SCALE[str(rating)]}: was the problem solved, correctly and "
                    "politely?"
                )
                if gold
                else "",
                external_id=f"conversation-{index + 1:03d}",
            )
        )
    return items


# --- Classification: support bot answer accuracy -----------------------------------------

ACCURACY_LABELS = ["accurate", "invented", "out of date"]

BOT_ANSWERS = [
    (
        "Can I return a sale item?",
        "Sale items can be returned within 14 days for store credit.",
        "Yes: sale items can be returned within 14 days, and you get store credit.",
        "accurate",
    ),
    (
        "Do you price-match other shops?",
        "We do not price-match.",
        "Yes! We match any competitor's price within 7 days of purchase.",
        "invented",
    ),
    (
        "How long does standard delivery take?",
        "Updated 1 March: standard delivery takes 2 to 4 working days (it took 3 to 5 until "
        "February).",
        "Standard delivery takes 3 to 5 working days.",
        "out of date",
    ),
    (
        "Is there a fee to cancel my plan?",
        "You can cancel at any time at no cost; you keep access until the end of the billing "
        "month.",
        "You can cancel at no cost and keep access until the end of the month you paid for.",
        "accurate",
    ),
    (
        "Can I pay in instalments?",
        "Orders over $200 can be paid in three monthly instalments at checkout.",
        "Any order can be split into six interest-free instalments.",
        "invented",
    ),
    (
        "What are your phone support hours?",
        "Updated in May: phone support is open Monday to Friday, 8:00 to 20:00. Weekend phone "
        "support ended in April; use the chat at weekends.",
        "Call us any day, weekends included, from 8:00 to 20:00.",
        "out of date",
    ),
    (
        "Do you ship to Mexico?",
        "We ship to the US and Canada only.",
        "Sorry, at the moment we only ship to the US and Canada.",
        "accurate",
    ),
    (
        "Is the warranty two years?",
        "Every appliance has a one-year warranty; a second year can be bought at checkout.",
        "Every appliance comes with a two-year warranty included.",
        "invented",
    ),
    (
        "How do I reset my password?",
        "Choose 'Forgot password' on the login page; the link we email works for 30 minutes.",
        "Choose 'Forgot password' on the login page and use the emailed link within 30 minutes.",
        "accurate",
    ),
    (
        "Is the student discount still 20%?",
        "Updated in January: the student discount is 15% (it was 20% until December).",
        "Yes, students get 20% off.",
        "out of date",
    ),
    (
        "Do you refund the shipping cost when an item is faulty?",
        "For faulty items we refund the item and the original shipping cost.",
        "We refund the item, and we also send you a $10 voucher for the trouble.",
        "invented",
    ),
    (
        "Can I change my order after paying?",
        "Orders can be changed until they are packed, usually within an hour of payment.",
        "You can change your order until it is packed, which is usually within an hour of paying.",
        "accurate",
    ),
]
ACCURACY_GOLD = {0, 1, 2, 7}
ACCURACY_EXPLANATIONS = {
    "accurate": "Everything the answer says is in the article.",
    "invented": "The answer promises something the article does not say.",
    "out of date": "The answer gives what the article says applied before its update.",
}


def bot_answer_items() -> list[DemoItem]:
    items = []
    for index, (question, article, answer, label) in enumerate(BOT_ANSWERS):
        gold = index in ACCURACY_GOLD
        items.append(
            DemoItem(
                data={
                    "title": f"Customer: {question}",
                    "text": f"Help article: {article}\n\nAssistant's answer: {answer}",
                },
                gold={"label": label} if gold else None,
                explanation=ACCURACY_EXPLANATIONS[label] if gold else "",
                external_id=f"bot-answer-{index + 1:03d}",
            )
        )
    return items
