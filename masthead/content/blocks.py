"""The blocks an article body is made of; a page break splits the article into web pages."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# The names of the body's block types, as stored in the StreamField and read by every other app
# (the narration script, the editions, the demo, the importer): one place knows them.
PARAGRAPH, HEADING, IMAGE, PULL_QUOTE, PAGE_BREAK = "paragraph", "heading", "image", "pull_quote", "page_break"


class CreditedImageBlock(blocks.StructBlock):
    """An inline image: alt text and credit come from the image itself, the caption from here."""

    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "content/blocks/image.html"


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "content/blocks/pull_quote.html"


class PageBreakBlock(blocks.StaticBlock):
    class Meta:
        icon = "horizontalrule"
        admin_text = "Page break: the article continues on the next web page."
        label = "Page break"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link"], template="content/blocks/paragraph.html")
    heading = blocks.CharBlock(max_length=200, template="content/blocks/heading.html", icon="title")
    image = CreditedImageBlock()
    pull_quote = PullQuoteBlock()
    page_break = PageBreakBlock()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert set(self.child_blocks) == {PARAGRAPH, HEADING, IMAGE, PULL_QUOTE, PAGE_BREAK}, "names drifted"
