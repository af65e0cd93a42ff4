"""Watching the history: every header and line a write changed has a new history row equal to
the stored row, by the acting user (and every row it deleted has a deletion row)."""

from orders.models import DOCUMENT_MODELS, LINE_MODELS

TRACKED_MODELS = [*DOCUMENT_MODELS.values(), *LINE_MODELS.values()]


def _names(model) -> list[str]:
    """The columns history keeps (a copy such as the account's name on a document is not)."""
    kept = {field.attname for field in model.history.model._meta.concrete_fields}
    return [field.attname for field in model._meta.concrete_fields if field.attname in kept]


def _rows(model) -> dict:
    return {row["id"]: row for row in model.objects.values(*_names(model))}


def _last_history_id(model) -> int:
    last = model.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return last or 0


class HistoryWatch:
    """``watch = HistoryWatch()`` before a write; after it, ``watch.check(actor)`` gives the
    rows it changed and what is wrong with their history."""

    def __init__(self):
        self.before = {model: _rows(model) for model in TRACKED_MODELS}
        self.marks = {model: _last_history_id(model) for model in TRACKED_MODELS}

    def check(self, actor) -> tuple[dict, list[str]]:
        """({model: [pk, …]} of the rows created, changed or deleted, [problem, …])."""
        changed, problems = {}, []
        for model in TRACKED_MODELS:
            now = _rows(model)
            before = self.before[model]
            pks = [pk for pk, row in now.items() if before.get(pk) != row]
            pks += [pk for pk in before if pk not in now]
            if pks:
                changed[model] = sorted(pks)
                problems += self._problems(model, changed[model], now, actor)
        return changed, problems

    def _problems(self, model, pks, now, actor) -> list[str]:
        problems = []
        names = _names(model)
        for pk in pks:
            label = f"{model.__name__} {pk}"
            record = (
                model.history.filter(id=pk, history_id__gt=self.marks[model])
                .order_by("-history_id")
                .first()
            )
            if record is None:
                problems.append(f"{label}: changed, no new history row")
                continue
            if record.history_user_id != getattr(actor, "pk", None):
                problems.append(f"{label}: history by {record.history_user_id}, not {actor}")
            if pk not in now:
                if record.history_type != "-":
                    problems.append(f"{label}: deleted, last history is {record.history_type}")
                continue
            differing = [name for name in names if getattr(record, name) != now[pk][name]]
            if differing:
                problems.append(f"{label}: history differs from the row in {differing}")
        return problems
