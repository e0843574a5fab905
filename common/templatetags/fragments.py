"""``{% fragment "name" key… %}…{% endfragment %}``: the enclosed template, cached
under the versions of what it shows (common.caching; what each name shows is declared
in ``common.caching.FRAGMENTS``). The key must hold everything else the fragment
shows that varies: objects, page numbers, the user when it is personal (the reader's
drafts are added by the declaration, not the key). Querysets in the context stay
unevaluated when the fragment comes from the cache."""

from django import template

from common.caching import cached_fragment

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, key):
        self.nodelist = nodelist
        self.name = name
        self.key = key

    def render(self, context):
        request = context.get("request")
        if request is None:  # rendered outside a request: nothing to key it by
            return self.nodelist.render(context)
        key = tuple(part.resolve(context) for part in self.key)
        return cached_fragment(request, self.name, key, lambda: self.nodelist.render(context))


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' needs a name in quotes and optional key parts."
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
