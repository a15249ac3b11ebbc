# A group's free-text ward gives way to the ward of its postcode (places), as a shop's
# did in 0013. Groups had no postcode, so the old text is matched instead: the ward of
# that name in the group's scheme, ignoring case and spaces, when exactly one has it;
# otherwise none. Going back writes the ward's name into the text.

import django.db.models.deletion
from django.db import migrations, models

NAMED = """
UPDATE marketplace_communitygroup g SET ward_id = w.id
FROM places_ward w
WHERE w.scheme_id = g.scheme_id AND lower(w.name) = lower(btrim(g.ward_text))
  AND NOT EXISTS (
    SELECT 1 FROM places_ward o
    WHERE o.scheme_id = w.scheme_id AND lower(o.name) = lower(w.name) AND o.id <> w.id
  )
"""
NAMES_BACK = """
UPDATE marketplace_communitygroup g SET ward_text = left(w.name, 80)
FROM places_ward w WHERE w.id = g.ward_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0013_wards_from_postcodes'),
        ('places', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(model_name='communitygroup', old_name='ward', new_name='ward_text'),
        migrations.AddField(
            model_name='communitygroup',
            name='postcode',
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name='communitygroup',
            name='latitude',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='communitygroup',
            name='longitude',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='communitygroup',
            name='ward',
            field=models.ForeignKey(blank=True, help_text='From the postcode.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='places.ward'),
        ),
        migrations.RunSQL(NAMED, NAMES_BACK),
        migrations.RemoveField(model_name='communitygroup', name='ward_text'),
    ]
