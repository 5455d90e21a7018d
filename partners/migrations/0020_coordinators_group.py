"""Coordinators become holders of a role rather than staff: today's staff users who are not
superusers join the Coordinators group and lose is_staff (the admin site is for administrators
only: superusers, and staff an administrator names from now on)."""

from django.conf import settings
from django.db import migrations

COORDINATORS_GROUP = "Coordinators"


def staff_to_coordinators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    group, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    staff = User.objects.filter(is_staff=True, is_superuser=False)
    group.user_set.add(*staff.values_list("pk", flat=True))
    staff.update(is_staff=False)


def coordinators_to_staff(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.filter(groups__name=COORDINATORS_GROUP).update(is_staff=True)
    Group.objects.filter(name=COORDINATORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("partners", "0019_chain_observers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(staff_to_coordinators, coordinators_to_staff)]
