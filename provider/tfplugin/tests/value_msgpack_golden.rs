//! Golden tests for the msgpack codec: hand-derived bytes, annotated in `tests/fixtures/value/*.msgpack.hex`, that
//! follow cty's encoding. Decoding them must give the expected value, and encoding that value must give the same
//! bytes back (our encoder writes exactly what cty writes).

mod value_support;

use tfplugin::value::{AttributePath, Number, Type, Value, msgpack};
use value_support::{hex, read_hex_fixture};

fn number(text: &str) -> Value {
    Value::Number(Number::parse(text).unwrap())
}

fn target_configuration_type() -> Type {
    Type::object([
        ("access_type", Type::String),
        ("targets", Type::set(Type::object([("target", Type::String), ("target_type", Type::String)]))),
    ])
}

/// Decodes the fixture, compares with `expected`, and checks that encoding `expected` reproduces the fixture.
fn assert_golden(fixture: &str, ty: &Type, expected: &Value) {
    let bytes = read_hex_fixture(fixture);
    let decoded = msgpack::decode(&bytes, ty).unwrap_or_else(|error| panic!("{fixture}: decode failed: {error}"));
    assert_eq!(&decoded, expected, "{fixture}: decoded value");
    let encoded = msgpack::encode(expected, ty).unwrap_or_else(|error| panic!("{fixture}: encode failed: {error}"));
    assert_eq!(hex(&encoded), hex(&bytes), "{fixture}: encoded bytes");
}

#[test]
fn unknown_is_extension_zero_at_every_type() {
    let types = [
        Type::String,
        Type::Number,
        Type::Bool,
        Type::Dynamic,
        Type::list(Type::String),
        Type::object([("a", Type::String)]),
        Type::Tuple(vec![Type::Bool]),
    ];
    for ty in types {
        assert_golden("unknown.msgpack.hex", &ty, &Value::Unknown);
    }
}

#[test]
fn null_is_nil_at_every_type() {
    for ty in [Type::String, Type::Dynamic, Type::map(Type::Number), Type::object([("a", Type::Bool)])] {
        assert_golden("null.msgpack.hex", &ty, &Value::Null);
    }
}

#[test]
fn refined_unknowns_from_newer_terraform_read_as_unknown() {
    for fixture in ["refined_unknown_not_null.msgpack.hex", "refined_unknown_prefix.msgpack.hex"] {
        let bytes = read_hex_fixture(fixture);
        assert_eq!(msgpack::decode(&bytes, &Type::String).unwrap(), Value::Unknown, "{fixture}");
    }
}

#[test]
fn numbers_in_each_wire_form() {
    let ty = Type::object([
        ("big", Type::Number),
        ("float", Type::Number),
        ("int", Type::Number),
        ("negative", Type::Number),
        ("precise", Type::Number),
        ("uint16", Type::Number),
    ]);
    let expected = Value::object([
        ("big", number("12345678901234567890123")),
        ("float", number("1.5")),
        ("int", Value::from(42)),
        ("negative", Value::from(-200)),
        ("precise", number("0.1")),
        ("uint16", Value::from(300)),
    ]);
    assert_golden("numbers.msgpack.hex", &ty, &expected);
}

#[test]
fn numbers_decode_from_every_msgpack_number_form() {
    let cases: [(&[u8], &str); 12] = [
        (&[0x7f], "127"),
        (&[0xe0], "-32"),
        (&[0xcc, 0xff], "255"),
        (&[0xd0, 0x80], "-128"),
        (&[0xce, 0xff, 0xff, 0xff, 0xff], "4294967295"),
        (&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "18446744073709551615"),
        (&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], "-9223372036854775808"),
        (&[0xca, 0x3e, 0x80, 0x00, 0x00], "0.25"),
        (&[0xcb, 0x44, 0x15, 0xaf, 0x1d, 0x78, 0xb5, 0x8c, 0x40], "100000000000000000000"),
        (&[0xa3, b'1', b'e', b'3'], "1000"),
        (&[0xa4, b'-', b'0', b'.', b'5'], "-0.5"),
        (&[0xa3, b'1', b'.', b'0'], "1"),
    ];
    for (bytes, expected) in cases {
        let decoded = msgpack::decode(bytes, &Type::Number).unwrap();
        assert_eq!(decoded, number(expected), "{}", hex(bytes));
    }
}

