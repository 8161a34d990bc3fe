"""Public URLs of the progress app (sign-up, profile, learner pages)."""

urlpatterns: list = []
