//! Placeholder until the cow benchmark lands.
fn main() {}
