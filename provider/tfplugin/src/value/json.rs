//! The JSON encoding of values, as Terraform stores state (`RawState.json`) and as `DynamicValue.json` carries it.
//!
//! The encoding is schema-driven like the msgpack one, following cty's JSON rules:
//! - null is `null`; JSON has no way to write an unknown, so encoding one is an error.
//! - Numbers are JSON numbers, read with their exact text (we parse the JSON ourselves rather than through `f64`).
//!   Like cty, we also accept a number written as a string, a string written as a number or bool, and a bool
//!   written as `"true"`/`"false"`, because cty converts those when it reads state.
//! - Lists, sets and tuples are arrays; maps and objects are JSON objects. An object's missing attributes are null;
//!   an attribute the type does not have is an error. We write every attribute, in name order.
//! - At a `dynamic` position a known value is wrapped as `{"value": V, "type": T}`, with `T` the JSON type
//!   description.
//!
//! Decoding never panics on hostile input: nesting is limited and every failure is a [`ValueError`] with the path of
//! the part that was wrong.

use std::collections::BTreeMap;

use super::path::PathStep;
use super::types::write_json_string;
use super::{Number, Type, Value, ValueError};

/// How deeply arrays and objects may nest. Far beyond any schema, and small enough for the recursion to be safe.
const MAX_DEPTH: usize = 128;

/// Decodes JSON bytes as a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ValueError::at_root("the JSON data is not valid UTF-8"))?;
    let mut reader = Reader { text, position: 0, depth: 0 };
    let value = reader.value(ty)?;
    reader.skip_whitespace();
    if reader.position != text.len() {
        return Err(reader.syntax_error("unexpected data after the value"));
    }
    Ok(value)
}

/// Encodes a value of type `ty` as JSON. Fails if the value holds an unknown anywhere.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut writer = Writer { out: String::new() };
    writer.value(value, ty)?;
    Ok(writer.out.into_bytes())
}

/// One JSON token at the start of a value.
enum Token<'a> {
    Null,
    Bool(bool),
    /// The exact text of a number, already checked against JSON's number grammar.
    Number(&'a str),
    String(String),
    ArrayStart,
    ObjectStart,
}

