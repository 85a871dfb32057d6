"""The ten work categories of the field: the facets of listings, profiles and projects."""

from django.db import models


class Category(models.TextChoices):
    IMAGE_ANNOTATION = "image-annotation", "Image annotation"
    TEXT_ANNOTATION = "text-annotation", "Text annotation"
    AUDIO_ANNOTATION = "audio-annotation", "Audio annotation & transcription"
    TEXT_MODERATION = "text-moderation", "Text moderation"
    IMAGE_VIDEO_MODERATION = "image-video-moderation", "Image & video moderation"
    SOCIAL_MEDIA_MODERATION = "social-media-moderation", "Social media moderation"
    SEARCH_EVALUATION = "search-evaluation", "Search engine evaluation"
    SOCIAL_MEDIA_EVALUATION = "social-media-evaluation", "Social media evaluation"
    SUPPORT_ESCALATION = "support-escalation", "Customer support escalation"
    AI_RESPONSE_REVIEW = "ai-response-review", "AI response review"


CATEGORY_GROUPS = {
    "Annotation": [Category.IMAGE_ANNOTATION, Category.TEXT_ANNOTATION, Category.AUDIO_ANNOTATION],
    "Moderation": [
        Category.TEXT_MODERATION,
        Category.IMAGE_VIDEO_MODERATION,
        Category.SOCIAL_MEDIA_MODERATION,
    ],
    "Evaluation": [Category.SEARCH_EVALUATION, Category.SOCIAL_MEDIA_EVALUATION],
    "Support & AI review": [Category.SUPPORT_ESCALATION, Category.AI_RESPONSE_REVIEW],
}
