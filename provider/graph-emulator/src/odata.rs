//! OData URL handling: resource paths (including `partners('{id}')` keys and function-call segments), system query
//! options (`$select`, `$expand`, `$filter`, `$top`, `$skip`, `$skiptoken`, `$count`) and skip tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;

use crate::error::GraphError;

/// Whether `value` is a GUID in the 8-4-4-4-12 hex form.
pub(crate) fn is_guid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Decodes `%XX` escapes in a path segment. Invalid escapes are kept as written.
pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The Graph API version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Splits `/v1.0/...` or `/beta/...` into the version and the rest (which starts with `/` or is empty).
    pub(crate) fn split(path: &str) -> Option<(ApiVersion, &str)> {
        for (prefix, version) in [("/v1.0", ApiVersion::V1), ("/beta", ApiVersion::Beta)] {
            if let Some(rest) = strip_prefix_ignore_case(path, prefix)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return Some((version, rest));
            }
        }
        None
    }
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &value[prefix.len()..])
}

/// The resource a request addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    Policy,
    Default,
    DefaultReset,
    Partners,
    Partner(String),
    PartnerSync(String),
    FindByDomain(String),
    FindByTenantId(String),
    PartnerTemplate,
    PartnerTemplateReset,
    SyncTemplate,
    SyncTemplateReset,
    Batch,
    DeletedPartners,
    DeletedPartner(String),
    DeletedPartnerRestore(String),
    DeletedSyncPolicies,
    DeletedSyncPolicy(String),
    DeletedSyncPolicyRestore(String),
    /// Directory objects and synchronization (graph-sync-and-mto.md Part A): see the `provisioning` module.
    Provisioning(crate::provisioning::Route),
    /// The multi-tenant organization (graph-sync-and-mto.md Part B): see the `mto` module.
    Mto(crate::mto::Route),
}

impl Resource {
    /// The route template used in statistics and fault filters.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Resource::Policy => "/policies/crossTenantAccessPolicy",
            Resource::Default => "/policies/crossTenantAccessPolicy/default",
            Resource::DefaultReset => "/policies/crossTenantAccessPolicy/default/resetToSystemDefault",
            Resource::Partners => "/policies/crossTenantAccessPolicy/partners",
            Resource::Partner(_) => "/policies/crossTenantAccessPolicy/partners/{id}",
            Resource::PartnerSync(_) => "/policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization",
            Resource::FindByDomain(_) => {
                "/tenantRelationships/findTenantInformationByDomainName(domainName='{domain}')"
            }
            Resource::FindByTenantId(_) => "/tenantRelationships/findTenantInformationByTenantId(tenantId='{guid}')",
            Resource::PartnerTemplate => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration"
            }
            Resource::PartnerTemplateReset => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationPartnerConfiguration/resetToDefaultSettings"
            }
            Resource::SyncTemplate => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization"
            }
            Resource::SyncTemplateReset => {
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings"
            }
            Resource::Batch => "/$batch",
            Resource::DeletedPartners => "/policies/deletedItems/crossTenantPartners",
            Resource::DeletedPartner(_) => "/policies/deletedItems/crossTenantPartners/{id}",
            Resource::DeletedPartnerRestore(_) => "/policies/deletedItems/crossTenantPartners/{id}/restore",
            Resource::DeletedSyncPolicies => "/policies/deletedItems/crossTenantSyncPolicyPartners",
            Resource::DeletedSyncPolicy(_) => "/policies/deletedItems/crossTenantSyncPolicyPartners/{id}",
            Resource::DeletedSyncPolicyRestore(_) => {
                "/policies/deletedItems/crossTenantSyncPolicyPartners/{id}/restore"
            }
            Resource::Provisioning(route) => route.template(),
            Resource::Mto(route) => route.template(),
        }
    }

    /// The methods the resource supports.
    pub(crate) fn methods(&self) -> &'static [Method] {
        const GET: &[Method] = &[Method::GET];
        const POST: &[Method] = &[Method::POST];
        const GET_PATCH: &[Method] = &[Method::GET, Method::PATCH];
        const GET_POST: &[Method] = &[Method::GET, Method::POST];
        const GET_DELETE: &[Method] = &[Method::GET, Method::DELETE];
        const ITEM: &[Method] = &[Method::GET, Method::PATCH, Method::DELETE];
        const SYNC: &[Method] = &[Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
        match self {
            Resource::Policy | Resource::Default | Resource::PartnerTemplate | Resource::SyncTemplate => GET_PATCH,
            Resource::DefaultReset
            | Resource::PartnerTemplateReset
            | Resource::SyncTemplateReset
            | Resource::Batch
            | Resource::DeletedPartnerRestore(_)
            | Resource::DeletedSyncPolicyRestore(_) => POST,
            Resource::Partners => GET_POST,
            Resource::Partner(_) => ITEM,
            Resource::PartnerSync(_) => SYNC,
            Resource::FindByDomain(_)
            | Resource::FindByTenantId(_)
            | Resource::DeletedPartners
            | Resource::DeletedSyncPolicies => GET,
            Resource::DeletedPartner(_) | Resource::DeletedSyncPolicy(_) => GET_DELETE,
            Resource::Provisioning(route) => route.methods(),
            Resource::Mto(route) => route.methods(),
        }
    }

    /// Whether the resource exists only in beta.
    pub(crate) fn beta_only(&self) -> bool {
        matches!(
            self,
            Resource::DeletedPartners
                | Resource::DeletedPartner(_)
                | Resource::DeletedPartnerRestore(_)
                | Resource::DeletedSyncPolicies
                | Resource::DeletedSyncPolicy(_)
                | Resource::DeletedSyncPolicyRestore(_)
        )
    }
}

