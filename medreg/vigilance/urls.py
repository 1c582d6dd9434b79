from django.urls import path

from medreg.vigilance import views, views_imports, views_meddra, views_signal_flow, views_signals, views_variants

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
    path("imports/", views_imports.import_jobs, name="import_jobs"),
    path("imports/<int:job_id>/", views_imports.import_job, name="import_job"),
    path("imports/<int:job_id>/progress/", views_imports.import_job_progress, name="import_job_progress"),
    path(
        "imports/<int:job_id>/acknowledgement/",
        views_imports.import_job_acknowledgement,
        name="import_job_acknowledgement",
    ),
    path("duplicates/", views.duplicate_queue, name="duplicates"),
    path("duplicates/detect/", views.duplicate_detect, name="duplicate_detect"),
    path("duplicates/<int:candidate_id>/decision/", views.duplicate_decide, name="duplicate_decide"),
    path("variants/report/done/", views_variants.report_done, name="variant_done"),
    path("variants/report/<str:family>/<str:channel>/", views_variants.report_form, name="variant_report"),
    path("variants/upload/<str:family>/", views_variants.upload, name="variant_upload"),
    path("variants/cases/<int:case_id>/match/", views_variants.review_match, name="variant_match"),
    path("signals/", views_signals.signal_table, name="signal_table"),
    path("signals/<int:signal_id>/", views_signals.signal_detail, name="signal"),
    path("signals/<int:signal_id>/steps/<str:action>/", views_signal_flow.signal_step, name="signal_step"),
    path("signals/queue/", views_signal_flow.signal_queue, name="signal_queue"),
    path("signals/thresholds/", views_signal_flow.signal_thresholds, name="signal_thresholds"),
    path("signals/runs/", views_signals.signal_runs, name="signal_runs"),
    path("signals/runs/<int:run_id>/", views_signals.signal_run, name="signal_run"),
    path("signals/runs/<int:run_id>/progress/", views_signals.signal_run_progress, name="signal_run_progress"),
    path("meddra/", views_meddra.releases, name="meddra_releases"),
    path("meddra/upload/", views_meddra.upload, name="meddra_upload"),
    path("meddra/<int:release_id>/activate/", views_meddra.activate, name="meddra_activate"),
    path("meddra/diff/", views_meddra.diff, name="meddra_diff"),
]
