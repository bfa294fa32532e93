from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0003_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateWindow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bucket', fields.CharField(max_length=100)),
                ('window_start', fields.BigIntField()),
                ('n', fields.BigIntField(default=0)),
            ],
            options={'table': 'rate_window', 'app': 'portal', 'unique_together': (('bucket', 'window_start'),), 'indexes': [Index(fields=['window_start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
