"""The pulse's words: two questions of our own, then one of the Community Life Survey's
standard items with its four-point scale (1 the most positive), in the survey's words
so that the council can set our figures beside the national ones."""

from dataclasses import dataclass

from cohesion.models import Item

MET_NEW = "Did you meet someone new?"
MET_DIFFERENT = "Did you meet someone from a different background from yours?"


@dataclass(frozen=True)
class Scale:
    question: str
    # Score 1 first.
    answers: tuple[str, str, str, str]

    def choices(self) -> list[tuple[int, str]]:
        return list(enumerate(self.answers, start=1))


SCALES: dict[str, Scale] = {
    Item.GET_ON: Scale(
        "To what extent do you agree or disagree that your local area is a place where "
        "people from different backgrounds get on well together?",
        ("Definitely agree", "Tend to agree", "Tend to disagree", "Definitely disagree"),
    ),
    Item.BELONG: Scale(
        "How strongly do you feel you belong to your immediate neighbourhood?",
        ("Very strongly", "Fairly strongly", "Not very strongly", "Not at all strongly"),
    ),
    Item.TRUST: Scale(
        "Would you say that many of the people in your neighbourhood can be trusted, some "
        "can be trusted, a few can be trusted, or that none of the people in your "
        "neighbourhood can be trusted?",
        ("Many", "Some", "A few", "None"),
    ),
}
