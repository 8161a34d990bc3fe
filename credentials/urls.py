"""Public verification pages and Open Badges documents under /credentials/."""

urlpatterns: list = []
