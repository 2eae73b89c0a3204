from django.contrib.auth import views as auth_views
from django.urls import path

from clinic.accounts import keepalive, views
from clinic.accounts.forms import SignInForm

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-in/code/", views.two_factor_verify, name="two_factor_verify"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/keep-alive/", keepalive.keep_alive, name="keep_alive"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/", views.two_factor_enrol, name="two_factor_enrol"),
    path("account/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_update, name="staff_update"),
    path("staff/<int:pk>/two-factor/reset/", views.staff_two_factor_reset, name="staff_two_factor_reset"),
    path("staff/lockouts/", views.lockout_list, name="lockout_list"),
    path("staff/lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
]
