from django.urls import path

from mutua.community import views

urlpatterns = [
    path("members/", views.member_list, name="member-list"),
    path("members/<str:handle>/", views.member_detail, name="member-detail"),
    path(
        "memberships/<uuid:membership_id>/revoke/",
        views.membership_revoke,
        name="membership-revoke",
    ),
    path("households/new/", views.household_create, name="household-create"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("households/", views.household_list, name="household-list"),
    path("households/<uuid:household_id>/", views.household_detail, name="household-detail"),
    path(
        "households/<uuid:household_id>/needs/",
        views.household_needs_edit,
        name="household-needs-edit",
    ),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("join-requests/", views.join_request_list, name="join-request-list"),
    path(
        "join-requests/<uuid:join_request_id>/decide/",
        views.join_request_decide,
        name="join-request-decide",
    ),
    path("audit/", views.audit_list, name="audit-list"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<uuid:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
