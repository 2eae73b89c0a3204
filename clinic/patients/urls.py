from django.urls import path

from clinic.patients import correction_views, safety_views, views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("search/", views.patient_search, name="search"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_update, name="update"),
    path("<int:pk>/summary/", views.patient_summary, name="summary"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:pk>/visits/<int:visit_pk>/edit/", views.visit_update, name="visit_update"),
    path("<int:pk>/use-reports/new/", views.use_report_create, name="use_report_create"),
    path("<int:pk>/pregnancy/new/", safety_views.pregnancy_create, name="pregnancy_create"),
    path("<int:pk>/naloxone/new/", safety_views.naloxone_create, name="naloxone_create"),
    path("<int:pk>/safety/<slug:rule>/acknowledge/", safety_views.acknowledge, name="acknowledge"),
    path(
        "<int:pk>/records/<slug:kind>/<int:record_pk>/amend/", correction_views.record_amend_view, name="record_amend"
    ),
    path(
        "<int:pk>/records/<slug:kind>/<int:record_pk>/entered-in-error/",
        correction_views.record_in_error_view,
        name="record_in_error",
    ),
    path(
        "<int:pk>/records/<slug:kind>/<int:record_pk>/history/",
        correction_views.record_history_view,
        name="record_history",
    ),
]
