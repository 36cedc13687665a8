/// DISC-5: the default rules support what a dynamic OpenID Provider must.
#[test]
fn default_algorithm_lists_reachable_and_used_by_default_rules() {
    let rules = super::MetadataRules::default();
    assert_eq!(rules.signing_algs, super::DEFAULT_SIGNING_ALGS);
    assert_eq!(rules.encryption_algs, super::DEFAULT_ENCRYPTION_ALGS);
    assert_eq!(rules.encryption_encs, super::DEFAULT_ENCRYPTION_ENCS);
}
