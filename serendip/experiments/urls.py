from django.urls import path

from . import views

urlpatterns = [
    path("experiments/", views.about, name="experiments_about"),
    path("insights/experiments.csv", views.results_csv, name="experiments_csv"),
]
