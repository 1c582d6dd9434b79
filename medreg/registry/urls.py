from django.urls import path

from medreg.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise"),
    path("drugs/<str:approval_number>/", views.drug_detail, name="drug"),
    path("devices/<str:number>/", views.device_detail, name="device"),
    path("cosmetics/<str:number>/", views.cosmetic_detail, name="cosmetic"),
]
