from django.contrib import admin

from workforce.models import SocialWorker, Volunteer, VolunteerService


@admin.register(SocialWorker)
class SocialWorkerAdmin(admin.ModelAdmin[SocialWorker]):
    list_display = ["name", "organization", "certificate_level", "employment", "left_on"]
    list_filter = ["certificate_level", "employment"]
    search_fields = ["name", "certificate_number"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Volunteer)
class VolunteerAdmin(SocialWorkerAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organization", "registration_number"]
    list_filter = []
    search_fields = ["name"]


@admin.register(VolunteerService)
class VolunteerServiceAdmin(SocialWorkerAdmin):  # type: ignore[type-arg]
    list_display = ["date", "volunteer", "activity", "hours"]
    list_filter = []
    search_fields = ["activity"]
