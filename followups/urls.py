from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<id:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<id:pk>/done/", views.task_done, name="task_done"),
    path("tasks/<id:pk>/undo/", views.task_undo, name="task_undo"),
]
