//! Open connections per user, across this process (`EVENTS__MAX_CONNECTIONS_PER_USER`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Sockets {
    per_user: Mutex<HashMap<i32, usize>>,
}

/// One counted connection; uncounted when dropped.
pub struct Slot {
    sockets: Arc<Sockets>,
    user_id: i32,
}

impl Sockets {
    /// A slot for one more connection of `user_id`, unless it has `max` open already.
    pub fn open(self: &Arc<Self>, user_id: i32, max: usize) -> Option<Slot> {
        let mut per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
        let open = per_user.entry(user_id).or_default();
        if *open >= max {
            return None;
        }
        *open += 1;
        Some(Slot {
            sockets: self.clone(),
            user_id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_user = self
            .sockets
            .per_user
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(open) = per_user.get_mut(&self.user_id) {
            *open -= 1;
            if *open == 0 {
                per_user.remove(&self.user_id);
            }
        }
    }
}