fn segment_not_found(segment: &str) -> GraphError {
    GraphError::gateway_bad_request(format!("Resource not found for the segment '{segment}'."))
}

/// Matches a segment name case-insensitively, also accepting the namespace-qualified action name.
fn is(segment: &str, name: &str) -> bool {
    segment.eq_ignore_ascii_case(name)
        || strip_prefix_ignore_case(segment, "microsoft.graph.").is_some_and(|s| s.eq_ignore_ascii_case(name))
}

/// Splits `name(args)` into the name and the argument text.
fn split_call(segment: &str) -> Option<(&str, &str)> {
    let open = segment.find('(')?;
    let inner = segment.strip_suffix(')')?;
    Some((&segment[..open], &inner[open + 1..]))
}

/// Reads an OData string literal `'...'` (with `''` as an escaped quote).
fn string_literal(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Reads a key predicate: `'id'`, `id` or `tenantId='id'`.
fn key_predicate(text: &str) -> Option<String> {
    let text = text.trim();
    let value = match text.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("tenantId") => value,
        Some(_) => return None,
        None => text,
    };
    string_literal(value).or_else(|| (!value.contains('\'')).then(|| value.trim().to_owned()))
}

/// Reads a function's single named parameter: `name='value'`.
fn function_parameter(arguments: &str, parameter: &str) -> Option<String> {
    let (name, value) = arguments.split_once('=')?;
    name.trim().eq_ignore_ascii_case(parameter).then(|| string_literal(value)).flatten()
}

