//! Attacks and robustness: forged and misused tokens, secrets that must never reach logs,
//! events or `Debug` output, inputs found by fuzzing, and property tests of the validation rules.

#[path = "../common/mod.rs"]
mod common;

mod attacks;
mod fuzz_regressions;
mod no_leaks;
mod properties;
