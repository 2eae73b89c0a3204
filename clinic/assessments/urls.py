from django.urls import path

from clinic.assessments import views

app_name = "assessments"
urlpatterns = [
    path("patients/<int:pk>/trends/", views.patient_trends_view, name="trends"),
    path("patients/<int:pk>/record/<slug:instrument>/", views.assessment_record, name="record"),
    path("patients/<int:pk>/assessments.csv", views.patient_export, name="export"),
]
