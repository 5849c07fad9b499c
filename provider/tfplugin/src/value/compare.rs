//! Comparing values the way Terraform does.
//!
//! Terraform's sets have no order, and the order in which a set arrives carries no meaning (cty keeps sets sorted
//! by hash, and a provider may answer in any order). So set equality here is multiset equality. Numbers are already
//! canonical text, so comparing them compares values.

use std::collections::BTreeMap;

use super::Value;

impl PartialEq for Value {
    /// Structural equality, except that two sets are equal when they hold the same elements in any order and an
    /// object attribute that is missing equals one that is null. A
    /// dynamic wrapper is part of the value: `Dynamic(string, "a")` differs from `"a"`; use
    /// [`Value::semantically_equal`] to look through wrappers.
    fn eq(&self, other: &Self) -> bool {
        equal(self, other, false)
    }
}

impl Value {
    /// Equality for plan comparisons: sets compare as multisets, numbers by value, and dynamic wrappers are looked
    /// through (a dynamic value equals the plain value it wraps). Unknown equals only unknown, and null only null.
    pub fn semantically_equal(&self, other: &Value) -> bool {
        equal(self, other, true)
    }
}

fn equal(left: &Value, right: &Value, look_through_dynamic: bool) -> bool {
    let (left, right) =
        if look_through_dynamic { (left.unwrap_dynamic(), right.unwrap_dynamic()) } else { (left, right) };
    let same = |a: &Value, b: &Value| equal(a, b, look_through_dynamic);
    match (left, right) {
        (Value::Unknown, Value::Unknown) | (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        (Value::Object(a), Value::Object(b)) => same_attributes(a, b, &same),
        (Value::Set(a), Value::Set(b)) => same_multiset(a, b, &same),
        (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && same(a, b),
        _ => false,
    }
}

/// Compares two objects' attributes, treating a missing attribute as null (which is what it means to the codecs).
fn same_attributes(
    left: &BTreeMap<String, Value>,
    right: &BTreeMap<String, Value>,
    same: &dyn Fn(&Value, &Value) -> bool,
) -> bool {
    let null = Value::Null;
    let left_in_right = left.iter().all(|(name, value)| same(value, right.get(name).unwrap_or(&null)));
    let right_only_null =
        right.iter().filter(|(name, _)| !left.contains_key(*name)).all(|(_, value)| same(value, &null));
    left_in_right && right_only_null
}

/// Matches each element of `left` with an unmatched equal element of `right`. Equality is an equivalence, so greedy
/// matching is exact. The search starts at the same position, which makes the common case (same order) linear.
fn same_multiset(left: &[Value], right: &[Value], same: &dyn Fn(&Value, &Value) -> bool) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut matched = vec![false; right.len()];
    for (position, element) in left.iter().enumerate() {
        let candidates = (position..right.len()).chain(0..position);
        let found = candidates.into_iter().find(|&candidate| !matched[candidate] && same(element, &right[candidate]));
        match found {
            Some(candidate) => matched[candidate] = true,
            None => return false,
        }
    }
    true
}
