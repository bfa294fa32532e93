from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.webhooks import DeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0002_key_connections_reset')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('portal.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2000)),
                ('description', fields.CharField(default='', max_length=500)),
                ('event_types', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('filter_worker_id', fields.BigIntField(null=True)),
                ('secret_sealed', fields.CharField(max_length=500)),
                ('previous_secret_sealed', fields.CharField(null=True, max_length=500)),
                ('previous_secret_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_reason', fields.CharField(null=True, max_length=300)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('circuit_open_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('circuit_opens', fields.IntField(default=0)),
                ('cursor', fields.BigIntField(default=0)),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(max_length=200)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'portal', 'indexes': [Index(fields=['partner_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A receiver URL registered by a partner admin, with its signing secret and health.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('endpoint', fields.ForeignKeyField('portal.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('partner_id', fields.IntField()),
                ('event', fields.ForeignKeyField('portal.WorkerEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='webhook_deliveries', on_delete=OnDelete.CASCADE)),
                ('worker_id', fields.BigIntField()),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nRETRYING: RETRYING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_by', fields.CharField(null=True, max_length=64)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_latency_ms', fields.IntField(null=True)),
                ('last_error', fields.CharField(null=True, max_length=300)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'portal', 'unique_together': (('endpoint_id', 'event_id'),), 'indexes': [Index(fields=['endpoint_id', 'worker_id', 'event_id']), Index(fields=['status', 'next_attempt_at']), Index(fields=['partner_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One event for one endpoint: sent until the receiver accepts it or it is given up.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('portal.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempt_rows', on_delete=OnDelete.CASCADE)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status_code', fields.IntField(null=True)),
                ('latency_ms', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=300)),
            ],
            options={'table': 'webhook_attempt', 'app': 'portal', 'indexes': [Index(fields=['delivery_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One HTTP attempt of a delivery: when, the answer, how long it took, what failed.'},
            bases=['Model'],
        ),
    ]