/// Parses the path after the version prefix into a resource.
pub(crate) fn parse_path(path: &str) -> Result<Resource, GraphError> {
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let not_found = |index: usize| -> GraphError {
        match s.get(index) {
            Some(segment) => segment_not_found(segment),
            None => GraphError::gateway_bad_request("Resource not found for the segment ''.".to_owned()),
        }
    };
    if let Some(route) = crate::provisioning::parse_path(&s)? {
        return Ok(Resource::Provisioning(route));
    }
    if let Some(route) = crate::mto::parse_path(&s)? {
        return Ok(Resource::Mto(route));
    }
    match s.first() {
        Some(first) if *first == "$batch" && s.len() == 1 => return Ok(Resource::Batch),
        Some(first) if is(first, "tenantRelationships") => {
            let Some(call) = s.get(1) else { return Err(not_found(1)) };
            if s.len() > 2 {
                return Err(not_found(2));
            }
            let Some((name, arguments)) = split_call(call) else { return Err(not_found(1)) };
            if is(name, "findTenantInformationByDomainName") {
                return function_parameter(arguments, "domainName").map(Resource::FindByDomain).ok_or_else(|| {
                    GraphError::gateway_bad_request(format!(
                        "The parameter 'domainName' is missing or invalid in '{call}'."
                    ))
                });
            }
            if is(name, "findTenantInformationByTenantId") {
                return function_parameter(arguments, "tenantId").map(Resource::FindByTenantId).ok_or_else(|| {
                    GraphError::gateway_bad_request(format!(
                        "The parameter 'tenantId' is missing or invalid in '{call}'."
                    ))
                });
            }
            return Err(not_found(1));
        }
        Some(first) if is(first, "policies") => {}
        _ => return Err(not_found(0)),
    }
    let Some(second) = s.get(1) else { return Err(not_found(1)) };
    if is(second, "deletedItems") {
        return parse_deleted_items(&s, not_found);
    }
    if !is(second, "crossTenantAccessPolicy") {
        return Err(not_found(1));
    }
    let rest = &s[2..];
    let resource = match rest {
        [] => Resource::Policy,
        [d] if is(d, "default") => Resource::Default,
        [d, r] if is(d, "default") && is(r, "resetToSystemDefault") => Resource::DefaultReset,
        [p] if is(p, "partners") => Resource::Partners,
        [t, name, tail @ ..] if is(t, "templates") => {
            let (plain, reset) = if is(name, "multiTenantOrganizationPartnerConfiguration") {
                (Resource::PartnerTemplate, Resource::PartnerTemplateReset)
            } else if is(name, "multiTenantOrganizationIdentitySynchronization") {
                (Resource::SyncTemplate, Resource::SyncTemplateReset)
            } else {
                return Err(not_found(3));
            };
            match tail {
                [] => plain,
                [r] if is(r, "resetToDefaultSettings") => reset,
                _ => return Err(not_found(4)),
            }
        }
        _ => {
            // Partner item: `partners/{id}[/identitySynchronization]` or `partners('{id}')[/identitySynchronization]`.
            let (key, tail, tail_index) = match rest {
                [p, key, tail @ ..] if is(p, "partners") => (key.to_string(), tail, 4),
                [call, tail @ ..] => match split_call(call) {
                    Some((name, args)) if is(name, "partners") => {
                        (key_predicate(args).ok_or_else(|| not_found(2))?, tail, 3)
                    }
                    _ => return Err(not_found(2)),
                },
                [] => return Err(not_found(2)),
            };
            match tail {
                [] => Resource::Partner(key),
                [sync] if is(sync, "identitySynchronization") => Resource::PartnerSync(key),
                _ => return Err(not_found(tail_index)),
            }
        }
    };
    Ok(resource)
}

fn parse_deleted_items(s: &[&str], not_found: impl Fn(usize) -> GraphError) -> Result<Resource, GraphError> {
    let Some(collection) = s.get(2) else { return Err(not_found(2)) };
    type ItemConstructor = fn(String) -> Resource;
    let (list, item, restore): (Resource, ItemConstructor, ItemConstructor) = if is(collection, "crossTenantPartners") {
        (Resource::DeletedPartners, Resource::DeletedPartner, Resource::DeletedPartnerRestore)
    } else if is(collection, "crossTenantSyncPolicyPartners") {
        (Resource::DeletedSyncPolicies, Resource::DeletedSyncPolicy, Resource::DeletedSyncPolicyRestore)
    } else {
        return Err(not_found(2));
    };
    match &s[3..] {
        [] => Ok(list),
        [key] => Ok(item((*key).to_owned())),
        [key, r] if is(r, "restore") => Ok(restore((*key).to_owned())),
        _ => Err(not_found(4)),
    }
}

/// The system query options of a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct QueryOptions {
    pub(crate) select: Option<Vec<String>>,
    pub(crate) expand: Option<Vec<String>>,
    pub(crate) filter: Option<String>,
    pub(crate) top: Option<usize>,
    pub(crate) skip: Option<usize>,
    pub(crate) skiptoken: Option<String>,
    pub(crate) count: bool,
}

/// The options a resource supports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Supported {
    pub(crate) select: bool,
    pub(crate) expand: bool,
    pub(crate) paging: bool,
}

