from django.urls import path

from medreg.trace import views

app_name = "trace"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("packs/", views.pack_trace, name="pack"),
    path("batches/", views.batch_track, name="track"),
    path("batches/tree.svg", views.batch_track_svg, name="track_svg"),
    path("batches/recall/", views.batch_recall, name="recall"),
    path("alerts/", views.alert_queue, name="alerts"),
    path("alerts/<int:alert_id>/status/", views.alert_status, name="alert_status"),
    path("uploads/", views.upload, name="upload"),
    path("scans/", views.scan, name="scan"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
]
