use super::*;

#[test]
fn registrants_round_trip() {
    for r in [
        Caller::Anonymous,
        Caller::Host,
        // Not what the registry records, but what a host may build a record with.
        Caller::RegisteredClient,
        Caller::InitialAccessToken { id: "x".to_owned() },
        Caller::InitialAccessToken { id: String::new() },
        Caller::InitialAccessToken {
            id: "iat:host".to_owned(),
        },
    ] {
        assert_eq!(registrant_from_sql(&registrant_to_sql(&r)), Some(r));
    }
    assert_eq!(registrant_from_sql("Host"), None);
}

fn row() -> ClientRow {
    ClientRow {
        client_id: "c".to_owned(),
        version: 1,
        registration_token_hash: vec![1; 32],
        client_secret: None,
        client_secret_hash: None,
        client_secret_expires_at: 0,
        client_id_issued_at: 5,
        token_endpoint_auth_method: "none".to_owned(),
        registered_by: "host".to_owned(),
        metadata: "{}".to_owned(),
    }
}

/// MGT-24: registration access tokens cannot be guessed and are kept like bearer credentials.
///
/// A row on its way to or from the database, printed with `{:?}` (in a log line, a panic, a
/// failed assertion), shows which client it is, never its secret or the hashes of its
/// credentials: a hash of a low-entropy secret can be guessed offline.
#[test]
fn debug_of_a_row_shows_no_secret_and_no_hash() {
    let plain = ClientRow {
        client_id: "client-7".to_owned(),
        registration_token_hash: vec![0xAB; 32],
        client_secret: Some("plain-secret-S3cr3t".to_owned()),
        ..row()
    };
    let hashed = ClientRow {
        client_id: "client-7".to_owned(),
        registration_token_hash: vec![0xAB; 32],
        client_secret_hash: Some(vec![0xCD; 32]),
        ..row()
    };
    for row in [plain, hashed] {
        let debug = format!("{row:?}");
        assert!(debug.contains("client-7"), "{debug}");
        for leak in [
            "plain-secret-S3cr3t",
            "171",
            "205",
            "abab",
            "cdcd",
            "ABAB",
            "CDCD",
        ] {
            assert!(!debug.contains(leak), "{leak} in {debug}");
        }
    }
}

#[test]
fn undecodable_rows_are_backend_errors_naming_the_column() {
    type Spoil = fn(&mut ClientRow);
    let cases: [(&str, Spoil); 7] = [
        ("registration_token_hash", |r| {
            r.registration_token_hash = vec![1; 31]
        }),
        ("client_secret_hash", |r| {
            r.client_secret_hash = Some(vec![])
        }),
        ("both", |r| {
            r.client_secret = Some("s".to_owned());
            r.client_secret_hash = Some(vec![0; 32]);
        }),
        ("token_endpoint_auth_method", |r| {
            r.token_endpoint_auth_method = "magic".to_owned()
        }),
        ("registered_by", |r| r.registered_by = "someone".to_owned()),
        ("metadata", |r| r.metadata = "[".to_owned()),
        ("version", |r| r.version = -1),
    ];
    assert!(row().into_record().is_ok());
    for (what, spoil) in cases {
        let mut r = row();
        spoil(&mut r);
        match r.into_record() {
            Err(StoreError::Backend(e)) => {
                let msg = e.to_string();
                assert!(msg.contains(what) && msg.contains("\"c\""), "{msg}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn numbers_beyond_i64_are_refused_on_write() {
    let mut record = row().into_record().expect("decodes");
    record.client_secret_expires_at = u64::MAX;
    assert!(matches!(
        ClientRow::from_record(&record),
        Err(StoreError::Backend(_))
    ));
}

/// Every migration of `DB`, rendered for a table and version table of the host's choosing.
fn rendered<DB: Dialect>() -> Vec<SqlMigration> {
    let names = NameOptions {
        table: Some("t".to_owned()),
        schema_version_table: Some("v".to_owned()),
        ..NameOptions::default()
    }
    .resolve()
    .expect("names");
    scripts::<DB>(&names)
}

fn assert_migrations_are_rendered_whole<DB: Dialect>() {
    let migrations = rendered::<DB>();
    let versions: Vec<u32> = migrations.iter().map(SqlMigration::version).collect();
    assert_eq!(
        versions,
        (1..=DB::MIGRATIONS.len() as u32).collect::<Vec<_>>()
    );
    for m in &migrations {
        let sql = m.sql();
        // Every placeholder is replaced, and the configured names alone appear.
        assert!(!sql.contains('{') && !sql.contains('}'), "{sql}");
        assert!(
            !sql.contains("clients_last_used") && !sql.contains("schema_version"),
            "{sql}"
        );
        // Each creates or changes the clients table or a table named after it.
        assert!(sql.contains("\"t\"") || sql.contains("\"t_rl\""), "{sql}");
        // Each records itself, its description in a string literal.
        assert!(!m.description().contains('\''));
        assert!(
            sql.trim_end().ends_with(&format!(
                "INSERT INTO \"v\" (version, description, applied_at) VALUES ({}, '{}', {});",
                m.version(),
                m.description(),
                DB::NOW
            )),
            "{sql}"
        );
    }
    // The first creates the version table its INSERT needs; the others only use it.
    assert!(
        migrations[0]
            .sql()
            .starts_with("CREATE TABLE IF NOT EXISTS \"v\" (")
    );
    assert!(
        migrations[1..]
            .iter()
            .all(|m| !m.sql().contains("CREATE TABLE IF NOT EXISTS"))
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_migrations_are_rendered_whole() {
    assert_migrations_are_rendered_whole::<sqlx::Sqlite>();
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_migrations_are_rendered_whole() {
    assert_migrations_are_rendered_whole::<sqlx::Postgres>();
}