#[test]
fn numbers_encode_as_cty_does() {
    let cases: [(&str, &[u8]); 7] = [
        ("-1", &[0xff]),
        // Exact as a float64, but its shortest float spelling is 600000000000000.2: decoding must take the float's
        // exact value, or the number would change on the way back.
        ("600000000000000.25", &[0xcb, 0x43, 0x01, 0x0d, 0x93, 0x16, 0xec, 0x00, 0x02]),
        ("-33", &[0xd0, 0xdf]),
        ("65536", &[0xce, 0x00, 0x01, 0x00, 0x00]),
        ("9223372036854775808", &[0xcb, 0x43, 0xe0, 0, 0, 0, 0, 0, 0]),
        ("18446744073709551615", b"\xb418446744073709551615"),
        ("0.3", b"\xa30.3"),
    ];
    for (text, expected) in cases {
        let encoded = msgpack::encode(&number(text), &Type::Number).unwrap();
        assert_eq!(hex(&encoded), hex(expected), "{text}");
        assert_eq!(msgpack::decode(expected, &Type::Number).unwrap(), number(text), "{text}");
    }
}

#[test]
fn object_with_nulls_unknowns_sets_maps_and_nesting() {
    let ty = Type::object([
        ("computed_id", Type::String),
        ("enabled", Type::Bool),
        ("items", Type::list(Type::Number)),
        ("labels", Type::map(Type::String)),
        ("name", Type::String),
        ("nested", Type::object([("count", Type::Number), ("id", Type::String)])),
        ("tags", Type::set(Type::String)),
    ]);
    let expected = Value::object([
        ("computed_id", Value::Unknown),
        ("enabled", Value::from(true)),
        ("items", Value::Null),
        ("labels", Value::map([("env", Value::from("prod"))])),
        ("name", Value::from("alpha")),
        ("nested", Value::object([("count", Value::from(3)), ("id", Value::Unknown)])),
        ("tags", Value::set([Value::from("x"), Value::from("y")])),
    ]);
    assert_golden("object_mixed.msgpack.hex", &ty, &expected);

    // Sets arrive in any order; a set in the other order is the same value.
    let reordered = Value::object([
        ("computed_id", Value::Unknown),
        ("enabled", Value::from(true)),
        ("items", Value::Null),
        ("labels", Value::map([("env", Value::from("prod"))])),
        ("name", Value::from("alpha")),
        ("nested", Value::object([("count", Value::from(3)), ("id", Value::Unknown)])),
        ("tags", Value::set([Value::from("y"), Value::from("x")])),
    ]);
    assert_eq!(msgpack::decode(&read_hex_fixture("object_mixed.msgpack.hex"), &ty).unwrap(), reordered);
}

