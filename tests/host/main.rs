//! The `Registry` API as a host application uses it: client authentication and programmatic
//! management, credential lifecycles, protected registration with initial access tokens, and
//! the events hook.

#[path = "../common/mod.rs"]
mod common;

mod churn;
mod credentials;
mod events;
mod protected;
mod registry;
