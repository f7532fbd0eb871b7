"""What classes add to pages other apps own: "Assigned to you" on the home page."""

from django import template

from ..assigned import assigned_to

register = template.Library()


@register.inclusion_tag("classrooms/_assigned.html", takes_context=True)
def assigned_to_you(context):
    user = context["request"].user
    items = assigned_to(user) if user.is_authenticated else []
    return {"items": items, "user": user}
