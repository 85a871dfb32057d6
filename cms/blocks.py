"""StreamField blocks shared by content pages."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("tip", "Tip"), ("warning", "Watch out"), ("note", "Note")], default="tip"
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"])

    class Meta:
        icon = "help"
        template = "cms/blocks/callout.html"


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False)
    items = blocks.ListBlock(blocks.CharBlock())

    class Meta:
        icon = "tasks"
        template = "cms/blocks/checklist.html"


class GuideStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", template="cms/blocks/heading.html")
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3"],
    )
    callout = CalloutBlock()
    checklist = ChecklistBlock()
    image = ImageChooserBlock(template="cms/blocks/image.html")
    quote = blocks.BlockQuoteBlock()
