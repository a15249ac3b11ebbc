# A sponsor can cancel a payment they left unfinished, and one left for a day is cancelled.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coins", "0013_coin_name_plural"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sponsorship",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for the payment"),
                    ("paid", "Paid"),
                    ("refunded", "Refunded"),
                    ("failed", "Payment failed"),
                    ("cancelled", "Cancelled"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="sponsorship",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "cancelled"), _negated=True)
                | models.Q(("transfer__isnull", True)),
                name="coins_sponsorship_cancelled_uncredited",
            ),
        ),
    ]
