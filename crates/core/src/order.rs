//! Report orders placed with external workers.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};

/// An order's lifecycle; each step sends an email.
/// created → approved (admin approves and pays) → in_progress (worker accepts)
/// → completed (report delivered). Cancelled from created or approved
/// (a paid order is refunded); a worker may decline, which also cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Created,
    Approved,
    InProgress,
    Completed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Created,
        OrderStatus::Approved,
        OrderStatus::InProgress,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Approved => "approved",
            OrderStatus::InProgress => "in_progress",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| Invalid::new("status", format!("{raw:?} is not an order status")))
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Created, Approved | Cancelled)
                | (Approved, InProgress | Cancelled)
                | (InProgress, Completed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        use OrderStatus::*;
        assert!(Created.can_become(Approved));
        assert!(Approved.can_become(InProgress));
        assert!(InProgress.can_become(Completed));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Created.can_become(Completed));
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Ok(s));
        }
    }
}
