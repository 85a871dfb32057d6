"""Listing moderation: a "Moderators" group and a "Listing moderation" workflow.

The workflow has one group approval task, "Staff approval", for the Moderators group.
It is linked to the job board (JobIndexPage) here when the board already exists; on a
fresh database the board is created later, and jobs.listing_authoring.ensure_listing_moderation()
(called whenever a listing is submitted for review) makes the link then.
"""

from django.db import migrations

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def create_listing_moderation(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    JobIndexPage = apps.get_model("jobs", "JobIndexPage")

    group, _ = Group.objects.get_or_create(name="Moderators")
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if admin_access is not None:
        group.permissions.add(admin_access)

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name="Staff approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name="Staff approval", content_type=task_type, active=True
        )
    task.groups.add(group)

    workflow = Workflow.objects.filter(name="Listing moderation").first()
    if workflow is None:
        workflow = Workflow.objects.create(name="Listing moderation", active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    index = JobIndexPage.objects.first()
    if index is None:
        return
    if not WorkflowPage.objects.filter(page_id=index.pk).exists():
        WorkflowPage.objects.create(page_id=index.pk, workflow=workflow)
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.filter(content_type=page_type, codename=codename).first()
        if permission is not None:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=index.pk, permission=permission
            )


def remove_listing_moderation(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow.objects.filter(name="Listing moderation").delete()
    GroupApprovalTask.objects.filter(name="Staff approval").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_listing_moderation, remove_listing_moderation),
    ]
