//! `entra-graph-emulator`: runs the emulator as a process.

fn main() {}
