from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0004_rate_windows')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='WebhookDelivery',
            name=None,
            fields=['endpoint_id', 'worker_id', 'event_id'],
        ),
        ops.RemoveIndex(
            model_name='WebhookDelivery',
            name=None,
            fields=['status', 'next_attempt_at'],
        ),
        ops.AddField(
            model_name='WebhookDelivery',
            name='due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='WebhookDelivery',
            index=Index(fields=['endpoint_id', 'worker_id', 'status', 'event_id']),
        ),
        ops.AddIndex(
            model_name='WebhookDelivery',
            index=Index(fields=['due_at', 'id']),
        ),
        ops.AddIndex(
            model_name='WebhookDelivery',
            index=Index(fields=['endpoint_id', 'locked_until']),
        ),
    ]
