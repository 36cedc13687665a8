//! The HTTP surface: `RegistrationLayer` driven as a client would, through Tower and over real
//! sockets. Registration (RFC 7591) and management (RFC 7592) requests and responses, resource
//! bounds, the OpenAPI contract, and the example servers end to end.

#[path = "../common/mod.rs"]
mod common;

mod axum_app;
mod bounds;
mod client_address;
mod example_dereferenced_uris;
mod example_rate_limits;
mod integration_http;
mod integration_tower;
mod management;
mod openapi;
mod rate_limits;
mod registration;
mod registration_flood;
mod seed_walkthrough;
mod slowloris;
