"""Recompute the ledger from its entries and check every invariant.

Each query returns the rows that break one rule, so a healthy ledger costs a few
scans and an unhealthy one names exactly what is wrong."""

from django.db import connection

CHECKS = [
    (
        "account {0} ({1}): cached balance {2} but its entries add up to {3}",
        """
        SELECT a.id, a.kind, a.balance, COALESCE(SUM(e.amount), 0) AS total
        FROM coins_account a LEFT JOIN coins_entry e ON e.account_id = a.id
        GROUP BY a.id HAVING a.balance <> COALESCE(SUM(e.amount), 0)
        """,
    ),
    (
        "account {0}: entry {1} says the balance after was {2} but the entries up to it "
        "add up to {3}",
        """
        SELECT account_id, id, balance_after, running FROM (
            SELECT account_id, id, balance_after,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM coins_entry
        ) r WHERE running <> balance_after
        """,
    ),
    (
        "account {0} ({1}) is not a system account but went below zero ({2}) at entry {3}",
        """
        SELECT a.id, a.kind, e.balance_after, e.id FROM coins_entry e
        JOIN coins_account a ON a.id = e.account_id
        WHERE a.kind NOT IN ('issuance', 'expiry', 'clearing', 'retired', 'paid_out')
          AND e.balance_after < 0
        """,
    ),
    (
        "transfer {0} does not balance in {1}: its entries add up to {2}",
        """
        SELECT e.transfer_id, a.currency, SUM(e.amount) FROM coins_entry e
        JOIN coins_account a ON a.id = e.account_id
        GROUP BY e.transfer_id, a.currency HAVING SUM(e.amount) <> 0
        """,
    ),
    (
        "transfer {0} has {1} entries; every transfer needs at least two",
        """
        SELECT t.id, COUNT(e.id) FROM coins_transfer t
        LEFT JOIN coins_entry e ON e.transfer_id = t.id
        GROUP BY t.id HAVING COUNT(e.id) < 2
        """,
    ),
    (
        "transfer {0} moves account {1}, which belongs to another scheme",
        """
        SELECT t.id, a.id FROM coins_transfer t
        JOIN coins_entry e ON e.transfer_id = t.id JOIN coins_account a ON a.id = e.account_id
        WHERE a.scheme_id <> t.scheme_id
        """,
    ),
    (
        "reversal {0} does not mirror transfer {1} on account {2}",
        """
        SELECT r.id, r.reverses_id, m.account_id FROM coins_transfer r
        JOIN coins_entry m ON m.transfer_id = r.id
        LEFT JOIN coins_entry o ON o.transfer_id = r.reverses_id AND o.account_id = m.account_id
        WHERE r.reverses_id IS NOT NULL AND (o.id IS NULL OR o.amount <> -m.amount)
        """,
    ),
    (
        "reversal {0} has {1} entries but transfer {2} has {3}",
        """
        SELECT r.id, (SELECT COUNT(*) FROM coins_entry WHERE transfer_id = r.id),
               r.reverses_id, (SELECT COUNT(*) FROM coins_entry WHERE transfer_id = r.reverses_id)
        FROM coins_transfer r WHERE r.reverses_id IS NOT NULL
          AND (SELECT COUNT(*) FROM coins_entry WHERE transfer_id = r.id)
           <> (SELECT COUNT(*) FROM coins_entry WHERE transfer_id = r.reverses_id)
        """,
    ),
    # Gifts held for an address (coins/gifts.py): a giver's held-gifts account holds
    # exactly the gifts still waiting, and each gift settled once, by its own amount.
    (
        "held-gifts account {0} holds {1} coins but its giver's waiting gifts add up to {2}",
        """
        SELECT a.id, a.balance, COALESCE(SUM(g.amount), 0) FROM coins_account a
        LEFT JOIN coins_pendinggift g ON g.scheme_id = a.scheme_id
          AND g.sender_id = a.owner_id AND g.state = 'held'
        WHERE a.kind = 'held'
        GROUP BY a.id HAVING a.balance <> COALESCE(SUM(g.amount), 0)
        """,
    ),
    (
        "pending gift {0} of {1} coins: its transfer {2} moves {3} out of held gifts",
        """
        SELECT g.id, g.amount, t.id, COALESCE(-SUM(e.amount), 0) FROM coins_pendinggift g
        JOIN coins_transfer t ON t.id = g.settled_id
        LEFT JOIN coins_entry e ON e.transfer_id = t.id AND e.amount < 0
        GROUP BY g.id, t.id HAVING COALESCE(-SUM(e.amount), 0) <> g.amount
        """,
    ),
    # Settling retailers (coins/settlement.py): the record and its two transfers agree.
    (
        "settlement {0}: its retire transfer {1} takes {2} coins from the retailer, "
        "not the {3} it records",
        """
        SELECT s.id, s.retire_id, COALESCE(-SUM(e.amount), 0), s.coins FROM coins_settlement s
        JOIN coins_account r ON r.id = s.retailer_account_id
        LEFT JOIN coins_entry e ON e.transfer_id = s.retire_id AND e.amount < 0
            AND e.account_id IN (
                SELECT p.id FROM coins_account p WHERE p.scheme_id = r.scheme_id
                AND p.kind = r.kind AND p.currency = r.currency
                AND p.owner_type_id = r.owner_type_id AND p.owner_id = r.owner_id
            )
        GROUP BY s.id HAVING COALESCE(-SUM(e.amount), 0) <> s.coins
        """,
    ),
    (
        "settlement {0}: its payable transfer {1} owes {2} pence, not the {3} it records",
        """
        SELECT s.id, s.payable_id, COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0),
               s.pence
        FROM coins_settlement s LEFT JOIN coins_entry e ON e.transfer_id = s.payable_id
        GROUP BY s.id HAVING COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0) <> s.pence
        """,
    ),
    (
        "payout {0} is marked paid but its transfer {1} pays {2} pence, not {3}",
        """
        SELECT p.id, p.transfer_id, COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0),
               p.pence
        FROM coins_payout p LEFT JOIN coins_entry e ON e.transfer_id = p.transfer_id
        WHERE p.status = 'paid'
        GROUP BY p.id HAVING COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0) <> p.pence
        """,
    ),
]


def ledger_problems() -> list[str]:
    """Every broken invariant, one line each, naming the accounts and transfers."""
    problems: list[str] = []
    with connection.cursor() as cursor:
        for message, sql in CHECKS:
            cursor.execute(sql)
            problems += [message.format(*row) for row in cursor.fetchall()]
    return problems
