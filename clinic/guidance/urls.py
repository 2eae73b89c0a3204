from django.urls import path

from clinic.guidance import views

app_name = "guidance"
urlpatterns = [
    path("", views.index, name="index"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("patients/<int:patient_pk>/taper-plans/new/", views.taper_create, name="taper_create"),
    path("taper-plans/<int:pk>/", views.taper_detail, name="taper_detail"),
    path("taper-plans/<int:pk>/edit/", views.taper_update, name="taper_update"),
    path("taper-plans/<int:pk>/steps/new/", views.step_create, name="step_create"),
    path("taper-steps/<int:pk>/edit/", views.step_update, name="step_update"),
    path("taper-plans/<int:pk>/reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/done/", views.review_done, name="review_done"),
    path("reviews/<int:pk>/not-held/", views.review_undo, name="review_undo"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:pk>/edit/", views.provider_update, name="provider_update"),
    path("patients/<int:patient_pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/move/", views.referral_move, name="referral_move"),
    path("referrals/<int:pk>/correct/", views.referral_move_correct, name="referral_move_correct"),
]
