"""The operator's admin of experiments: create one, set its period and hold-out share; arms and
results are read-only (arms are written once, results by `serendip stats --refresh`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from serendip.admin import ReadOnlyAdmin
from serendip.errors import ServiceError

from . import services
from .models import Assignment, Experiment, ExperimentResult

FIELDS = ["name", "description", "holdout_share", "starts_on", "ends_on", "min_others_present"]


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # Fields shown read-only (arms already drawn) are not in the form: take the stored ones.
        value = {f: data[f] if f in data else getattr(self.instance, f) for f in FIELDS}
        try:
            services.check_experiment(
                name=value["name"],
                holdout_share=value["holdout_share"],
                starts_on=value["starts_on"],
                ends_on=value["ends_on"],
                min_others_present=value["min_others_present"],
                experiment=self.instance if self.instance.pk else None,
            )
        except ServiceError as exc:
            raise ValidationError(exc.detail) from exc
        return data


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    form = ExperimentForm
    list_display = ["name", "starts_on", "ends_on", "holdout_share", "min_others_present"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.assignments.exists():
            return ["name", "holdout_share", "starts_on"]  # arms are already drawn with these
        return []

    def save_model(self, request, obj, form, change):
        data = {f: getattr(obj, f) for f in FIELDS}
        if change:
            services.experiment_update(experiment=obj, **data)
        else:
            saved = services.experiment_create(**data)
            obj.pk = saved.pk


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["experiment", "member", "arm", "created_at"]
    list_filter = ["experiment", "arm"]
    raw_id_fields = ["member"]


@admin.register(ExperimentResult)
class ExperimentResultAdmin(ReadOnlyAdmin):
    list_display = ["experiment", "through", "computed_at"]
