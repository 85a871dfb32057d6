app_name = "jobs_work"

urlpatterns = []
