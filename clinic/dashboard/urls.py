from django.urls import path

from clinic.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("patients/", views.patient_list, name="patients"),
    path("patients.csv", views.patient_list_csv, name="patients_csv"),
]
