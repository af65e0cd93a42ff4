"""Change requests are answered by the order leaving Submitted (fulfilled, invoiced, canceled),
as a reject answers them (returned). Requests left open on orders that had already moved on are
answered now by the state their order is in."""

from django.db import migrations, models
from django.utils import timezone

ANSWER_BY_ORDER_STATE = {
    "active": "returned",
    "fulfilled": "fulfilled",
    "invoiced": "invoiced",
    "canceled": "canceled",
}


def answer_stale_requests(apps, schema_editor):
    ChangeRequest = apps.get_model("orders", "ChangeRequest")
    for order_state, answer in ANSWER_BY_ORDER_STATE.items():
        ChangeRequest.objects.filter(state="open", order__state=order_state).update(
            state=answer, answered_on=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_delivery_and_queue_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="changerequest",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("declined", "Declined"),
                    ("returned", "Answered: order returned"),
                    ("fulfilled", "Answered: order fulfilled"),
                    ("invoiced", "Answered: order invoiced"),
                    ("canceled", "Answered: order canceled"),
                ],
                db_index=True,
                default="open",
                max_length=10,
            ),
        ),
        migrations.RunPython(answer_stale_requests, migrations.RunPython.noop, elidable=True),
    ]
