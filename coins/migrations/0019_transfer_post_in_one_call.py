"""`transfer_post`'s locks, checks and writes as one database function: one round trip
instead of about nine (issue 16). The rules stay where they were: the row locks in id
order, the key looked up under them, no non-system account below zero, the entries
moving the balances by their trigger, the transfer's sum checked at commit."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION coins_transfer_post(
    p_scheme bigint, p_kind text, p_key text, p_fingerprint text, p_memo text,
    p_value_date date, p_actor bigint, p_reverses bigint, p_created timestamptz,
    p_accounts bigint[], p_amounts bigint[], p_system text[]
) RETURNS TABLE (o_outcome text, o_transfer bigint, o_account bigint, o_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
    found_id bigint;
    found_fingerprint text;
BEGIN
    -- In id order, in the locking query itself: two transfers over the same accounts
    -- queue rather than wait on each other in a circle. NO KEY UPDATE leaves the
    -- key-share locks that inserting entries takes on their accounts free.
    PERFORM 1 FROM coins_account WHERE id = ANY(p_accounts) ORDER BY id FOR NO KEY UPDATE;
    SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
        FROM coins_transfer t WHERE t.key = p_key;
    IF found_id IS NULL THEN
        SELECT a.id, a.balance INTO o_account, o_balance
            FROM coins_account a
            JOIN unnest(p_accounts, p_amounts) AS leg(id, amount) ON leg.id = a.id
            WHERE a.balance + leg.amount < 0 AND a.kind <> ALL(p_system)
            ORDER BY a.id LIMIT 1;
        IF o_account IS NOT NULL THEN
            o_outcome := 'short';
            RETURN NEXT;
            RETURN;
        END IF;
        INSERT INTO coins_transfer
            (scheme_id, kind, key, fingerprint, memo, value_date, actor_id, reverses_id, created)
            VALUES (p_scheme, p_kind, p_key, p_fingerprint, p_memo, p_value_date, p_actor,
                    p_reverses, p_created)
            ON CONFLICT (key) DO NOTHING
            RETURNING id INTO o_transfer;
        IF o_transfer IS NOT NULL THEN
            -- balance_after is the trigger's to fill in, as it moves the balance.
            INSERT INTO coins_entry (transfer_id, account_id, amount, balance_after)
                SELECT o_transfer, leg.id, leg.amount, 0
                FROM unnest(p_accounts, p_amounts) WITH ORDINALITY AS leg(id, amount, n)
                ORDER BY leg.n;
            RETURN QUERY SELECT 'posted', o_transfer, a.id, a.balance
                FROM coins_account a WHERE a.id = ANY(p_accounts);
            RETURN;
        END IF;
        -- The same key posted at this moment, over other accounts: it is theirs.
        SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
            FROM coins_transfer t WHERE t.key = p_key;
    END IF;
    o_transfer := found_id;
    o_outcome := CASE WHEN found_fingerprint = p_fingerprint THEN 'same' ELSE 'conflict' END;
    RETURN NEXT;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("coins", "0018_balances_kept_by_triggers")]

    operations = [
        migrations.RunSQL(
            FUNCTION,
            reverse_sql="DROP FUNCTION coins_transfer_post(bigint, text, text, text, text, "
            "date, bigint, bigint, timestamptz, bigint[], bigint[], text[])",
        )
    ]
