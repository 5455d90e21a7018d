from django.contrib import admin
from django.urls import include, path

from followups import views as followup_views

urlpatterns = [
    path("", followup_views.home, name="home"),
    path("accounts/", include("partners.account_urls")),
    path("", include("partners.urls")),
    path("", include("matchmaking.urls")),
    path("", include("imports.urls")),
    path("", include("outcomes.urls")),
    path("", include("convenings.urls")),
    path("", include("followups.urls")),
    # The outbox keeps the /followups/ addresses its emails' opt-out links already carry.
    path("followups/", include("outbox.urls")),
    path("admin/", admin.site.urls),
]
