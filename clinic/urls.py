from django.contrib import admin
from django.urls import include, path

from clinic.accounts import views as accounts_views
from clinic.ops import views as ops_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("", include("clinic.accounts.urls")),
    path("patients/", include("clinic.patients.urls")),
    path("assessments/", include("clinic.assessments.urls")),
    path("", include("clinic.selfreport.urls")),
    path("guidance/", include("clinic.guidance.urls")),
    path("dashboard/", include("clinic.dashboard.urls")),
    path("audit/", include("clinic.oversight.urls")),
    path("django-admin/", admin.site.urls),
    path("healthz", ops_views.healthz, name="healthz"),
]

# Pages a patient can land on by mistake carry the crisis lines (clinic/selfreport/errors.py);
# everything else gets the staff pages in templates/.
handler404 = "clinic.selfreport.errors.not_found"
handler500 = "clinic.selfreport.errors.server_error"