/// A typed reader over JSON text: it parses and type-checks in one pass, without an intermediate tree. Errors are
/// created at the root and given their path on the way up (see [`ValueError::under`]).
struct Reader<'a> {
    text: &'a str,
    position: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        let token = self.token()?;
        if let Token::Null = token {
            return Ok(Value::Null);
        }
        let mismatch = |reader: &Reader<'_>, token: &Token<'_>| {
            ValueError::at_root(format!(
                "expected {}, found {} at byte {}",
                ty.with_article(),
                token_kind(token),
                reader.position
            ))
        };
        match ty {
            Type::Dynamic => self.wrapped_dynamic(token),
            Type::Bool => match token {
                Token::Bool(value) => Ok(Value::Bool(value)),
                Token::String(text) if text == "true" => Ok(Value::Bool(true)),
                Token::String(text) if text == "false" => Ok(Value::Bool(false)),
                other => Err(mismatch(self, &other)),
            },
            Type::Number => match token {
                Token::Number(text) => Number::parse(text).map(Value::Number),
                Token::String(text) => Number::parse(&text).map(Value::Number),
                other => Err(mismatch(self, &other)),
            },
            Type::String => match token {
                Token::String(text) => Ok(Value::String(text)),
                Token::Number(text) => Ok(Value::String(text.to_owned())),
                Token::Bool(value) => Ok(Value::String(value.to_string())),
                other => Err(mismatch(self, &other)),
            },
            Type::List(element_type) => {
                let Token::ArrayStart = token else { return Err(mismatch(self, &token)) };
                let mut elements = Vec::new();
                self.enter()?;
                while self.next_element(elements.is_empty())? {
                    let index = elements.len() as i64;
                    let element =
                        self.value(element_type).map_err(|error| error.under(PathStep::ElementKeyInt(index)))?;
                    elements.push(element);
                }
                self.leave();
                Ok(Value::List(elements))
            }
            Type::Set(element_type) => {
                let Token::ArrayStart = token else { return Err(mismatch(self, &token)) };
                let mut elements = Vec::new();
                self.enter()?;
                while self.next_element(elements.is_empty())? {
                    // Set elements have no path step of their own: errors point at the set.
                    elements.push(self.value(element_type)?);
                }
                self.leave();
                Ok(Value::Set(elements))
            }
            Type::Tuple(element_types) => {
                let Token::ArrayStart = token else { return Err(mismatch(self, &token)) };
                let mut elements = Vec::with_capacity(element_types.len());
                self.enter()?;
                while self.next_element(elements.is_empty())? {
                    let index = elements.len();
                    let Some(element_type) = element_types.get(index) else {
                        return Err(ValueError::at_root(format!(
                            "expected a tuple of {} element(s), found more",
                            element_types.len()
                        )));
                    };
                    let element =
                        self.value(element_type).map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?;
                    elements.push(element);
                }
                self.leave();
                if elements.len() != element_types.len() {
                    return Err(ValueError::at_root(format!(
                        "expected a tuple of {} element(s), found {}",
                        element_types.len(),
                        elements.len()
                    )));
                }
                Ok(Value::Tuple(elements))
            }
            Type::Map(element_type) => {
                let Token::ObjectStart = token else { return Err(mismatch(self, &token)) };
                let mut entries = BTreeMap::new();
                self.enter()?;
                while let Some(key) = self.next_member(entries.is_empty())? {
                    let element = self
                        .value(element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyString(key.clone())))?;
                    if let Some(duplicate) = insert_new(&mut entries, key, element) {
                        return Err(ValueError::at_root("the key appears more than once")
                            .under(PathStep::ElementKeyString(duplicate)));
                    }
                }
                self.leave();
                Ok(Value::Map(entries))
            }
            Type::Object { attributes, .. } => {
                let Token::ObjectStart = token else { return Err(mismatch(self, &token)) };
                let mut values = BTreeMap::new();
                self.enter()?;
                while let Some(name) = self.next_member(values.is_empty())? {
                    let Some(attribute_type) = attributes.get(&name) else {
                        return Err(ValueError::at_root(format!("unsupported attribute {name:?}")));
                    };
                    let attribute =
                        self.value(attribute_type).map_err(|error| error.under(PathStep::Attribute(name.clone())))?;
                    if let Some(duplicate) = insert_new(&mut values, name, attribute) {
                        return Err(ValueError::at_root("the attribute appears more than once")
                            .under(PathStep::Attribute(duplicate)));
                    }
                }
                self.leave();
                if values.len() < attributes.len() {
                    for name in attributes.keys() {
                        values.entry(name.clone()).or_insert(Value::Null);
                    }
                }
                Ok(Value::Object(values))
            }
        }
    }

    /// Reads cty's `{"value": V, "type": T}` wrapper. The value may come before the type, so it is skipped first and
    /// decoded once the type is known.
    fn wrapped_dynamic(&mut self, token: Token<'a>) -> Result<Value, ValueError> {
        let Token::ObjectStart = token else {
            return Err(ValueError::at_root(format!(
                "a value of dynamic type must be a {{\"value\", \"type\"}} object, found {}",
                token_kind(&token)
            )));
        };
        let mut value_text = None;
        let mut ty = None;
        self.enter()?;
        let mut first = true;
        while let Some(key) = self.next_member(first)? {
            first = false;
            match key.as_str() {
                "value" if value_text.is_none() => value_text = Some(self.skip_value()?),
                "type" if ty.is_none() => ty = Some(Type::from_json(self.skip_value()?.as_bytes())?),
                other => {
                    return Err(ValueError::at_root(format!("unexpected key {other:?} in a value of dynamic type")));
                }
            }
        }
        self.leave();
        let (Some(value_text), Some(ty)) = (value_text, ty) else {
            return Err(ValueError::at_root("a value of dynamic type needs both \"value\" and \"type\""));
        };
        if ty == Type::Dynamic {
            return Err(ValueError::at_root("a dynamic value must name a concrete type, not \"dynamic\""));
        }
        let mut inner = Reader { text: value_text, position: 0, depth: self.depth };
        let value = inner.value(&ty)?;
        Ok(Value::Dynamic(ty, Box::new(value)))
    }

    /// Skips one complete value, checking its syntax, and returns its text.
    fn skip_value(&mut self) -> Result<&'a str, ValueError> {
        self.skip_whitespace();
        let start = self.position;
        match self.token()? {
            Token::ArrayStart => {
                self.enter()?;
                let mut first = true;
                while self.next_element(first)? {
                    first = false;
                    self.skip_value()?;
                }
                self.leave();
            }
            Token::ObjectStart => {
                self.enter()?;
                let mut first = true;
                while self.next_member(first)?.is_some() {
                    first = false;
                    self.skip_value()?;
                }
                self.leave();
            }
            Token::Null | Token::Bool(_) | Token::Number(_) | Token::String(_) => {}
        }
        Ok(&self.text[start..self.position])
    }

    /// Notes one more level of nesting, refusing to go deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), ValueError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ValueError::at_root(format!("the JSON nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// After `[` or an element: true if another element follows (its start is next), false at `]`.
    fn next_element(&mut self, first: bool) -> Result<bool, ValueError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b']') => {
                self.position += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.position += 1;
                Ok(true)
            }
            _ if first => Ok(true),
            _ => Err(self.syntax_error("expected ',' or ']'")),
        }
    }

    /// After `{` or a member: the next member's key (with its `:` consumed), or `None` at `}`.
    fn next_member(&mut self, first: bool) -> Result<Option<String>, ValueError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'}') => {
                self.position += 1;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.position += 1;
                self.skip_whitespace();
            }
            _ if first => {}
            _ => return Err(self.syntax_error("expected ',' or '}'")),
        }
        if self.peek() != Some(b'"') {
            return Err(self.syntax_error("expected a string key"));
        }
        self.position += 1;
        let key = self.string_body()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.syntax_error("expected ':'"));
        }
        self.position += 1;
        Ok(Some(key))
    }

    fn token(&mut self) -> Result<Token<'a>, ValueError> {
        self.skip_whitespace();
        let rest = &self.text.as_bytes()[self.position..];
        let literal = |word: &str| rest.starts_with(word.as_bytes());
        let token = match rest.first() {
            None => return Err(self.syntax_error("unexpected end of the JSON data")),
            Some(b'n') if literal("null") => {
                self.position += 4;
                Token::Null
            }
            Some(b't') if literal("true") => {
                self.position += 4;
                Token::Bool(true)
            }
            Some(b'f') if literal("false") => {
                self.position += 5;
                Token::Bool(false)
            }
            Some(b'"') => {
                self.position += 1;
                Token::String(self.string_body()?)
            }
            Some(b'[') => {
                self.position += 1;
                Token::ArrayStart
            }
            Some(b'{') => {
                self.position += 1;
                Token::ObjectStart
            }
            Some(b'-' | b'0'..=b'9') => Token::Number(self.number_text()?),
            Some(_) => return Err(self.syntax_error("expected a JSON value")),
        };
        Ok(token)
    }

    /// Reads a number following JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number_text(&mut self) -> Result<&'a str, ValueError> {
        let bytes = self.text.as_bytes();
        let start = self.position;
        let mut position = start;
        let digits = |position: &mut usize| {
            let from = *position;
            while bytes.get(*position).is_some_and(u8::is_ascii_digit) {
                *position += 1;
            }
            *position - from
        };
        if bytes.get(position) == Some(&b'-') {
            position += 1;
        }
        let integer_start = position;
        let integer_digits = digits(&mut position);
        let valid_integer = integer_digits == 1 || (integer_digits > 1 && bytes[integer_start] != b'0');
        let mut valid = valid_integer;
        if valid && bytes.get(position) == Some(&b'.') {
            position += 1;
            valid = digits(&mut position) > 0;
        }
        if valid && matches!(bytes.get(position), Some(b'e' | b'E')) {
            position += 1;
            if matches!(bytes.get(position), Some(b'+' | b'-')) {
                position += 1;
            }
            valid = digits(&mut position) > 0;
        }
        if !valid {
            self.position = position;
            return Err(self.syntax_error("invalid number"));
        }
        self.position = position;
        Ok(&self.text[start..position])
    }

    /// Reads the rest of a string whose opening quote has been consumed, decoding escapes.
    fn string_body(&mut self) -> Result<String, ValueError> {
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go; it ends at a quote, a backslash or a control character.
            let run_start = self.position;
            while let Some(&byte) = bytes.get(self.position) {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            out.push_str(&self.text[run_start..self.position]);
            match bytes.get(self.position) {
                None => return Err(self.syntax_error("unterminated string")),
                Some(b'"') => {
                    self.position += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.position += 1;
                    let simple = match bytes.get(self.position) {
                        Some(b'"') => Some('"'),
                        Some(b'\\') => Some('\\'),
                        Some(b'/') => Some('/'),
                        Some(b'b') => Some('\u{8}'),
                        Some(b'f') => Some('\u{c}'),
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(b't') => Some('\t'),
                        Some(b'u') => None,
                        _ => return Err(self.syntax_error("invalid escape in string")),
                    };
                    self.position += 1;
                    let character = match simple {
                        Some(character) => character,
                        None => self.unicode_escape()?,
                    };
                    out.push(character);
                }
                Some(_) => return Err(self.syntax_error("control character in string")),
            }
        }
    }

    /// Decodes the hex digits of a `\u` escape (the `\u` is consumed), joining a UTF-16 surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, ValueError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.text.as_bytes()[self.position..].starts_with(b"\\u") {
                return Err(self.syntax_error("unpaired surrogate in string"));
            }
            self.position += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.syntax_error("unpaired surrogate in string"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.syntax_error("unpaired surrogate in string"))
    }

    fn hex4(&mut self) -> Result<u32, ValueError> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .ok_or_else(|| self.syntax_error("invalid \\u escape in string"))?;
        self.position += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.syntax_error("invalid \\u escape in string"))
    }

    fn skip_whitespace(&mut self) {
        let bytes = self.text.as_bytes();
        while matches!(bytes.get(self.position), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.position += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn syntax_error(&self, what: &str) -> ValueError {
        ValueError::at_root(format!("invalid JSON at byte {}: {what}", self.position))
    }
}

/// Inserts a new entry; if the key was already there, keeps the map unchanged and returns the key.
fn insert_new(map: &mut BTreeMap<String, Value>, key: String, value: Value) -> Option<String> {
    match map.entry(key) {
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(value);
            None
        }
        std::collections::btree_map::Entry::Occupied(slot) => Some(slot.key().clone()),
    }
}

