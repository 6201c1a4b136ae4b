//! Placeholder until the shm benchmark lands.
fn main() {}
