//! The MCP server at `/mcp` (feature `mcp`): a few tools over the Streamable HTTP transport of
//! rmcp, the official Rust SDK. `app/resource.rs` lets only requests with a valid access token
//! through; each request carries its token's grant, which `whoami` reads.

use std::sync::Arc;

use axum::Router;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

use crate::app::tokens::AccessGrant;

/// The MCP endpoint, for `app::Options::resource`. `issuer` names the host that requests
/// must be addressed to.
pub fn router(issuer: &str) -> Router {
    // rmcp checks the Host header against this list, against DNS rebinding: a page on another
    // site must not reach a server on the user's machine through a name that resolves to
    // 127.0.0.1. Loopback (rmcp's default) and the issuer's host.
    let mut hosts = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if let Some(host) = url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    {
        hosts.push(host);
    }
    let config = StreamableHttpServerConfig::default().with_allowed_hosts(hosts);
    // One `Tools` per MCP session; sessions live in memory.
    let service = StreamableHttpService::new(
        || Ok(Tools::new()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new().fallback_service(service)
}

/// The tools.
#[derive(Clone)]
struct Tools {
    tool_router: ToolRouter<Self>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct AddRequest {
    /// The first number.
    a: f64,
    /// The second number.
    b: f64,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct EchoRequest {
    /// The text to send back.
    text: String,
}

#[tool_router]
impl Tools {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add two numbers")]
    fn add(&self, Parameters(AddRequest { a, b }): Parameters<AddRequest>) -> String {
        (a + b).to_string()
    }

    #[tool(description = "Send the text back")]
    fn echo(&self, Parameters(EchoRequest { text }): Parameters<EchoRequest>) -> String {
        text
    }

    #[tool(description = "The OAuth client (and user) the access token of this call was issued to")]
    fn whoami(&self, Extension(parts): Extension<http::request::Parts>) -> String {
        // Put there by the token check of app/resource.rs, which every request passes.
        match parts.extensions.get::<AccessGrant>() {
            Some(grant) => serde_json::json!({
                "client_id": grant.client_id,
                "user": grant.user,
                "scope": grant.scope,
            })
            .to_string(),
            None => "unauthenticated".to_owned(),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("axum_app", env!("CARGO_PKG_VERSION")))
            .with_instructions("Example tools behind OAuth: add, echo, whoami.")
    }
}