fn token_kind(token: &Token<'_>) -> &'static str {
    match token {
        Token::Null => "null",
        Token::Bool(_) => "a JSON bool",
        Token::Number(_) => "a JSON number",
        Token::String(_) => "a JSON string",
        Token::ArrayStart => "a JSON array",
        Token::ObjectStart => "a JSON object",
    }
}

/// Writes JSON text. The only errors are unknowns and values that do not fit their type.
struct Writer {
    out: String,
}

impl Writer {
    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), ValueError> {
        if let Type::Dynamic = ty {
            return self.dynamic(value);
        }
        match (value, ty) {
            (Value::Unknown, _) => return Err(ValueError::at_root("JSON cannot represent an unknown value")),
            (Value::Null, _) => self.out.push_str("null"),
            (Value::Dynamic(inner_type, inner), _) if inner_type == ty => self.value(inner, ty)?,
            (Value::Bool(value), Type::Bool) => self.out.push_str(if *value { "true" } else { "false" }),
            (Value::Number(number), Type::Number) => self.out.push_str(number.as_str()),
            (Value::String(text), Type::String) => write_json_string(&mut self.out, text),
            (Value::List(elements), Type::List(element_type)) => {
                self.out.push('[');
                for (index, element) in elements.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?;
                }
                self.out.push(']');
            }
            (Value::Set(elements), Type::Set(element_type)) => {
                self.out.push('[');
                for (index, element) in elements.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.value(element, element_type)?;
                }
                self.out.push(']');
            }
            (Value::Tuple(elements), Type::Tuple(element_types)) => {
                if elements.len() != element_types.len() {
                    return Err(ValueError::at_root(format!(
                        "expected a tuple of {} element(s), found {}",
                        element_types.len(),
                        elements.len()
                    )));
                }
                self.out.push('[');
                for (index, (element, element_type)) in elements.iter().zip(element_types).enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyInt(index as i64)))?;
                }
                self.out.push(']');
            }
            (Value::Map(entries), Type::Map(element_type)) => {
                self.out.push('{');
                for (index, (key, element)) in entries.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    write_json_string(&mut self.out, key);
                    self.out.push(':');
                    self.value(element, element_type)
                        .map_err(|error| error.under(PathStep::ElementKeyString(key.clone())))?;
                }
                self.out.push('}');
            }
            (Value::Object(values), Type::Object { attributes, .. }) => {
                if let Some(extra) = values.keys().find(|name| !attributes.contains_key(*name)) {
                    return Err(ValueError::at_root(format!(
                        "the object has attribute {extra:?}, which its type does not"
                    )));
                }
                self.out.push('{');
                for (index, (name, attribute_type)) in attributes.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    write_json_string(&mut self.out, name);
                    self.out.push(':');
                    self.value(values.get(name).unwrap_or(&Value::Null), attribute_type)
                        .map_err(|error| error.under(PathStep::Attribute(name.clone())))?;
                }
                self.out.push('}');
            }
            (value, ty) => {
                return Err(ValueError::at_root(format!(
                    "expected {}, found {}",
                    ty.with_article(),
                    value.kind_name()
                )));
            }
        }
        Ok(())
    }

    fn dynamic(&mut self, value: &Value) -> Result<(), ValueError> {
        match value {
            Value::Unknown => Err(ValueError::at_root("JSON cannot represent an unknown value")),
            Value::Null => {
                self.out.push_str("null");
                Ok(())
            }
            Value::Dynamic(Type::Dynamic, _) => {
                Err(ValueError::at_root("a dynamic value must name a concrete type, not \"dynamic\""))
            }
            Value::Dynamic(inner_type, inner) => {
                self.out.push_str("{\"value\":");
                self.value(inner, inner_type)?;
                self.out.push_str(",\"type\":");
                self.out.push_str(&String::from_utf8_lossy(&inner_type.to_json()));
                self.out.push('}');
                Ok(())
            }
            other => Err(ValueError::at_root(format!(
                "a value of dynamic type must be wrapped in Value::Dynamic with its concrete type, found {}",
                other.kind_name()
            ))),
        }
    }
}
