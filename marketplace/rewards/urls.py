"""The residents' pages of the rewards."""

from django.urls import path

from marketplace.rewards import views as views

app_name = "rewards"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/code/", views.offer_code, name="offer_code"),
    path("shops/<int:pk>/pay/", views.shop_pay, name="shop_pay"),
    path("codes/<int:pk>/", views.code, name="code"),
    path("codes/<int:pk>/status.json", views.code_status, name="code_status"),
    path("codes/<int:pk>/cancel/", views.code_cancel, name="code_cancel"),
    path("mine/", views.mine, name="mine"),
]
