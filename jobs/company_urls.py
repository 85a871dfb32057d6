app_name = "company_jobs"

urlpatterns = []
