"""Art for land's pages, under `/art/`. The public ones name their community by its slug
(`c/<slug>/...`); `nft/<slug>/<token id>` is the edition contract's base URI (`chainwork.base_uri`)
followed by the token id, so its shape must not change."""

from django.urls import path

from mutua.art import views

urlpatterns = [
    path("c/<slug:slug>/", views.gallery, name="art-gallery"),
    path("c/<slug:slug>/works/<uuid:artwork_id>/", views.artwork_page, name="art-artwork"),
    path("c/<slug:slug>/artists/<uuid:member_id>/", views.artist_page, name="art-artist"),
    path("c/<slug:slug>/trusts/<uuid:trust_id>/", views.trust_page, name="art-trust"),
    path("photos/<uuid:photo_id>/", views.photo, name="art-photo"),
    path("nft/<slug:slug>/<int:token_id>", views.token_metadata, name="art-nft"),
    path("legal/", views.legal, name="art-legal"),
    path("studio/", views.studio, name="art-studio"),
    path("mine/", views.mine, name="art-mine"),
    path("trust/<uuid:trust_id>/manage/", views.trust_manage, name="art-trust-manage"),
    path("sales/", views.sales_page, name="art-sales"),
]
