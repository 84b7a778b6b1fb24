"""Background work of members' rights: preparing a long history's export (run by `serendip worker`)."""

from django.utils import timezone
from django_tasks import task

from .export import export_build
from .models import DataExport


@task()
def export_prepare(export_id: int) -> None:
    """Build the ZIP of a requested export and keep it with the request."""
    export = DataExport.objects.select_related("member__user").filter(pk=export_id, finished_at=None).first()
    if export is None:  # done already, or removed (the member was erased meanwhile)
        return
    try:
        data = export_build(export.member)
    except Exception:
        DataExport.objects.filter(pk=export_id).update(failed=True, finished_at=timezone.now())
        raise
    DataExport.objects.filter(pk=export_id).update(data=data, finished_at=timezone.now())