/// Parses the raw query string. Parameters without `$` are ignored, as Graph does; unknown or repeated system
/// query options and options the resource does not support are rejected.
pub(crate) fn parse_query(raw: Option<&str>, supported: Supported) -> Result<QueryOptions, GraphError> {
    let mut options = QueryOptions::default();
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let lower = name.to_ascii_lowercase();
        let canonical = if lower.starts_with('$') {
            lower.clone()
        } else if ["select", "expand", "filter", "top", "skip", "skiptoken", "count"].contains(&lower.as_str()) {
            // Graph v1.0 also accepts system query options without the `$` prefix.
            format!("${lower}")
        } else {
            continue;
        };
        if seen.contains(&canonical) {
            return Err(GraphError::gateway_bad_request(format!(
                "Query option '{canonical}' was specified more than once, but it must be specified at most once."
            )));
        }
        seen.push(canonical.clone());
        let unsupported = || {
            GraphError::new(
                http::StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                format!("The query option '{canonical}' is not supported on this resource."),
            )
        };
        match canonical.as_str() {
            "$select" if supported.select => options.select = Some(split_list(&value)),
            "$expand" if supported.expand => options.expand = Some(split_list(&value)),
            "$filter" if supported.paging => options.filter = Some(value.into_owned()),
            "$top" if supported.paging => options.top = Some(parse_page_size(&value)?),
            "$skip" if supported.paging => {
                options.skip = Some(value.trim().parse().map_err(|_| {
                    GraphError::gateway_bad_request(format!("Invalid value '{value}' for query option '$skip'."))
                })?)
            }
            "$skiptoken" if supported.paging => options.skiptoken = Some(value.into_owned()),
            "$count" if supported.paging => {
                options.count = match value.trim() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(GraphError::gateway_bad_request(format!(
                            "Invalid value '{other}' for query option '$count'."
                        )));
                    }
                }
            }
            "$select" | "$expand" | "$filter" | "$top" | "$skip" | "$skiptoken" | "$count" | "$orderby" | "$search"
            | "$format" => return Err(unsupported()),
            _ => {
                return Err(GraphError::gateway_bad_request(format!(
                    "Unrecognized query argument specified: '{canonical}'."
                )));
            }
        }
    }
    Ok(options)
}

fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn parse_page_size(value: &str) -> Result<usize, GraphError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=999).contains(&n) => Ok(n),
        _ => Err(GraphError::gateway_bad_request(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
        ))),
    }
}

/// One comparison of a `$filter`: `property eq literal`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Comparison {
    pub(crate) property: String,
    pub(crate) value: serde_json::Value,
}

/// A `$filter` in disjunctive normal form: any of the groups matches when all of its comparisons do.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Filter {
    pub(crate) any_of: Vec<Vec<Comparison>>,
}

/// Properties the partner list can be filtered on.
const FILTERABLE: [&str; 3] = ["tenantId", "isServiceProvider", "isInMultiTenantOrganization"];

fn unsupported_filter(detail: &str) -> GraphError {
    GraphError::new(
        http::StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
        format!("Unsupported or invalid query filter clause specified: {detail}"),
    )
}

/// Splits a filter into tokens: quoted literals stay whole, parentheses and commas stand alone.
fn tokenize(filter: &str) -> Result<Vec<String>, GraphError> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            let mut literal = String::from("'");
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                literal.push(c);
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        literal.push('\'');
                        chars.next();
                    } else {
                        closed = true;
                        break;
                    }
                }
            }
            if !closed {
                return Err(unsupported_filter("unterminated string literal."));
            }
            tokens.push(literal);
        } else if c == '(' || c == ')' || c == ',' {
            tokens.push(c.to_string());
            chars.next();
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == ',' || c == '\'' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(word);
        }
    }
    Ok(tokens)
}

fn literal(token: &str) -> Result<serde_json::Value, GraphError> {
    if let Some(text) = string_literal(token) {
        return Ok(serde_json::Value::String(text));
    }
    match token {
        "true" => Ok(serde_json::Value::Bool(true)),
        "false" => Ok(serde_json::Value::Bool(false)),
        "null" => Ok(serde_json::Value::Null),
        other => Err(unsupported_filter(&format!("'{other}' is not a supported literal."))),
    }
}

