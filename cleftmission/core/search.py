"""Name search in the database, shared by the children and volunteer lists and the API.
(core.text stays free of Django: pure modules use it.)"""

from django.db.models import Q

from cleftmission.core.text import search_key


def name_words_match(query: str, field: str = "search_name") -> Q:
    """Every word typed must start a word of the name, in any order and without diacritics:
    "an nguyen" and "nguyen van an" both find Nguyễn Văn An, and "an" does not find Lan.
    `field` holds the name as search_key() writes it."""
    condition = Q()
    for word in search_key(query).split(" "):
        if word:
            condition &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": " " + word})
    return condition
