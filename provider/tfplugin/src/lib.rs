//! The Terraform plugin protocol 6 server: the only crate that knows gRPC, protobuf and msgpack.

pub mod value;
