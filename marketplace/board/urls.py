"""The residents' pages of the board."""

from django.urls import path

from marketplace.board import campaign_views, first_shift_views, invite_views, pathway_views, views

app_name = "board"
urlpatterns = [
    path("opportunities/", views.board, name="search"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("shifts/<int:pk>/sign-up/", views.shift_signup, name="shift_signup"),
    path(
        "shifts/<int:pk>/before-you-start/",
        first_shift_views.before_first_shift,
        name="before_first_shift",
    ),
    path("opportunities/<int:pk>/invite/", invite_views.invite_new, name="invite_new"),
    path("invite/<str:token>/", invite_views.invite_page, name="invite"),
    path("shifts/<int:pk>/calendar.ics", views.shift_ics, name="shift_ics"),
    path("shifts/<int:pk>/check-in/<str:token>/", views.shift_check_in, name="check_in"),
    path("my-shifts/", views.my_shifts, name="my_shifts"),
    path("my-shifts/calendar/", views.calendar_feed, name="calendar_feed"),
    path("my-shifts/<int:pk>/claim/", views.my_hours_claim, name="my_hours_claim"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
    path("my-shifts/<int:pk>/cancel/", views.my_shift_cancel, name="my_shift_cancel"),
    path("my-searches/", views.saved_searches, name="saved_searches"),
    path("my-searches/save/", views.saved_search_save, name="saved_search_save"),
    path("my-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("what-next/", pathway_views.what_next_view, name="what_next"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/", campaign_views.campaign_detail, name="campaign"),
]