/// Parses `p eq v [and|or p eq v ...]` and `p in ('a','b')`, without parentheses around clauses.
pub(crate) fn parse_filter(filter: &str) -> Result<Filter, GraphError> {
    let tokens = tokenize(filter)?;
    let mut any_of: Vec<Vec<Comparison>> = vec![Vec::new()];
    let mut i = 0;
    loop {
        let Some(property) = tokens.get(i) else {
            return Err(unsupported_filter("a comparison was expected."));
        };
        let Some(canonical) = FILTERABLE.iter().find(|p| p.eq_ignore_ascii_case(property)) else {
            return Err(unsupported_filter(&format!(
                "property '{property}' of resource 'crossTenantAccessPolicyConfigurationPartner' cannot be filtered."
            )));
        };
        let operator = tokens.get(i + 1).map(|s| s.to_ascii_lowercase());
        let group = any_of.last_mut().ok_or_else(|| unsupported_filter("empty filter."))?;
        match operator.as_deref() {
            Some("eq") => {
                let value = literal(tokens.get(i + 2).ok_or_else(|| unsupported_filter("a value was expected."))?)?;
                group.push(Comparison { property: (*canonical).to_owned(), value });
                i += 3;
            }
            Some("in") => {
                // `p in ('a','b')` becomes an or-group; only allowed as a clause of its own.
                if tokens.get(i + 2).map(String::as_str) != Some("(") {
                    return Err(unsupported_filter("'in' needs a parenthesised list."));
                }
                let mut values = Vec::new();
                let mut j = i + 3;
                loop {
                    let token = tokens.get(j).ok_or_else(|| unsupported_filter("unterminated list."))?;
                    if token == ")" {
                        break;
                    }
                    if token != "," {
                        values.push(literal(token)?);
                    }
                    j += 1;
                }
                if !group.is_empty() || values.is_empty() {
                    return Err(unsupported_filter("'in' cannot be combined with 'and'."));
                }
                any_of.pop();
                for value in values {
                    any_of.push(vec![Comparison { property: (*canonical).to_owned(), value }]);
                }
                i = j + 1;
                if tokens.get(i).is_some() {
                    any_of.push(Vec::new());
                }
            }
            _ => return Err(unsupported_filter("only 'eq' and 'in' are supported.")),
        }
        match tokens.get(i).map(|s| s.to_ascii_lowercase()).as_deref() {
            None => break,
            Some("and") => i += 1,
            Some("or") => {
                if any_of.last().is_some_and(|g| !g.is_empty()) {
                    any_of.push(Vec::new());
                }
                i += 1;
            }
            Some(other) => return Err(unsupported_filter(&format!("unexpected '{other}'."))),
        }
    }
    any_of.retain(|g| !g.is_empty());
    Ok(Filter { any_of })
}

impl Filter {
    /// Whether a stored partner matches. Tenant ids compare case-insensitively.
    pub(crate) fn matches(&self, object: &serde_json::Map<String, serde_json::Value>) -> bool {
        self.any_of.iter().any(|group| {
            group.iter().all(|c| {
                let actual = object.get(&c.property).unwrap_or(&serde_json::Value::Null);
                match (actual, &c.value) {
                    (serde_json::Value::String(a), serde_json::Value::String(b)) => a.eq_ignore_ascii_case(b),
                    (a, b) => a == b,
                }
            })
        })
    }
}

/// Encodes the key after which the next page starts.
pub(crate) fn encode_skiptoken(after_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("partners:{after_key}"))
}