#[test]
fn values_at_dynamic_positions_carry_their_type() {
    let ty = Type::object([("known", Type::Dynamic), ("missing", Type::Dynamic), ("pending", Type::Dynamic)]);
    let expected = Value::object([
        ("known", Value::Dynamic(Type::list(Type::String), Box::new(Value::list([Value::from("a")])))),
        ("missing", Value::Null),
        ("pending", Value::Unknown),
    ]);
    assert_golden("dynamic.msgpack.hex", &ty, &expected);

    // The type may also arrive as a msgpack string rather than binary.
    let mut bytes = vec![0x92, 0xb1];
    bytes.extend_from_slice(br#"["list","string"]"#);
    bytes.extend_from_slice(&[0x91, 0xa1, b'a']);
    assert_eq!(
        msgpack::decode(&bytes, &Type::Dynamic).unwrap(),
        Value::Dynamic(Type::list(Type::String), Box::new(Value::list([Value::from("a")])))
    );
}

#[test]
fn a_planned_partner_resource() {
    let ty = Type::object([
        (
            "b2b_collaboration_inbound",
            Type::object([
                ("applications", target_configuration_type()),
                ("users_and_groups", target_configuration_type()),
            ]),
        ),
        ("id", Type::String),
        (
            "inbound_trust",
            Type::object([
                ("is_compliant_device_accepted", Type::Bool),
                ("is_hybrid_azure_ad_joined_device_accepted", Type::Bool),
                ("is_mfa_accepted", Type::Bool),
            ]),
        ),
        ("is_service_provider", Type::Bool),
        ("tenant_id", Type::String),
    ]);
    let expected = Value::object([
        (
            "b2b_collaboration_inbound",
            Value::object([
                ("applications", Value::Null),
                (
                    "users_and_groups",
                    Value::object([
                        ("access_type", Value::from("allowed")),
                        (
                            "targets",
                            Value::set([Value::object([
                                ("target", Value::from("AllUsers")),
                                ("target_type", Value::from("user")),
                            ])]),
                        ),
                    ]),
                ),
            ]),
        ),
        ("id", Value::Unknown),
        (
            "inbound_trust",
            Value::object([
                ("is_compliant_device_accepted", Value::from(false)),
                ("is_hybrid_azure_ad_joined_device_accepted", Value::Null),
                ("is_mfa_accepted", Value::from(true)),
            ]),
        ),
        ("is_service_provider", Value::Unknown),
        ("tenant_id", Value::from("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
    ]);
    assert_golden("partner_plan.msgpack.hex", &ty, &expected);

    let decoded = msgpack::decode(&read_hex_fixture("partner_plan.msgpack.hex"), &ty).unwrap();
    let path = AttributePath::root().attr("b2b_collaboration_inbound").attr("users_and_groups").attr("access_type");
    assert_eq!(decoded.at_path(&path), Some(&Value::from("allowed")));
    assert!(!decoded.is_fully_known());
}

#[test]
fn missing_object_attributes_decode_as_null() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let bytes = [0x81, 0xa1, b'a', 0xa1, b'x'];
    let decoded = msgpack::decode(&bytes, &ty).unwrap();
    let Value::Object(attributes) = &decoded else { panic!("expected an object, got {decoded:?}") };
    assert_eq!(attributes.get("b"), Some(&Value::Null), "every attribute is present after decoding");
    assert_eq!(decoded.get_attr("a"), &Value::from("x"));
    // An empty map is an object of nulls too.
    assert_eq!(msgpack::decode(&[0x80], &ty).unwrap(), Value::object_of_nulls(&ty));
}

#[test]
fn encoding_writes_every_attribute_even_when_the_value_leaves_some_out() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let encoded = msgpack::encode(&Value::object([("b", Value::from(1))]), &ty).unwrap();
    assert_eq!(hex(&encoded), hex(&[0x82, 0xa1, b'a', 0xc0, 0xa1, b'b', 0x01]));
}

#[test]
fn decoding_errors_name_the_path_and_the_problem() {
    let ty = Type::object([("list", Type::list(Type::object([("n", Type::Number)])))]);
    // {"list": [{"n": "abc"}]}
    let mut bytes = vec![0x81, 0xa4];
    bytes.extend_from_slice(b"list");
    bytes.extend_from_slice(&[0x91, 0x81, 0xa1, b'n', 0xa3]);
    bytes.extend_from_slice(b"abc");
    let error = msgpack::decode(&bytes, &ty).unwrap_err();
    assert_eq!(error.path, AttributePath::root().attr("list").index(0).attr("n"));
    assert_eq!(error.to_string(), "list[0].n: \"abc\" is not a valid number");

    // {"other": nil}: an attribute the type does not have.
    let error = msgpack::decode(&[0x81, 0xa5, b'o', b't', b'h', b'e', b'r', 0xc0], &ty).unwrap_err();
    assert_eq!(error.to_string(), "unsupported attribute \"other\"");

    // A string where a bool belongs.
    let error = msgpack::decode(&[0xa1, b'x'], &Type::Bool).unwrap_err();
    assert_eq!(error.to_string(), "expected a bool, found msgpack string");

    // A map key that is not a string.
    let error = msgpack::decode(&[0x81, 0x01, 0xc0], &Type::map(Type::String)).unwrap_err();
    assert!(error.to_string().contains("keys must be strings"), "{error}");

    // A tuple of the wrong length.
    let error = msgpack::decode(&[0x91, 0xc3], &Type::Tuple(vec![Type::Bool, Type::Bool])).unwrap_err();
    assert!(error.to_string().contains("tuple of 2"), "{error}");

    // Trailing garbage, truncation, invalid UTF-8, absurd lengths and deep nesting.
    assert!(msgpack::decode(&[0xc0, 0xc0], &Type::String).is_err());
    assert!(msgpack::decode(&[0xa3, b'a'], &Type::String).is_err());
    assert!(msgpack::decode(&[0xa1, 0xff], &Type::String).is_err());
    assert!(msgpack::decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err());
    assert!(msgpack::decode(&[], &Type::String).is_err());
    let deep = vec![0x91; 100_000];
    assert!(msgpack::decode(&deep, &Type::list(Type::String)).is_err());
    // Infinity has no Terraform number form we can hold.
    assert!(msgpack::decode(&[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0], &Type::Number).is_err());
}

#[test]
fn dynamic_values_must_be_well_formed() {
    // Not a [type, value] pair.
    assert!(msgpack::decode(&[0xa1, b'x'], &Type::Dynamic).is_err());
    assert!(msgpack::decode(&[0x91, 0xc0], &Type::Dynamic).is_err());
    // A type that is not valid JSON, or that is "dynamic" itself.
    assert!(msgpack::decode(&[0x92, 0xc4, 0x01, b'[', 0xc0], &Type::Dynamic).is_err());
    let mut bytes = vec![0x92, 0xc4, 0x09];
    bytes.extend_from_slice(br#""dynamic""#);
    bytes.push(0xc0);
    assert!(msgpack::decode(&bytes, &Type::Dynamic).is_err());
    // A plain value at a dynamic position cannot be encoded without its type.
    assert!(msgpack::encode(&Value::from("x"), &Type::Dynamic).is_err());
}

#[test]
fn encoding_rejects_values_that_do_not_fit_their_type() {
    let error = msgpack::encode(&Value::from("x"), &Type::Number).unwrap_err();
    assert_eq!(error.to_string(), "expected a number, found a string");
    let ty = Type::object([("a", Type::list(Type::Bool))]);
    let error = msgpack::encode(&Value::object([("a", Value::list([Value::from(1)]))]), &ty).unwrap_err();
    assert_eq!(error.to_string(), "a[0]: expected a bool, found a number");
    let error = msgpack::encode(&Value::object([("zzz", Value::Null)]), &ty).unwrap_err();
    assert!(error.to_string().contains("\"zzz\""), "{error}");
    assert!(msgpack::encode(&Value::list([]), &Type::set(Type::String)).is_err());
}

#[test]
fn a_thousand_element_set_decodes_quickly() {
    let ty = Type::set(Type::object([("target", Type::String), ("target_type", Type::String)]));
    let value = Value::set((0..1000).map(|index| {
        Value::object([
            ("target", Value::from(format!("00000000-0000-0000-0000-{index:012}"))),
            ("target_type", Value::from("user")),
        ])
    }));
    let bytes = msgpack::encode(&value, &ty).unwrap();
    let started = std::time::Instant::now();
    let decoded = msgpack::decode(&bytes, &ty).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(decoded, value);
    // Generous enough for a loaded machine and a debug build; it catches quadratic behaviour, not microseconds.
    assert!(elapsed < std::time::Duration::from_millis(250), "decoding took {elapsed:?}");
}
