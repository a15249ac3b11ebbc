"""Writes on the board and the hours it earns; see each module."""

from marketplace.services.board import (
    DBS_CURRENT_FOR,
    ShiftPlan,
    calendar_feed_renew,
    calendar_feed_revoke,
    dbs_record,
    group_decide,
    group_register,
    opportunities_roll,
    opportunity_save,
    photo_thumbnails_make,
    shift_message_email_send,
    shift_message_send,
    signup_cancel,
    signup_check_in_self,
    signup_create,
)
from marketplace.services.common import NotAllowed, SignupRefused
from marketplace.services.hours import (
    HoursConfirmResult,
    hours_claim,
    hours_confirm,
    hours_correct,
    hours_reject,
    signup_mark_attendance,
)

__all__ = [
    "DBS_CURRENT_FOR",
    "HoursConfirmResult",
    "NotAllowed",
    "ShiftPlan",
    "SignupRefused",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "dbs_record",
    "group_decide",
    "group_register",
    "hours_claim",
    "hours_confirm",
    "hours_correct",
    "hours_reject",
    "opportunities_roll",
    "opportunity_save",
    "photo_thumbnails_make",
    "shift_message_email_send",
    "shift_message_send",
    "signup_cancel",
    "signup_check_in_self",
    "signup_create",
    "signup_mark_attendance",
]
