from django.urls import path

from marketplace import council_views as views

app_name = "council"
urlpatterns = [
    path("groups/", views.group_queue, name="groups"),
    path("groups/<int:pk>/decision/", views.group_decision, name="group_decision"),
    path("shops/", views.shop_queue, name="shops"),
    path("shops/<int:pk>/decision/", views.shop_decision, name="shop_decision"),
]
