# A shop's free-text ward gives way to the ward of its postcode (places), as an
# opportunity's does; both are filled from the postcode table as it is now.

import django.db.models.deletion
from django.db import migrations, models

PLACE = """
UPDATE marketplace_{table} t SET ward_id = p.ward_id
FROM places_postcode p WHERE p.postcode = t.postcode AND t.ward_id IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0012_opportunity_upcoming_start'),
        ('places', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='opportunity',
            name='ward',
            field=models.ForeignKey(blank=True, help_text='From the postcode.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='places.ward'),
        ),
        migrations.RemoveField(model_name='retailer', name='ward'),
        migrations.AddField(
            model_name='retailer',
            name='ward',
            field=models.ForeignKey(blank=True, help_text='From the postcode.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='places.ward'),
        ),
        migrations.RunSQL(PLACE.format(table="opportunity"), migrations.RunSQL.noop),
        migrations.RunSQL(PLACE.format(table="retailer"), migrations.RunSQL.noop),
    ]
