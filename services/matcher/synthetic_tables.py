"""The invented but plausible mixes of the synthetic population (`synthetic.py`).

Twelve-step pathways dominate, most people prefer a mentor of their own gender, people
live in a dozen real metro areas (with their real timezones) or meet online only, and
they are free on weekday evenings and weekends.
"""

from __future__ import annotations

# name, latitude, longitude, timezone, share, languages with their shares
METROS: tuple[tuple[str, float, float, str, float, dict[str, float]], ...] = (
    ("New York", 40.7128, -74.0060, "America/New_York", 0.16, {"en": 0.85, "es": 0.15}),
    ("Los Angeles", 34.0522, -118.2437, "America/Los_Angeles", 0.12, {"en": 0.7, "es": 0.3}),
    ("Chicago", 41.8781, -87.6298, "America/Chicago", 0.09, {"en": 0.9, "es": 0.1}),
    ("Houston", 29.7604, -95.3698, "America/Chicago", 0.07, {"en": 0.75, "es": 0.25}),
    ("Phoenix", 33.4484, -112.0740, "America/Phoenix", 0.05, {"en": 0.85, "es": 0.15}),
    ("Denver", 39.7392, -104.9903, "America/Denver", 0.05, {"en": 0.95, "es": 0.05}),
    ("Seattle", 47.6062, -122.3321, "America/Los_Angeles", 0.05, {"en": 0.95, "vi": 0.05}),
    ("Portland", 45.5152, -122.6784, "America/Los_Angeles", 0.04, {"en": 1.0}),
    ("Atlanta", 33.7490, -84.3880, "America/New_York", 0.06, {"en": 1.0}),
    ("Boston", 42.3601, -71.0589, "America/New_York", 0.05, {"en": 0.9, "pt": 0.1}),
    ("Miami", 25.7617, -80.1918, "America/New_York", 0.05, {"en": 0.6, "es": 0.4}),
    ("Toronto", 43.6532, -79.3832, "America/Toronto", 0.06, {"en": 0.9, "fr": 0.1}),
    ("London", 51.5074, -0.1278, "Europe/London", 0.08, {"en": 1.0}),
    ("Dublin", 53.3498, -6.2603, "Europe/Dublin", 0.03, {"en": 1.0}),
    ("Mexico City", 19.4326, -99.1332, "America/Mexico_City", 0.04, {"es": 0.9, "en": 0.1}),
)
PATHWAY_SHARES = {
    "aa": 0.45,
    "na": 0.2,
    "smart": 0.12,
    "celebrate_recovery": 0.08,
    "refuge_recovery": 0.05,
    "sos": 0.03,
    "other": 0.07,
}
GENDER_SHARES = {"woman": 0.45, "man": 0.45, "nonbinary": 0.07, "prefer_not_to_say": 0.03}
FORMAT_SHARES = {"in_person": 0.4, "either": 0.45, "online": 0.15}
INTERESTS = (
    "parenting",
    "hiking",
    "running",
    "music",
    "faith",
    "meditation",
    "cooking",
    "veterans",
    "lgbtq",
    "art",
    "sports",
    "reading",
    "gardening",
    "dogs",
    "career",
    "students",
    "grief",
    "chronic pain",
    "yoga",
    "cycling",
)
OPENERS = (
    "I am a parent of two",
    "I work nights as a nurse",
    "I am a teacher",
    "I'm a veteran",
    "I recently moved to the city",
    "I am retired",
    "I work in construction",
    "I am a college student",
    "I run a small business",
    "I work in tech",
)
MIDDLES = (
    "and I am looking for someone who has been through the steps",
    "and I want help staying accountable",
    "and I find meetings hard to get to",
    "and I would like a sponsor who is patient",
    "and I love talking about books and long walks",
    "and faith is an important part of my recovery",
    "and meditation keeps me grounded",
    "and I need someone who understands early recovery",
    "and I like to keep things practical",
)
CLOSERS = (
    "Mornings are hard for me.",
    "I like hiking on weekends.",
    "Coffee after meetings is my favourite part.",
    "I am open and honest.",
    "I'm learning to cook again.",
    "My dog keeps me company.",
    "",
)
# (days, start, end): weekday evenings dominate, then weekends, then lunch and mornings.
WINDOWS = (
    ("weekday", "18:00", "21:00"),
    ("weekday", "19:00", "22:00"),
    ("weekday", "17:30", "19:30"),
    ("weekday", "12:00", "13:00"),
    ("weekday", "06:30", "08:00"),
    ("weekend", "09:00", "12:00"),
    ("weekend", "13:00", "17:00"),
    ("weekend", "19:00", "23:00"),
)
WINDOW_SHARES = (0.22, 0.2, 0.1, 0.08, 0.06, 0.16, 0.12, 0.06)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKEND = ("sat", "sun")
