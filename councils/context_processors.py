"""What every page may need of the council's policy: the title of its procedure, so a
citation names the document ("Somerset Contract, Quality & Risk Management Policy, 1.13"),
never a file's number (issue 13)."""

from councils.policy import policy_of


def citing(request) -> dict:
    """Always a mapping (empty without a council or a title): a filter's argument that is
    missing would fail the page."""
    council = getattr(request, "council", None)
    if council is None or not council.active_policy_id:
        return {"cite_titles": {}}
    content = policy_of(council).content.get("council", {})
    seed, title = str(content.get("seed", "")), content.get("document", "")
    return {"cite_titles": {seed: title} if seed and title else {}}
