app_name = "legislation"

urlpatterns: list = []
