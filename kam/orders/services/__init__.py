"""Writes of the orders app (OR-1, OR-3, OR-4; CR-3 at each stage): the KAM's draft and
submission, the head's approvals, credit control's overrides, sales support's processing."""

from kam.orders.services._common import StaleOrder
from kam.orders.services.drafting import (
    discount_approve,
    discount_reject,
    draft_add,
    order_cancel,
    order_copy,
    order_create,
    order_line_add,
    order_line_remove,
    order_line_update,
    order_override,
    order_submit,
    order_update,
)
from kam.orders.services.fulfilment import (
    order_confirm,
    order_deliver,
    order_enter,
    order_refuse,
    order_return,
    order_ship,
    shipment_invoice,
)
from kam.orders.services.preferences import notice_preference_set

__all__ = [
    "StaleOrder",
    "discount_approve",
    "discount_reject",
    "draft_add",
    "notice_preference_set",
    "order_cancel",
    "order_confirm",
    "order_copy",
    "order_create",
    "order_deliver",
    "order_enter",
    "order_line_add",
    "order_line_remove",
    "order_line_update",
    "order_override",
    "order_refuse",
    "order_return",
    "order_ship",
    "order_submit",
    "order_update",
    "shipment_invoice",
]
