//! Attacks and robustness: forged and misused tokens, secrets that must never reach logs,
//! events or `Debug` output, inputs found by fuzzing, and property tests of the validation rules.

#[path = "../common/mod.rs"]
mod common;

// The attacks check each forged token at the first defence too, the crate-private token
// signer, which the `fuzzing` feature exposes (`scripts/test` runs with `--all-features`).
#[cfg(feature = "fuzzing")]
mod attacks;
#[cfg(not(feature = "fuzzing"))]
#[test]
#[ignore = "the attack tests need the `fuzzing` feature: cargo test --all-features"]
fn attacks_need_the_fuzzing_feature() {}
mod fuzz_regressions;
mod no_leaks;
mod properties;
