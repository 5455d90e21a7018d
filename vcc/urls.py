from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from followups import views as followup_views

urlpatterns = [
    path("", followup_views.home, name="home"),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("partners.urls")),
    path("", include("matchmaking.urls")),
    path("", include("imports.urls")),
    path("", include("outcomes.urls")),
    path("", include("convenings.urls")),
    path("", include("capture.urls")),
    path("", include("intake.urls")),
    path("", include("followups.urls")),
    path("", include("privacy.urls")),
    # The outbox keeps the /followups/ addresses its emails' opt-out links already carry.
    path("followups/", include("outbox.urls")),
    # The admin signs in through vcc's own sign-in, which asks for the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]
