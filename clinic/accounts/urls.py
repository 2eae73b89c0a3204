from django.contrib.auth import views as auth_views
from django.urls import path

from clinic.accounts import keepalive, staff_views, views
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
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", staff_views.staff_update, name="staff_update"),
    path("staff/<int:pk>/two-factor/reset/", staff_views.staff_two_factor_reset, name="staff_two_factor_reset"),
    path("staff/<int:pk>/reset-link/", staff_views.staff_reset_link, name="staff_reset_link"),
    # Public: asking for a reset link, and the page an invitation or reset link opens.
    path("sign-in/forgot/", staff_views.password_forgot, name="password_forgot"),
    path("account/set-password/<str:token>/", staff_views.password_set, name="password_set"),
    path("staff/lockouts/", views.lockout_list, name="lockout_list"),
    path("staff/lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
]
