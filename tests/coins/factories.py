from accounts.models import User
from coins.models import Account, Scheme, Transfer
from coins.services import Leg, account_for, transfer_post, wallet_for


def make_scheme(slug: str = "testford", **rules: object) -> Scheme:
    scheme, _ = Scheme.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    if rules:
        Scheme.objects.filter(pk=scheme.pk).update(**rules)
        scheme.refresh_from_db()
    return scheme


def issuance(scheme: Scheme) -> Account:
    return account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)


def give_coins(scheme: Scheme, user: User, coins: int, key: str = "") -> Transfer:
    """Mint straight into a wallet, as confirmed hours would."""
    wallet = wallet_for(scheme=scheme, user=user)
    return transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.MINT,
        key=key or f"test-mint:{wallet.pk}:{coins}:{Transfer.objects.count()}",
        legs=[Leg(issuance(scheme), -coins), Leg(wallet, coins)],
        memo="Test coins",
    )


def shop(scheme: Scheme, owner: User) -> Account:
    """A retailer's account. The ledger only needs an owner; a person stands in for the
    shop here, so these tests need nothing from the marketplace."""
    return account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=owner)
