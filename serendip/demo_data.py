"""The small demo network `serendip demo` seeds: real cities, realistic passports."""

SPACES = [
    # name, slug, city, country, timezone, seats, seat price (SC)
    ("Seats2meet Utrecht CS", "utrecht-cs", "Utrecht", "NL", "Europe/Amsterdam", 24, "5"),
    ("Amsterdam Zuidas Hub", "amsterdam-zuidas", "Amsterdam", "NL", "Europe/Amsterdam", 18, "6"),
    ("Milano Isola Lab", "milano-isola", "Milan", "IT", "Europe/Rome", 16, "5"),
    ("Lisboa LX Factory", "lisboa-lx", "Lisbon", "PT", "Europe/Lisbon", 12, "4"),
    ("Berlin Kreuzberg Loft", "berlin-kreuzberg", "Berlin", "DE", "Europe/Berlin", 20, "5"),
    ("Brooklyn Navy Yard Commons", "brooklyn-navy-yard", "New York", "US", "America/New_York", 14, "7"),
]

ROOMS = [
    # space slug, room, capacity, euro cents per hour, amenities
    ("utrecht-cs", "Dom", 8, 3500, ["screen", "whiteboard"]),
    ("utrecht-cs", "Oudegracht", 4, 2000, ["whiteboard"]),
    ("amsterdam-zuidas", "Amstel", 10, 4500, ["screen", "video call"]),
    ("milano-isola", "Brera", 6, 3000, ["screen"]),
    ("lisboa-lx", "Tejo", 6, 2500, ["whiteboard"]),
    ("berlin-kreuzberg", "Spree", 8, 3000, ["screen", "whiteboard"]),
    ("brooklyn-navy-yard", "Dock 72", 12, 6000, ["screen", "video call"]),
]

