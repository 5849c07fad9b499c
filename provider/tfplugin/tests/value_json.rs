//! Tests for the JSON codec (stored state and `DynamicValue.json`), with fixtures shaped like Terraform state.

mod value_support;

use tfplugin::value::{AttributePath, Number, Type, Value, json};
use value_support::read_text_fixture;

fn number(text: &str) -> Value {
    Value::Number(Number::parse(text).unwrap())
}

fn target_configuration_type() -> Type {
    Type::object([
        ("access_type", Type::String),
        ("targets", Type::set(Type::object([("target", Type::String), ("target_type", Type::String)]))),
    ])
}

fn partner_type() -> Type {
    Type::object([
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
    ])
}

fn target(id: &str, kind: &str) -> Value {
    Value::object([("target", Value::from(id)), ("target_type", Value::from(kind))])
}

#[test]
fn decodes_stored_partner_state() {
    let text = read_text_fixture("partner_state.json");
    let decoded = json::decode(text.as_bytes(), &partner_type()).unwrap();
    let expected = Value::object([
        (
            "b2b_collaboration_inbound",
            Value::object([
                ("applications", Value::Null),
                (
                    "users_and_groups",
                    Value::object([
                        ("access_type", Value::from("blocked")),
                        (
                            "targets",
                            // Stored order differs from this one: sets compare without order.
                            Value::set([
                                target("AllUsers", "user"),
                                target("6a8d7a52-2d2b-4bd5-8a8b-c4bb2b7d6f29", "group"),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
        ("id", Value::from("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
        (
            "inbound_trust",
            Value::object([
                ("is_compliant_device_accepted", Value::from(false)),
                ("is_hybrid_azure_ad_joined_device_accepted", Value::Null),
                ("is_mfa_accepted", Value::from(true)),
            ]),
        ),
        ("is_service_provider", Value::from(false)),
        ("tenant_id", Value::from("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
    ]);
    assert_eq!(decoded, expected);

    // Encoding gives compact JSON with the same content.
    let encoded = json::encode(&decoded, &partner_type()).unwrap();
    let reparsed: serde_json::Value = serde_json::from_slice(&encoded).unwrap();
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reparsed, original);
    assert!(!encoded.contains(&b' '), "compact output");
}

#[test]
fn numbers_keep_their_exact_value() {
    let ty = Type::object([
        ("as_string", Type::Number),
        ("big", Type::Number),
        ("exponent", Type::Number),
        ("negative", Type::Number),
        ("tiny", Type::Number),
    ]);
    let decoded = json::decode(read_text_fixture("numbers_state.json").as_bytes(), &ty).unwrap();
    assert_eq!(
        decoded,
        Value::object([
            ("as_string", Value::from(42)),
            ("big", number("123456789012345678901234567890.5")),
            ("exponent", Value::from(1500)),
            ("negative", number("-0.25")),
            ("tiny", number("0.000000000000000000000000000001")),
        ])
    );
    let encoded = String::from_utf8(json::encode(&decoded, &ty).unwrap()).unwrap();
    assert_eq!(
        encoded,
        r#"{"as_string":42,"big":123456789012345678901234567890.5,"exponent":1500,"negative":-0.25,"tiny":0.000000000000000000000000000001}"#
    );
}

#[test]
fn dynamic_values_use_the_value_and_type_wrapper() {
    let ty = Type::object([("known", Type::Dynamic), ("missing", Type::Dynamic), ("reversed", Type::Dynamic)]);
    let decoded = json::decode(read_text_fixture("dynamic_state.json").as_bytes(), &ty).unwrap();
    let expected = Value::object([
        (
            "known",
            Value::Dynamic(Type::list(Type::String), Box::new(Value::list([Value::from("a"), Value::from("b")]))),
        ),
        ("missing", Value::Null),
        ("reversed", Value::Dynamic(Type::Number, Box::new(number("1.5")))),
    ]);
    assert_eq!(decoded, expected);
    let encoded = String::from_utf8(json::encode(&decoded, &ty).unwrap()).unwrap();
    assert_eq!(
        encoded,
        r#"{"known":{"value":["a","b"],"type":["list","string"]},"missing":null,"reversed":{"value":1.5,"type":"number"}}"#
    );

    for bad in [r#"{"value":1}"#, r#"{"type":"number"}"#, r#"{"value":1,"type":"number","x":2}"#, r#"[1]"#] {
        assert!(json::decode(bad.as_bytes(), &Type::Dynamic).is_err(), "{bad}");
    }
    assert!(json::decode(br#"{"value":"x","type":"number"}"#, &Type::Dynamic).is_err());
    assert!(json::decode(br#"{"value":1,"type":"dynamic"}"#, &Type::Dynamic).is_err());
}

#[test]
fn converts_primitives_as_cty_does() {
    assert_eq!(json::decode(b"\"12.50\"", &Type::Number).unwrap(), number("12.5"));
    assert_eq!(json::decode(b"12.50", &Type::String).unwrap(), Value::from("12.50"));
    assert_eq!(json::decode(b"true", &Type::String).unwrap(), Value::from("true"));
    assert_eq!(json::decode(b"\"false\"", &Type::Bool).unwrap(), Value::from(false));
    assert!(json::decode(b"\"yes\"", &Type::Bool).is_err());
    assert!(json::decode(b"\"ten\"", &Type::Number).is_err());
    assert!(json::decode(b"[]", &Type::String).is_err());
}

#[test]
fn objects_tolerate_missing_attributes_but_not_unknown_ones() {
    let ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
    assert_eq!(json::decode(b"{}", &ty).unwrap(), Value::object([("a", Value::Null), ("b", Value::Null)]));
    let error = json::decode(br#"{"a":"x","c":1}"#, &ty).unwrap_err();
    assert_eq!(error.to_string(), "unsupported attribute \"c\"");
    let error = json::decode(br#"{"a":"x","a":"y"}"#, &ty).unwrap_err();
    assert_eq!(error.path, AttributePath::root().attr("a"));
    let error = json::decode(br#"{"b":[1,"two"]}"#, &ty).unwrap_err();
    assert_eq!(error.path, AttributePath::root().attr("b").index(1));
}

#[test]
fn strings_decode_every_escape() {
    let decoded = json::decode(br#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 plain""#, &Type::String).unwrap();
    assert_eq!(decoded, Value::from("\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600} plain"));
    let tricky = "quote \" backslash \\ newline \n tab \t bell \u{7} delete \u{7f} snowman \u{2603}";
    let encoded = json::encode(&Value::from(tricky), &Type::String).unwrap();
    assert_eq!(serde_json::from_slice::<String>(&encoded).unwrap(), tricky);
    assert_eq!(json::decode(&encoded, &Type::String).unwrap(), Value::from(tricky));
}

#[test]
fn rejects_invalid_json() {
    let bad: [&[u8]; 18] = [
        b"",
        b"[1,]",
        b"[1 2]",
        b"01",
        b"1.",
        b".5",
        b"-",
        b"1e",
        b"+1",
        b"\"\\ud800\"",
        b"\"\\ud800\\u0041\"",
        b"\"\\x\"",
        b"\"a\nb\"",
        b"\"open",
        b"nul",
        b"[1] [2]",
        b"\xff",
        b"{\"a\" 1}",
    ];
    let ty = Type::list(Type::Number);
    for text in bad {
        let as_list = json::decode(text, &ty);
        let as_string = json::decode(text, &Type::String);
        let as_number = json::decode(text, &Type::Number);
        assert!(
            as_list.is_err() && as_string.is_err() && as_number.is_err(),
            "{:?} should be rejected",
            String::from_utf8_lossy(text)
        );
    }
    let deep = "[".repeat(100_000);
    assert!(json::decode(deep.as_bytes(), &Type::Dynamic).is_err());
    let deep_wrapped = format!("{{\"type\":\"number\",\"value\":{}}}", "[".repeat(100_000));
    assert!(json::decode(deep_wrapped.as_bytes(), &Type::Dynamic).is_err());
}

#[test]
fn accepts_whitespace_anywhere_between_tokens() {
    let ty = Type::map(Type::list(Type::Bool));
    let decoded = json::decode(b" \n{ \"k\" :\t[ true , false ] }\r\n", &ty).unwrap();
    assert_eq!(decoded, Value::map([("k", Value::list([Value::from(true), Value::from(false)]))]));
}

#[test]
fn encoding_refuses_unknowns_with_their_path() {
    let ty = Type::object([("list", Type::list(Type::String))]);
    let value = Value::object([("list", Value::list([Value::from("a"), Value::Unknown]))]);
    let error = json::encode(&value, &ty).unwrap_err();
    assert_eq!(error.path, AttributePath::root().attr("list").index(1));
    assert_eq!(error.to_string(), "list[1]: JSON cannot represent an unknown value");
}
