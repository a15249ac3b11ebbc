"""Residence (the scheme a resident belongs to) and SchemeAdminInvite. Where there is
one scheme, everyone already here lives in it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def everyone_in_the_one_town(apps, schema_editor):  # type: ignore[no-untyped-def]
    Scheme = apps.get_model("coins", "Scheme")
    if Scheme.objects.count() != 1:
        return  # several towns: each person is asked on their next visit
    scheme = Scheme.objects.get()
    schema_editor.execute(
        "INSERT INTO coins_residence (user_id, scheme_id, changed_at) "
        "SELECT id, %s, now() FROM accounts_user ON CONFLICT DO NOTHING",
        [scheme.pk],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coins", "0014_sponsorship_cancelled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Residence",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="residence",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("changed_at", models.DateTimeField(auto_now=True)),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="residences",
                        to="coins.scheme",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SchemeAdminInvite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254)),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "invited_by",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="admin_invites",
                        to="coins.scheme",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("accepted_at__isnull", True)),
                        fields=("scheme", "email"),
                        name="coins_scheme_admin_invite_open_once",
                    )
                ],
            },
        ),
        migrations.RunPython(everyone_in_the_one_town, migrations.RunPython.noop),
    ]