# username, name, headline, offers, needs, interests
MEMBERS = [
    (
        "ada",
        "Ada Visser",
        "Backend developer, Python and Django",
        ["python", "django", "postgresql"],
        ["ux research", "fundraising"],
        ["cycling", "open source"],
    ),
    (
        "bram",
        "Bram de Jong",
        "UX researcher for public services",
        ["ux research", "user interviews", "service design"],
        ["python", "data visualisation"],
        ["cycling", "urbanism"],
    ),
    (
        "chiara",
        "Chiara Rossi",
        "Growth marketer for B2B SaaS",
        ["growth marketing", "seo", "copywriting"],
        ["machine learning", "pricing"],
        ["food", "photography"],
    ),
    (
        "diego",
        "Diego Alves",
        "Machine learning engineer",
        ["machine learning", "deep learning", "python"],
        ["fundraising", "go-to-market"],
        ["surfing", "open source"],
    ),
    (
        "elif",
        "Elif Kaya",
        "Angel investor and startup coach",
        ["fundraising", "pitch decks", "business models"],
        ["ai ethics", "machine learning"],
        ["chess", "sustainability"],
    ),
    (
        "femke",
        "Femke Bakker",
        "Sustainability consultant",
        ["sustainability", "circular economy", "esg reporting"],
        ["data visualisation", "grant writing"],
        ["cycling", "gardening"],
    ),
    (
        "giulia",
        "Giulia Bianchi",
        "Product designer",
        ["ui design", "figma", "design systems"],
        ["react", "user interviews"],
        ["illustration", "food"],
    ),
    (
        "hamid",
        "Hamid Rahimi",
        "Full-stack developer, React and Node",
        ["react", "javascript", "node.js"],
        ["ui design", "devops"],
        ["gaming", "open source"],
    ),
    (
        "ines",
        "Inês Costa",
        "Grant writer for cultural projects",
        ["grant writing", "eu funding", "project management"],
        ["copywriting", "video editing"],
        ["music", "urbanism"],
    ),
    (
        "jonas",
        "Jonas Müller",
        "DevOps engineer, Kubernetes and cloud",
        ["devops", "kubernetes", "aws"],
        ["product management", "pricing"],
        ["climbing", "open source"],
    ),
    (
        "katja",
        "Katja Schmidt",
        "Data journalist",
        ["data visualisation", "storytelling", "d3.js"],
        ["python", "machine learning"],
        ["politics", "photography"],
    ),
    (
        "lucas",
        "Lucas Martin",
        "Employment lawyer for startups",
        ["employment law", "contracts", "gdpr"],
        ["website", "seo"],
        ["running", "wine"],
    ),
    (
        "maria",
        "María García",
        "Product manager in fintech",
        ["product management", "roadmapping", "fintech"],
        ["devops", "ux research"],
        ["running", "travel"],
    ),
    (
        "noah",
        "Noah Cohen",
        "Video producer and editor",
        ["video editing", "storytelling", "motion graphics"],
        ["grant writing", "fundraising"],
        ["film", "music"],
    ),
    (
        "olivia",
        "Olivia Smith",
        "Accountant for freelancers",
        ["bookkeeping", "tax", "invoicing"],
        ["automation", "python"],
        ["yoga", "travel"],
    ),
    (
        "pieter",
        "Pieter Jansen",
        "Hardware tinkerer, IoT prototypes",
        ["iot", "embedded systems", "3d printing"],
        ["fundraising", "industrial design"],
        ["maker spaces", "cycling"],
    ),
    (
        "quinn",
        "Quinn Taylor",
        "Community manager",
        ["community building", "event planning", "facilitation"],
        ["automation", "data visualisation"],
        ["music", "urbanism"],
    ),
    (
        "rosa",
        "Rosa Fernández",
        "AI ethics researcher",
        ["ai ethics", "policy", "gdpr"],
        ["deep learning", "storytelling"],
        ["philosophy", "chess"],
    ),
    (
        "sven",
        "Sven Lindqvist",
        "Pricing and SaaS metrics advisor",
        ["pricing", "saas metrics", "go-to-market"],
        ["copywriting", "design systems"],
        ["sailing", "chess"],
    ),
    (
        "tariq",
        "Tariq Haddad",
        "Mobile developer, Flutter and Swift",
        ["flutter", "swift", "mobile apps"],
        ["ui design", "growth marketing"],
        ["football", "gaming"],
    ),
    (
        "ugo",
        "Ugo Ferrari",
        "Industrial designer",
        ["industrial design", "3d printing", "prototyping"],
        ["iot", "business models"],
        ["motorbikes", "food"],
    ),
    (
        "vera",
        "Vera Novak",
        "Translator NL/EN/DE",
        ["translation", "copywriting", "german"],
        ["invoicing", "website"],
        ["literature", "travel"],
    ),
    (
        "wim",
        "Wim Peeters",
        "Automation and no-code builder",
        ["automation", "no-code", "airtable"],
        ["product management", "pricing"],
        ["cycling", "board games"],
    ),
    (
        "xenia",
        "Xenia Petrova",
        "Data scientist in healthcare",
        ["machine learning", "statistics", "r"],
        ["gdpr", "policy"],
        ["running", "science"],
    ),
    (
        "yusuf",
        "Yusuf Demir",
        "Photographer and brand designer",
        ["photography", "branding", "illustration"],
        ["website", "seo"],
        ["travel", "film"],
    ),
    (
        "zoe",
        "Zoë van Dijk",
        "Facilitator and team coach",
        ["facilitation", "team coaching", "workshops"],
        ["video editing", "community building"],
        ["yoga", "music"],
    ),
    (
        "amir",
        "Amir Nasser",
        "Security engineer",
        ["security", "penetration testing", "devops"],
        ["gdpr", "contracts"],
        ["climbing", "chess"],
    ),
    (
        "bea",
        "Beatriz Lopes",
        "Teacher turning edtech founder",
        ["teaching", "curriculum design", "workshops"],
        ["fundraising", "mobile apps"],
        ["literature", "gardening"],
    ),
    (
        "carl",
        "Carl Jensen",
        "Architect, timber buildings",
        ["architecture", "sustainability", "bim"],
        ["3d printing", "esg reporting"],
        ["sailing", "urbanism"],
    ),
    (
        "dina",
        "Dina Okafor",
        "HR and hiring for scale-ups",
        ["recruiting", "employer branding", "onboarding"],
        ["employment law", "automation"],
        ["running", "podcasts"],
    ),
    (
        "emil",
        "Emil Berg",
        "Podcast host and audio engineer",
        ["audio production", "podcasts", "storytelling"],
        ["branding", "community building"],
        ["music", "film"],
    ),
    (
        "fatima",
        "Fatima Zahra",
        "E-commerce operator",
        ["e-commerce", "shopify", "logistics"],
        ["seo", "photography"],
        ["food", "travel"],
    ),
    # The two who read Serendip in their own language (LANGUAGES below); what they wrote
    # themselves (headline, focus, booking titles) stays in their words.
    (
        "sanne",
        "Sanne Bakker",
        "Duurzaamheidsadviseur voor het mkb",
        ["sustainability", "esg reporting", "circular economy"],
        ["data visualisation", "fundraising"],
        ["cycling", "urbanism"],
    ),
    (
        "marco",
        "Marco Bianchi",
        "Product designer, servizi digitali per la PA",
        ["product design", "ux research", "service design"],
        ["python", "fundraising"],
        ["food", "photography"],
    ),
    (
        "host",
        "Hanna Host",
        "Host at Seats2meet Utrecht CS",
        ["hospitality", "community building", "event planning"],
        ["automation"],
        ["coffee", "cycling"],
    ),
    (
        "operator",
        "Otto Operator",
        "Runs the Serendip network",
        ["operations", "community building"],
        ["data visualisation"],
        ["urbanism"],
    ),
]

DEMO_PASSWORD = "serendip-demo"

