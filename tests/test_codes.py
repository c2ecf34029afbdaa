"""One vocabulary: every code list has a Vietnamese name for every code, and nothing else."""

from giamsat.core import codes


def test_every_code_has_a_label_and_no_label_lacks_a_code() -> None:
    pairs = [
        (codes.KINDS, codes.KIND_LABELS),
        (codes.SENTIMENTS, codes.SENTIMENT_LABELS),
        (codes.CATEGORIES, codes.CATEGORY_LABELS),
        (codes.CATEGORIES, codes.CATEGORY_TITLES),
        (codes.SEVERITIES, codes.SEVERITY_LABELS),
        (codes.SEVERITIES, codes.SEVERITY_ICONS),
        (codes.ALERT_STATUSES, codes.ALERT_STATUS_LABELS),
        (codes.ALERT_KINDS, codes.ALERT_KIND_LABELS),
        (codes.ROLES, codes.ROLE_LABELS),
        (codes.TICKET_ACTIONS, codes.TICKET_ACTION_LABELS),
    ]
    for code_list, labels in pairs:
        assert list(labels) == list(code_list)
