"""Vocabulary the demo draws from: plausible businesses, reviewers, reviews and requests."""

from __future__ import annotations

BUSINESSES = [
    ("nordicbikes.dk", "Nordic Bikes", "DK", "enterprise", 48_200),
    ("casa-verde.es", "Casa Verde Hotels", "ES", "premium", 12_900),
    ("brightsmile-dental.co.uk", "BrightSmile Dental", "GB", "standard", 2_310),
    ("velotech.de", "VeloTech", "DE", "enterprise", 131_000),
    ("petit-four.fr", "Pâtisserie Petit Four", "FR", "free", 410),
    ("fastcar-leasing.nl", "FastCar Leasing", "NL", "premium", 22_400),
    ("greenhome-solar.it", "GreenHome Solar", "IT", "standard", 5_800),
    ("moneyline-loans.ie", "MoneyLine Loans", "IE", "enterprise", 76_500),
    ("kidsworld-toys.se", "KidsWorld Toys", "SE", "standard", 3_150),
    ("urbanfit-gym.pl", "UrbanFit Gym", "PL", "free", 980),
    ("skyhigh-travel.com", "SkyHigh Travel", "US", "enterprise", 254_000),
    ("quickfix-plumbing.co.uk", "QuickFix Plumbing", "GB", "free", 320),
]

FIRST = ["Anna", "Lars", "Sofia", "Jonas", "Marta", "Pierre", "Giulia", "Tom", "Eva", "Mikkel",
         "Lucía", "Noah", "Emma", "Ahmed", "Olga", "Ravi", "Chloé", "Finn", "Ines", "Piotr"]
LAST = ["Hansen", "García", "Müller", "Rossi", "Dubois", "Nowak", "Jensen", "Smith", "Silva",
        "Kowalski", "Andersen", "Bianchi", "Martin", "Johansson", "Moreau", "Fischer"]
COUNTRIES = ["DK", "DE", "GB", "FR", "ES", "IT", "NL", "SE", "PL", "IE", "US"]
LANGS = {"DK": "da", "DE": "de", "GB": "en", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl",
         "SE": "sv", "PL": "pl", "IE": "en", "US": "en"}

REVIEW_TEXTS = {
    "genuine_good": [
        "Ordered on Monday, delivered Wednesday. The bike was perfectly adjusted and the staff "
        "explained everything.",
        "Friendly staff, clean rooms and a great breakfast. We will come back next summer.",
        "The technician arrived on time and fixed the leak in twenty minutes. Fair price.",
    ],
    "genuine_bad": [
        "Waited three weeks for a refund that never came. Customer service stopped answering.",
        "The room smelled of smoke and the air conditioning did not work. Not worth the price.",
        "My order arrived broken and they asked me to pay for the return shipping.",
    ],
    "fake": [
        "Best company ever!!! Five stars!!! Highly recommend to everyone!!!",
        "Amazing amazing amazing. Best service in the world. Must buy now.",
        "Great product great price great service great everything.",
    ],
    "harmful": [
        "The owner is a criminal and I know where he lives. Someone should teach him a lesson.",
        "Stay away, the manager is a thief and a liar and everyone from his country is the same.",
    ],
    "personal": [
        "The woman at the desk, Maria, gave me her phone number +45 20 12 34 56 and was rude.",
        "Contact the owner directly at j.smith@example.com, he will not answer the shop line.",
    ],
    "spam": [
        "Visit cheap-watches-outlet.example for the best replicas, 80% off today only.",
    ],
}

CSM_ASKS = [
    "Client reports a wave of 1-star reviews from accounts created this week; asks for review "
    "of possible competitor attack before their renewal call.",
    "Customer disputes the removal of 40 invited reviews and threatens to cancel the contract.",
    "Client says a former employee is posting reviews under several names.",
]
EXEC_ASKS = [
    "CEO of the client wrote to our CEO about a defamatory review naming him personally.",
    "Press enquiry about fake reviews on a well-known travel brand; leadership wants a status "
    "by tomorrow.",
]
LEGAL_BASES = [
    ("defamation", "Defamation Act 2013 (England and Wales), s. 1", "GB"),
    ("data_protection_erasure", "GDPR Art. 17 (right to erasure)", "DE"),
    ("intellectual_property", "Directive 2004/48/EC, national trade-mark law", "FR"),
    ("law_enforcement_data_request", "Danish Administration of Justice Act, ch. 71", "DK"),
    ("court_order", "Order of the Tribunal judiciaire de Paris, réf. 24/01234", "FR"),
]
FLAG_REASONS = {
    "fake": "Reviewer never bought from us; same wording as five other reviews.",
    "harmful_illegal": "Contains a threat against our staff.",
    "personal_information": "Review names an employee and gives her phone number.",
    "advertising_spam": "Advertises another website.",
    "offensive_language": "Insults and swearing.",
    "conflict_of_interest": "Written by the owner's brother.",
    "not_experience": "Not about any purchase, only about politics.",
}
