//! The names of a SQL store's tables: checked once, when a store is built, and quoted into
//! every statement, so no SQL is ever built from a name that was not checked.
//!
//! Statements and migrations are templates naming the tables `{clients}`, `{schema_version}`,
//! `{initial_access_tokens}` and `{rate_limits}`, and the indexes `{clients_last_used}` and
//! `{clients_registered_by}`; [`Names::render`] puts the configured names in.

use super::invalid;
use crate::store::StoreError;

/// The clients table unless configured: prefixed, so that it does not meet a host's own
/// `clients` table in a database the host shares with the store.
pub(crate) const DEFAULT_TABLE: &str = "oidc_registration_clients";
/// The version table is the clients table's name followed by this, unless configured: two
/// stores given different tables in one database keep their schema versions apart.
const SCHEMA_VERSION_SUFFIX: &str = "_schema_version";
/// The index on last use is the clients table's name followed by this.
const LAST_USED_SUFFIX: &str = "_last_used";
/// The index on who registered a client is the clients table's name followed by this. No
/// longer than `_last_used`: a table name that fitted before still fits.
const REGISTERED_BY_SUFFIX: &str = "_reg_by";
/// The initial access tokens table beside the clients table of the default name, unless
/// configured.
pub(crate) const DEFAULT_TOKENS_TABLE: &str = "oidc_registration_initial_access_tokens";
/// The initial access tokens table beside a clients table of the host's naming is that table's
/// name followed by this, unless configured: two stores given different tables in one database
/// keep their tokens apart. Short, as `REGISTERED_BY_SUFFIX`, for the same reason.
const TOKENS_SUFFIX: &str = "_iat";
/// The rate limits table beside the clients table of the default name, unless configured.
pub(crate) const DEFAULT_RATE_LIMITS_TABLE: &str = "oidc_registration_rate_limits";
/// The rate limits table beside a clients table of the host's naming is that table's name
/// followed by this, unless configured. Short, as `TOKENS_SUFFIX`, for the same reason.
const RATE_LIMITS_SUFFIX: &str = "_rl";
/// PostgreSQL cuts longer identifiers (`NAMEDATALEN` - 1): two long names would then meet.
const MAX_LEN: usize = 63;

/// An SQL identifier of `[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes: quoted, it needs no
/// escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ident(String);

impl Ident {
    /// `name` when it is such an identifier; else an error saying which name (`what`) is wrong.
    pub fn new(what: &str, name: &str) -> Result<Self, StoreError> {
        let mut chars = name.chars();
        let well_formed = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return Err(invalid(format!(
                "{what} {name:?} is not a plain SQL identifier: use letters, digits and \
                 underscores, not starting with a digit"
            )));
        }
        if name.len() > MAX_LEN {
            return Err(invalid(format!(
                "{what} {name:?} is {} bytes long, more than the {MAX_LEN} PostgreSQL keeps",
                name.len()
            )));
        }
        Ok(Self(name.to_owned()))
    }

    /// The identifier in double quotes: taken as written, reserved words and letter case
    /// included.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The names a store builder was given, unchecked: [`resolve`](Self::resolve) checks them.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameOptions {
    /// PostgreSQL only: the schema holding the tables; `None` for the connection's current
    /// schema (the first of its `search_path`).
    pub schema: Option<String>,
    pub table: Option<String>,
    pub schema_version_table: Option<String>,
    pub initial_access_token_table: Option<String>,
    pub rate_limit_table: Option<String>,
}

