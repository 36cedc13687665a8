//! Registration rate limits across two replicas over one database: the limits' state is in the
//! store, so requests racing through both replicas are admitted no more than the limit allows
//! for them together.

use http::StatusCode;
use serde_json::json;
use tower_oidc_registration::rate_limit::{Rate, RateLimit};

use super::{Replica, WRITERS_PER_REPLICA, http_client, schema};

/// REG-4: open registration may be rate-limited or otherwise limited.
///
/// An overall limit of 5 an hour holds for two replicas together: of the registrations racing
/// through both, 5 are stored and the rest get 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_overall_limit_holds_for_both_replicas_together() {
    const ADMITTED: usize = 5;
    let Some(schema) = schema("rate_limit_overall").await else {
        return;
    };
    let limited = |b: tower_oidc_registration::RegistrationConfigBuilder| {
        b.registration_rate_limit(Some(RateLimit::overall_only(Rate::per_hour(5))))
    };
    let a = Replica::start_with(&schema, limited).await;
    let b = Replica::start_with(&schema, limited).await;
    let http = http_client();
    let attempts: Vec<_> = (0..WRITERS_PER_REPLICA * 2)
        .flat_map(|n| [(n, &a), (n, &b)])
        .map(|(n, replica)| {
            http.post(replica.url("/register"))
                .json(&json!({"redirect_uris": ["https://rp.example.org/cb"], "client_name": format!("racer {n}")}))
                .send()
        })
        .collect();
    let mut statuses = Vec::new();
    for response in futures_join(attempts).await {
        statuses.push(response.expect("a response").status());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (created, refused),
        (ADMITTED, statuses.len() - ADMITTED),
        "{statuses:?}"
    );
    use tower_oidc_registration::ClientStore as _;
    assert_eq!(a.store.count().await.expect("count"), ADMITTED as u64);
}

/// Runs every future at once, on tasks of their own.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.expect("join"));
    }
    outputs
}
