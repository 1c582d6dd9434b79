from django.urls import path

from medreg.vigilance import views, views_meddra

app_name = "vigilance"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/identifiers/", views.reveal, name="reveal"),
    path("cases/<int:case_id>/drugs/<int:drug_id>/match/", views.review_match, name="match"),
    path("report/done/", views.report_done, name="report_done"),
    path("report/<str:channel>/", views.report_form, name="report"),
    path("products/<str:approval_number>/", views.product, name="product"),
    path("upload/", views.upload, name="upload"),
    path("duplicates/", views.duplicate_queue, name="duplicates"),
    path("duplicates/detect/", views.duplicate_detect, name="duplicate_detect"),
    path("duplicates/<int:candidate_id>/decision/", views.duplicate_decide, name="duplicate_decide"),
    path("meddra/", views_meddra.releases, name="meddra_releases"),
    path("meddra/upload/", views_meddra.upload, name="meddra_upload"),
    path("meddra/<int:release_id>/activate/", views_meddra.activate, name="meddra_activate"),
    path("meddra/diff/", views_meddra.diff, name="meddra_diff"),
]
