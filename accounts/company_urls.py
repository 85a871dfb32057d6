app_name = "company"

urlpatterns = []
