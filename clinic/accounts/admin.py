from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.accounts.models import Clinic, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "clinic", "role", "is_active", "is_superuser"]
    list_filter = ["clinic", "role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Clinic", {"fields": ("clinic", "role")}),)
