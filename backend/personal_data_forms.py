"""The forms for deleting an account: the person's own (password and a typed word), and
a council officer's at a resident's request (their e-mail, a reason, a typed word).
Both ask where each town's coins go: to a community group there, or back to the scheme."""

from typing import Any

from django import forms

from accounts.models import User
from backend.account_deletion import CONFIRM_WORD
from coins.models import Account
from coins.personal_data import coins_to_give

BACK_TO_SCHEME = "Let them go back to the scheme"


class GiveCoinsForm(forms.Form):
    """One choice per wallet with coins in it, named give_<scheme id>."""

    whose = "Your"

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._groups: dict[int, dict[str, Account]] = {}
        for held in coins_to_give(user):
            scheme = held.wallet.scheme
            groups = {str(group.pk): group for group in held.groups}
            self._groups[scheme.pk] = groups
            self.fields[f"give_{scheme.pk}"] = forms.ChoiceField(
                label=f"{self.whose} {scheme.coins(held.wallet.balance)} in {scheme.name}",
                choices=[
                    ("", BACK_TO_SCHEME),
                    *((pk, f"Give them to {group.owner}") for pk, group in groups.items()),
                ],
                required=False,
                help_text="A community group can use them, or they go back to the scheme.",
            )

    @property
    def give_fields(self) -> list[forms.BoundField]:
        return [self[f"give_{pk}"] for pk in self._groups]

    def give_to(self) -> dict[int, Account]:
        """The group chosen for each town's coins, by scheme id (none: the scheme)."""
        return {
            pk: self._groups[pk][chosen]
            for pk in self._groups
            if (chosen := self.cleaned_data.get(f"give_{pk}"))
        }


def confirm_field(whose: str) -> forms.CharField:
    return forms.CharField(
        label=f"Type {CONFIRM_WORD} to confirm",
        help_text="In capital letters. This cannot be undone.",
        error_messages={"required": f"Type {CONFIRM_WORD} to delete {whose} account."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def clean_confirm_word(value: object, whose: str) -> str:
    typed = str(value).strip()
    if typed != CONFIRM_WORD:
        raise forms.ValidationError(f"Type {CONFIRM_WORD} to delete {whose} account.")
    return typed


class DeleteForm(GiveCoinsForm):
    password = forms.CharField(
        label="Your password",
        error_messages={"required": "Enter your password. Nothing was deleted."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = confirm_field("your")

    field_order = ["password", "confirm"]

    def clean_confirm(self) -> str:
        return clean_confirm_word(self.cleaned_data["confirm"], "your")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Nothing was deleted.")
        return str(password)


class FindResidentForm(forms.Form):
    email = forms.EmailField(
        label="The resident's e-mail address",
        error_messages={
            "required": "Enter the e-mail address the resident joined with.",
            "invalid": "Enter an e-mail address, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class CouncilEraseForm(GiveCoinsForm):
    whose = "Their"
    email = forms.EmailField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="How they asked, and your reference",
        max_length=300,
        help_text="For example “E-mail of 3 December, case 1234”. Not their name, e-mail "
        "address or postcode: this record is kept after their details are gone.",
        error_messages={"required": "Say how the resident asked. Nothing was erased."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = confirm_field("their")

    field_order = ["email", "reason", "confirm"]

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        theirs = [self.user.email, self.user.display_name, self.user.postcode]
        if any(len(v) > 1 and v.lower() in reason.lower() for v in theirs if v.strip()):
            raise forms.ValidationError(
                "Leave out their name, e-mail address and postcode. Nothing was erased."
            )
        return reason

    def clean_confirm(self) -> str:
        return clean_confirm_word(self.cleaned_data["confirm"], "their")
