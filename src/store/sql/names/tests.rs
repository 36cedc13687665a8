use super::*;

fn names(
    table: Option<&str>,
    versions: Option<&str>,
    schema: Option<&str>,
) -> Result<Names, StoreError> {
    NameOptions {
        schema: schema.map(str::to_owned),
        table: table.map(str::to_owned),
        schema_version_table: versions.map(str::to_owned),
        initial_access_token_table: None,
        rate_limit_table: None,
    }
    .resolve()
}

fn refusal(result: Result<Names, StoreError>) -> String {
    match result {
        Err(StoreError::Backend(e)) => e.to_string(),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn only_plain_identifiers_of_at_most_63_bytes_are_names() {
    for good in ["a", "_", "A_b_9", "_9", "select", &"x".repeat(63)] {
        assert_eq!(Ident::new("table name", good).expect(good).as_str(), good);
    }
    for bad in [
        "",
        "9a",
        "a-b",
        "a b",
        "a.b",
        "a\"b",
        "a;b",
        "a'b",
        "clients; DROP TABLE users",
        "ünïcode",
        "tab\tle",
        " a",
        &"x".repeat(64),
    ] {
        let message = refusal(names(Some(bad), None, None));
        assert!(message.contains("table name"), "{bad:?}: {message}");
        let message = refusal(names(None, Some(bad), None));
        assert!(
            message.contains("schema version table name"),
            "{bad:?}: {message}"
        );
        let message = refusal(names(None, None, Some(bad)));
        assert!(message.contains("schema name"), "{bad:?}: {message}");
    }
}

#[test]
fn the_default_names_are_prefixed_and_quoted() {
    let n = names(None, None, None).expect("defaults");
    assert!(n.default_table());
    assert_eq!(n.clients(), "\"oidc_registration_clients\"");
    assert_eq!(
        n.schema_version(),
        "\"oidc_registration_clients_schema_version\""
    );
    assert_eq!(
        n.render("{clients_last_used} ON {clients}; {schema_version}"),
        "\"oidc_registration_clients_last_used\" ON \"oidc_registration_clients\"; \
         \"oidc_registration_clients_schema_version\""
    );
}

#[test]
fn names_follow_the_table_and_are_qualified_by_the_schema() {
    let n = names(Some("Apps"), None, Some("auth")).expect("names");
    assert!(!n.default_table());
    assert_eq!(n.clients(), "\"auth\".\"Apps\"");
    assert_eq!(n.schema_version(), "\"auth\".\"Apps_schema_version\"");
    // An index is created in its table's schema: never qualified.
    assert_eq!(n.render("{clients_last_used}"), "\"Apps_last_used\"");
    assert_eq!(n.describe_clients(), "auth.Apps");

    let n = names(Some("clients"), Some("schema_version"), None).expect("names");
    assert_eq!(n.schema_version(), "\"schema_version\"");
    assert_eq!(n.render("{clients_last_used}"), "\"clients_last_used\"");
}

#[test]
fn a_derived_name_beyond_63_bytes_is_refused_saying_how_to_shorten_it() {
    // 48 bytes + "_schema_version" (15) is 63, + "_last_used" fits too.
    assert!(names(Some(&"t".repeat(48)), None, None).is_ok());
    let message = refusal(names(Some(&"t".repeat(49)), None, None));
    assert!(message.contains("schema_version_table"), "{message}");
    // With the version table named, the index limits the table to 53 bytes.
    assert!(names(Some(&"t".repeat(53)), Some("v"), None).is_ok());
    let message = refusal(names(Some(&"t".repeat(54)), Some("v"), None));
    assert!(message.contains("index name"), "{message}");
}

#[test]
fn a_store_s_tables_and_index_need_distinct_names() {
    for (table, versions) in [
        ("t", "t"),
        ("t", "T"),
        ("t", "t_last_used"),
        ("t", "T_Last_Used"),
    ] {
        let message = refusal(names(Some(table), Some(versions), None));
        assert!(message.contains("distinct names"), "{message}");
    }
}

#[test]
fn the_initial_access_token_table_and_the_registrant_index_follow_the_table() {
    let n = names(None, None, None).expect("defaults");
    assert_eq!(
        n.initial_access_tokens(),
        "\"oidc_registration_initial_access_tokens\""
    );
    assert_eq!(
        n.render("{clients_registered_by} ON {clients}; {initial_access_tokens}"),
        "\"oidc_registration_clients_reg_by\" ON \"oidc_registration_clients\"; \
         \"oidc_registration_initial_access_tokens\""
    );
    // The default table named explicitly keeps the default tokens table.
    let n = names(Some(DEFAULT_TABLE), None, None).expect("the default, named");
    assert_eq!(
        n.initial_access_tokens(),
        "\"oidc_registration_initial_access_tokens\""
    );
    // Another table has tokens of its own, qualified by the schema as the table is.
    let n = names(Some("Apps"), None, Some("auth")).expect("names");
    assert_eq!(n.initial_access_tokens(), "\"auth\".\"Apps_iat\"");
    assert_eq!(n.render("{clients_registered_by}"), "\"Apps_reg_by\"");
    assert_eq!(n.describe_initial_access_tokens(), "auth.Apps_iat");
    // Or a name of the host's.
    let n = NameOptions {
        table: Some("apps".to_owned()),
        initial_access_token_table: Some("tokens".to_owned()),
        ..NameOptions::default()
    }
    .resolve()
    .expect("names");
    assert_eq!(n.initial_access_tokens(), "\"tokens\"");
}

#[test]
fn the_initial_access_token_table_needs_a_name_of_its_own() {
    let with_tokens = |table: &str, tokens: &str| {
        NameOptions {
            table: Some(table.to_owned()),
            initial_access_token_table: Some(tokens.to_owned()),
            ..NameOptions::default()
        }
        .resolve()
    };
    for (table, tokens) in [("t", "t"), ("t", "T_last_used"), ("t", "t_reg_by")] {
        let message = refusal(with_tokens(table, tokens));
        assert!(message.contains("distinct names"), "{message}");
    }
    let message = refusal(names(Some("t"), Some("t_iat"), None));
    assert!(message.contains("distinct names"), "{message}");
    let message = refusal(with_tokens("t", "a-b"));
    assert!(
        message.contains("initial access token table name"),
        "{message}"
    );
    // A derived name beyond 63 bytes says how to shorten it; the suffixes are no longer than
    // `_last_used`, so a table that fitted before still fits.
    assert!(names(Some(&"t".repeat(53)), Some("v"), None).is_ok());
}

#[test]
fn the_rate_limit_table_follows_the_table_unless_named() {
    let n = names(None, None, None).expect("defaults");
    assert_eq!(n.rate_limits(), "\"oidc_registration_rate_limits\"");
    assert_eq!(
        n.render("{rate_limits}"),
        "\"oidc_registration_rate_limits\""
    );
    let n = names(Some(DEFAULT_TABLE), None, None).expect("the default, named");
    assert_eq!(n.rate_limits(), "\"oidc_registration_rate_limits\"");
    let n = names(Some("Apps"), None, Some("auth")).expect("names");
    assert_eq!(n.rate_limits(), "\"auth\".\"Apps_rl\"");
    assert_eq!(n.describe_rate_limits(), "auth.Apps_rl");
    let with_rate_limits = |table: &str, rate_limits: &str| {
        NameOptions {
            table: Some(table.to_owned()),
            rate_limit_table: Some(rate_limits.to_owned()),
            ..NameOptions::default()
        }
        .resolve()
    };
    assert_eq!(
        with_rate_limits("apps", "limits")
            .expect("names")
            .rate_limits(),
        "\"limits\""
    );
    for (table, rate_limits) in [("t", "t"), ("t", "T_iat"), ("t", "t_reg_by")] {
        let message = refusal(with_rate_limits(table, rate_limits));
        assert!(message.contains("distinct names"), "{message}");
    }
    let message = refusal(with_rate_limits("t", "a-b"));
    assert!(message.contains("rate limit table name"), "{message}");
}
