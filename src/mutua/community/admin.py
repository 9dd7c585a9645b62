from django.contrib import admin

from mutua.community.models import Community, Household, Member, Membership, Organization


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency_code"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community"]
    list_filter = ["kind", "community"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["handle", "display_name", "community", "is_active"]
    list_filter = ["community", "is_active"]
    search_fields = ["handle", "display_name"]
    exclude = ["password"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "size", "community"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "role", "organization"]
    list_filter = ["role"]