# Which spaces members are at today, by index into MEMBERS (the host and operator stay out).
TODAY = {
    "utrecht-cs": [
        "ada",
        "bram",
        "diego",
        "elif",
        "femke",
        "katja",
        "olivia",
        "quinn",
        "rosa",
        "wim",
        "xenia",
        "sanne",
        "host",
    ],
    "amsterdam-zuidas": ["chiara", "maria", "sven", "jonas", "lucas", "dina"],
    "milano-isola": ["giulia", "ugo", "noah", "yusuf", "marco"],
    "lisboa-lx": ["ines", "bea", "fatima"],
    "berlin-kreuzberg": ["hamid", "pieter", "amir", "emil", "vera"],
    "brooklyn-navy-yard": ["tariq", "zoe", "carl"],
}

FOCUS = {
    "ada": "shipping the check-in API",
    "diego": "raising a pre-seed round",
    "elif": "looking for AI startups to back",
    "katja": "a story on housing data",
    "chiara": "pricing page experiments",
    "hamid": "a React dashboard",
    "sanne": "een CO2-rapportage voor een klant",
    "marco": "il nuovo portale dei servizi comunali",
}

# Members' own language (Member.language): their pages, emails and calendar feed speak it.
LANGUAGES = {"sanne": "nl", "marco": "it"}

# Questions: (asker, title, tags, [(answerer, answer)], accepted answerer or None, rating)
QUESTIONS = [
    (
        "diego",
        "Which EU grants fit an early-stage ML startup?",
        ["eu funding", "grant writing", "machine learning"],
        [
            (
                "ines",
                "Look at EIC Accelerator and national innovation vouchers; start with a 2-page concept note.",
            )
        ],
        "ines",
        5,
    ),
    (
        "chiara",
        "How do I price a B2B SaaS with usage-based costs?",
        ["pricing", "saas metrics"],
        [
            (
                "sven",
                "Anchor on a value metric, add a platform fee, and cap usage tiers so costs stay"
                " predictable.",
            )
        ],
        "sven",
        4,
    ),
    (
        "ada",
        "What do I need in a DPA with a hosting provider?",
        ["gdpr", "contracts"],
        [
            (
                "lucas",
                "Article 28 terms: processing instructions, sub-processors, breach notice, deletion"
                " at the end.",
            ),
            ("rosa", "Also check data transfer mechanisms if they host outside the EU."),
        ],
        "lucas",
        5,
    ),
    (
        "femke",
        "Good tools to visualise emissions data for a report?",
        ["data visualisation", "esg reporting"],
        [("katja", "Datawrapper for quick charts; D3 if you need something bespoke.")],
        None,
        0,
    ),
    (
        "noah",
        "Who can help me write a grant for a documentary?",
        ["grant writing", "storytelling"],
        [],
        None,
        0,
    ),
]

# Meetings today between members checked in at the same space: (recorded by, other, outcome for recorder)
MEETINGS = [("ada", "bram", "collaboration"), ("diego", "elif", "paid_work"), ("katja", "xenia", "learned")]
INTRODUCTIONS = [("wim", "olivia"), ("quinn", "femke")]  # (requester, recipient), left pending

# Opening hours per space, local time: (weekday 0 = Monday, opens, closes); missing days are closed.
_WEEKDAYS_8_TO_18 = [(d, "08:00", "18:00") for d in range(5)]
OPENING_HOURS = {
    "utrecht-cs": [(d, "07:00", "22:00") for d in range(5)] + [(5, "09:00", "17:00"), (6, "10:00", "17:00")],
    "amsterdam-zuidas": _WEEKDAYS_8_TO_18,
    "milano-isola": [(d, "09:00", "19:00") for d in range(6)],
    "lisboa-lx": [(d, "09:00", "20:00") for d in range(7)],
    "berlin-kreuzberg": [(d, "08:00", "00:00") for d in range(7)],  # until midnight
    "brooklyn-navy-yard": _WEEKDAYS_8_TO_18,
}

# Room bookings: (username, space slug, room, days from the space's today, start, end, title).
# Ones that would be in the past, or that exist already, are skipped.
BOOKINGS = [
    ("ada", "utrecht-cs", "Dom", 1, "10:00", "11:30", "Django sprint planning"),
    ("bram", "utrecht-cs", "Oudegracht", 1, "14:00", "15:00", "User interviews"),
    ("elif", "utrecht-cs", "Dom", 2, "09:00", "10:00", "Pitch practice"),
    ("ada", "utrecht-cs", "Oudegracht", 0, "20:00", "21:00", "Open source evening"),
    ("chiara", "milano-isola", "Brera", 1, "11:00", "12:00", ""),
    ("sanne", "utrecht-cs", "Oudegracht", 1, "16:00", "17:00", "Klantgesprek"),
    ("marco", "milano-isola", "Brera", 2, "10:00", "11:30", "Revisione del prototipo"),
]