/// Decodes a skip token made by [`encode_skiptoken`].
pub(crate) fn decode_skiptoken(token: &str) -> Result<String, GraphError> {
    URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("partners:").map(str::to_owned))
        .ok_or_else(|| GraphError::gateway_bad_request(format!("The skip token '{token}' is not valid.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";

    #[test]
    fn guids() {
        assert!(is_guid(ID));
        assert!(is_guid(&ID.to_uppercase()));
        assert!(!is_guid("3d0f5dec5d3d455c8016e2af1ae4d31a"));
        assert!(!is_guid("zd0f5dec-5d3d-455c-8016-e2af1ae4d31a"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("partners(%27a%27)"), "partners('a')");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn versions() {
        assert_eq!(ApiVersion::split("/v1.0/policies"), Some((ApiVersion::V1, "/policies")));
        assert_eq!(ApiVersion::split("/beta"), Some((ApiVersion::Beta, "")));
        assert_eq!(ApiVersion::split("/v1.01/x"), None);
        assert_eq!(ApiVersion::split("/v2.0/x"), None);
    }

    #[test]
    fn partner_keys_in_both_syntaxes() {
        let base = "/policies/crossTenantAccessPolicy";
        assert_eq!(parse_path(&format!("{base}/partners/{ID}")), Ok(Resource::Partner(ID.to_owned())));
        assert_eq!(parse_path(&format!("{base}/partners('{ID}')")), Ok(Resource::Partner(ID.to_owned())));
        assert_eq!(parse_path(&format!("{base}/partners(%27{ID}%27)")), Ok(Resource::Partner(ID.to_owned())));
        assert_eq!(parse_path(&format!("{base}/partners(tenantId='{ID}')")), Ok(Resource::Partner(ID.to_owned())));
        assert_eq!(
            parse_path(&format!("{base}/partners('{ID}')/identitySynchronization")),
            Ok(Resource::PartnerSync(ID.to_owned()))
        );
        assert_eq!(
            parse_path(&format!("{base}/partners/{ID}/identitySynchronization")),
            Ok(Resource::PartnerSync(ID.to_owned()))
        );
        let error = parse_path(&format!("{base}/partners/{ID}/nope")).unwrap_err();
        assert_eq!(error.message, "Resource not found for the segment 'nope'.");
    }

    #[test]
    fn singletons_actions_and_templates() {
        assert_eq!(parse_path("/policies/crossTenantAccessPolicy"), Ok(Resource::Policy));
        assert_eq!(parse_path("/Policies/CrossTenantAccessPolicy/Default"), Ok(Resource::Default));
        assert_eq!(
            parse_path("/policies/crossTenantAccessPolicy/default/microsoft.graph.resetToSystemDefault"),
            Ok(Resource::DefaultReset)
        );
        assert_eq!(
            parse_path(
                "/policies/crossTenantAccessPolicy/templates/multiTenantOrganizationIdentitySynchronization/resetToDefaultSettings"
            ),
            Ok(Resource::SyncTemplateReset)
        );
        assert_eq!(parse_path("/$batch"), Ok(Resource::Batch));
        assert!(parse_path("/devices").is_err());
        assert!(parse_path("").is_err());
    }

    #[test]
    fn tenant_functions() {
        assert_eq!(
            parse_path("/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')"),
            Ok(Resource::FindByDomain("contoso.com".to_owned()))
        );
        assert_eq!(
            parse_path(&format!("/tenantRelationships/findTenantInformationByTenantId(tenantId=%27{ID}%27)")),
            Ok(Resource::FindByTenantId(ID.to_owned()))
        );
        assert_eq!(
            parse_path("/tenantRelationships/findTenantInformationByDomainName(domainName='o''brien.com')"),
            Ok(Resource::FindByDomain("o'brien.com".to_owned()))
        );
        assert!(parse_path("/tenantRelationships/findTenantInformationByDomainName(domain='x')").is_err());
    }

    #[test]
    fn deleted_items() {
        assert_eq!(parse_path("/policies/deletedItems/crossTenantPartners"), Ok(Resource::DeletedPartners));
        assert_eq!(
            parse_path(&format!("/policies/deletedItems/crossTenantPartners/{ID}/restore")),
            Ok(Resource::DeletedPartnerRestore(ID.to_owned()))
        );
    }

    #[test]
    fn query_options() {
        let all = Supported { select: true, expand: true, paging: true };
        let q = parse_query(Some("$select=tenantId,inboundTrust&$expand=identitySynchronization&$top=5"), all).unwrap();
        assert_eq!(q.select.unwrap(), ["tenantId", "inboundTrust"]);
        assert_eq!(q.expand.unwrap(), ["identitySynchronization"]);
        assert_eq!(q.top, Some(5));
        assert!(parse_query(Some("$top=0"), all).is_err());
        assert!(parse_query(Some("$top=abc"), all).is_err());
        assert!(parse_query(Some("$select=a&$select=b"), all).is_err());
        assert!(parse_query(Some("$bogus=1"), all).is_err());
        assert!(parse_query(Some("api-version=1&foo=bar"), all).is_ok());
        let none = Supported { select: true, expand: false, paging: false };
        assert_eq!(parse_query(Some("$filter=x"), none).unwrap_err().code, "Request_UnsupportedQuery");
    }

    #[test]
    fn filters() {
        let f = parse_filter(&format!("tenantId eq '{}'", ID.to_uppercase())).unwrap();
        let partner = serde_json::json!({"tenantId": ID, "isServiceProvider": true});
        assert!(f.matches(partner.as_object().unwrap()));
        let f = parse_filter("tenantId eq 'a' or isServiceProvider eq true").unwrap();
        assert_eq!(f.any_of.len(), 2);
        assert!(f.matches(partner.as_object().unwrap()));
        let f = parse_filter("tenantId eq 'a' and isServiceProvider eq true").unwrap();
        assert!(!f.matches(partner.as_object().unwrap()));
        let f = parse_filter(&format!("tenantId in ('a', '{ID}')")).unwrap();
        assert!(f.matches(partner.as_object().unwrap()));
        assert!(parse_filter("displayName eq 'x'").is_err());
        assert!(parse_filter("tenantId ne 'x'").is_err());
        assert!(parse_filter("tenantId eq 'x").is_err());
        assert!(parse_filter("tenantId eq").is_err());
        assert!(parse_filter("").is_err());
    }

    #[test]
    fn skiptokens_round_trip() {
        let token = encode_skiptoken(ID);
        assert_eq!(decode_skiptoken(&token).unwrap(), ID);
        assert!(decode_skiptoken("garbage!").is_err());
    }
}
