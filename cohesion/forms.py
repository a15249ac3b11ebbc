"""The pulse's three taps. Each step's page carries the earlier answers in hidden
fields, so this form checks them all again at the last tap: nothing is written before
it, and a value changed on the way is refused."""

from typing import Any

from django import forms

from cohesion.questions import MET_DIFFERENT, MET_NEW, SCALES

SKIP = "skip"
YES_NO = [("yes", "Yes"), ("no", "No")]
ORDER = ["met_new", "met_different", "score"]
CHANGED = "Something on the page was changed on its way to us, so nothing was saved."


class PulseForm(forms.Form):
    met_new = forms.ChoiceField(choices=[*YES_NO, (SKIP, "Skip")], required=False)
    met_different = forms.ChoiceField(choices=[*YES_NO, (SKIP, "Skip")], required=False)
    score = forms.ChoiceField(
        choices=[*((str(n), str(n)) for n in range(1, 5)), (SKIP, "Skip")], required=False
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        given = [bool(self.data.get(name)) for name in ORDER]
        # Answers arrive in order: a later one without an earlier one was not our page.
        if given != sorted(given, reverse=True):
            raise forms.ValidationError(CHANGED)
        return data

    @property
    def answered(self) -> int:
        """How many of the three questions this post answers (or skips)."""
        return sum(1 for name in ORDER if self.cleaned_data.get(name))

    def carried(self) -> list[tuple[str, str]]:
        """The answers so far, to send on with the next step."""
        return [(name, self.cleaned_data[name]) for name in ORDER if self.cleaned_data.get(name)]

    def answers(self) -> tuple[bool | None, bool | None, int | None]:
        met_new, met_different, score = (self.cleaned_data[name] for name in ORDER)
        return (
            _yes_no(met_new),
            _yes_no(met_different),
            None if score == SKIP else int(score),
        )


def _yes_no(value: str) -> bool | None:
    return None if value == SKIP else value == "yes"


def question(step: int, item: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The field, the words and the answers of one step (1 to 3)."""
    if step == 1:
        return "met_new", MET_NEW, YES_NO
    if step == 2:
        return "met_different", MET_DIFFERENT, YES_NO
    scale = SCALES[item]
    return "score", scale.question, [(str(n), label) for n, label in scale.choices()]