impl NameOptions {
    /// The checked names, the unset ones derived from the table's.
    pub fn resolve(&self) -> Result<Names, StoreError> {
        let schema = self
            .schema
            .as_deref()
            .map(|s| Ident::new("schema name", s))
            .transpose()?;
        let table = Ident::new("table name", self.table.as_deref().unwrap_or(DEFAULT_TABLE))?;
        let schema_version = match &self.schema_version_table {
            Some(name) => Ident::new("schema version table name", name)?,
            None => Ident::new(
                "schema version table name (the table name followed by `_schema_version`: \
                 set `schema_version_table`, or shorten the table name)",
                &format!("{}{SCHEMA_VERSION_SUFFIX}", table.as_str()),
            )?,
        };
        let last_used_index = Ident::new(
            "index name (the table name followed by `_last_used`: shorten the table name)",
            &format!("{}{LAST_USED_SUFFIX}", table.as_str()),
        )?;
        let registered_by_index = Ident::new(
            "index name (the table name followed by `_reg_by`: shorten the table name)",
            &format!("{}{REGISTERED_BY_SUFFIX}", table.as_str()),
        )?;
        let tokens = match &self.initial_access_token_table {
            Some(name) => Ident::new("initial access token table name", name)?,
            None if table.as_str() == DEFAULT_TABLE => {
                Ident::new("initial access token table name", DEFAULT_TOKENS_TABLE)?
            }
            None => Ident::new(
                "initial access token table name (the table name followed by `_iat`: set \
                 `initial_access_token_table`, or shorten the table name)",
                &format!("{}{TOKENS_SUFFIX}", table.as_str()),
            )?,
        };
        let rate_limits = match &self.rate_limit_table {
            Some(name) => Ident::new("rate limit table name", name)?,
            None if table.as_str() == DEFAULT_TABLE => {
                Ident::new("rate limit table name", DEFAULT_RATE_LIMITS_TABLE)?
            }
            None => Ident::new(
                "rate limit table name (the table name followed by `_rl`: set \
                 `rate_limit_table`, or shorten the table name)",
                &format!("{}{RATE_LIMITS_SUFFIX}", table.as_str()),
            )?,
        };
        // Tables and indexes share one namespace, and SQLite ignores letter case even in
        // quoted names: no two may be equal but for case.
        let all = [
            &table,
            &schema_version,
            &tokens,
            &rate_limits,
            &last_used_index,
            &registered_by_index,
        ];
        for (i, a) in all.iter().enumerate() {
            if all[i + 1..]
                .iter()
                .any(|b| a.as_str().eq_ignore_ascii_case(b.as_str()))
            {
                return Err(invalid(format!(
                    "the store's tables and indexes need distinct names; {:?} is used twice",
                    a.as_str()
                )));
            }
        }
        Ok(Names {
            default_table: self.table.is_none(),
            schema,
            table,
            schema_version,
            tokens,
            rate_limits,
            last_used_index,
            registered_by_index,
        })
    }
}

/// The checked names of one store's tables and indexes.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// Whether the table name is the default one (the host chose none).
    default_table: bool,
    schema: Option<Ident>,
    table: Ident,
    schema_version: Ident,
    tokens: Ident,
    rate_limits: Ident,
    last_used_index: Ident,
    registered_by_index: Ident,
}

impl Names {
    /// The clients table, quoted, and qualified by its schema when one is configured.
    pub fn clients(&self) -> String {
        self.qualified(&self.table)
    }

    /// The version table, as [`clients`](Self::clients).
    pub fn schema_version(&self) -> String {
        self.qualified(&self.schema_version)
    }

    /// The initial access tokens table, as [`clients`](Self::clients).
    pub fn initial_access_tokens(&self) -> String {
        self.qualified(&self.tokens)
    }

    /// The rate limits table, as [`clients`](Self::clients).
    pub fn rate_limits(&self) -> String {
        self.qualified(&self.rate_limits)
    }

    /// The clients table for a message: `schema.table` or `table`, unquoted.
    pub fn describe_clients(&self) -> String {
        self.describe(&self.table)
    }

    /// The version table for a message.
    pub fn describe_schema_version(&self) -> String {
        self.describe(&self.schema_version)
    }

    /// The initial access tokens table for a message.
    pub fn describe_initial_access_tokens(&self) -> String {
        self.describe(&self.tokens)
    }

    /// The rate limits table for a message.
    pub fn describe_rate_limits(&self) -> String {
        self.describe(&self.rate_limits)
    }

    /// Whether the host left the table name to its default.
    pub fn default_table(&self) -> bool {
        self.default_table
    }

    pub fn table(&self) -> &Ident {
        &self.table
    }

    pub fn schema_version_table(&self) -> &Ident {
        &self.schema_version
    }

    /// `template` with `{clients}`, `{schema_version}`, `{initial_access_tokens}`,
    /// `{rate_limits}`, `{clients_last_used}` and `{clients_registered_by}` replaced by the
    /// quoted names. (An index is created in its table's schema: its name is never qualified.)
    pub fn render(&self, template: &str) -> String {
        template
            .replace("{clients_last_used}", &self.last_used_index.quoted())
            .replace(
                "{clients_registered_by}",
                &self.registered_by_index.quoted(),
            )
            .replace("{clients}", &self.clients())
            .replace("{schema_version}", &self.schema_version())
            .replace("{initial_access_tokens}", &self.initial_access_tokens())
            .replace("{rate_limits}", &self.rate_limits())
    }

    /// `name`, quoted, and qualified by the schema when one is configured.
    pub fn qualified(&self, name: &Ident) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", schema.quoted(), name.quoted()),
            None => name.quoted(),
        }
    }

    fn describe(&self, name: &Ident) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", schema.as_str(), name.as_str()),
            None => name.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
