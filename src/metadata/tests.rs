/// `MetadataRules::default()` takes its signing, key management and content encryption lists
/// from the crate's default constants.
#[test]
fn default_algorithm_lists_reachable_and_used_by_default_rules() {
    let rules = super::MetadataRules::default();
    assert_eq!(rules.signing_algs, super::DEFAULT_SIGNING_ALGS);
    assert_eq!(rules.encryption_algs, super::DEFAULT_ENCRYPTION_ALGS);
    assert_eq!(rules.encryption_encs, super::DEFAULT_ENCRYPTION_ENCS);
}
