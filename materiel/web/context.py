from materiel.accounts.scoping import allowed


def navigation(request):
    """What the menu offers this user (pages check again on their own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_manage_users": allowed(user, "users.manage"),
        # The receipt and lot forms (web.receipts) are offered to roles that may record / transfer.
        "can_receive": allowed(user, "ledger.record"),
        "can_hand_over": allowed(user, "ledger.transfer"),
    }
