//! The shapes of the synchronization types (graph-sync-and-mto.md A.2, A.4, A.5, A.10; CSDL v1.0), read strictly
//! like the rest of the emulator, and the fixtures of the cross-tenant synchronization template: the default
//! `Azure2Azure` schema (A.5.3) and the filter operators.

use serde_json::{Value, json};

use crate::schema::{ComplexType, EnumType, Kind, Property};

const fn prop(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, nullable: true, null_as_empty_object: false, omitted_when_unset: false }
}

const fn required(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, nullable: false, null_as_empty_object: false, omitted_when_unset: false }
}

/// The cross-tenant synchronization gallery template (A.1).
pub(crate) const CROSS_TENANT_SYNC_TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template of cross-tenant synchronization (A.3).
pub(crate) const AZURE2AZURE: &str = "Azure2Azure";
/// The matching attribute that cannot change (A.5.3).
pub(crate) const MATCHING_ATTRIBUTE: &str = "alternativeSecurityIds";

/// `synchronizationSecret` (csdl:5255-5301): the keys a secret may have.
pub(crate) static SYNCHRONIZATION_SECRET: EnumType = EnumType {
    name: "microsoft.graph.synchronizationSecret",
    members: &[
        "None",
        "UserName",
        "Password",
        "SecretToken",
        "AppKey",
        "BaseAddress",
        "ClientIdentifier",
        "ClientSecret",
        "SingleSignOnType",
        "Sandbox",
        "Url",
        "Domain",
        "ConsumerKey",
        "ConsumerSecret",
        "TokenKey",
        "TokenExpiration",
        "Oauth2AccessToken",
        "Oauth2AccessTokenCreationTime",
        "Oauth2RefreshToken",
        "SyncAll",
        "InstanceName",
        "Oauth2ClientId",
        "Oauth2ClientSecret",
        "CompanyId",
        "UpdateKeyOnSoftDelete",
        "SynchronizationSchedule",
        "SystemOfRecord",
        "SandboxName",
        "EnforceDomain",
        "SyncNotificationSettings",
        "SkipOutOfScopeDeletions",
        "Oauth2AuthorizationCode",
        "Oauth2RedirectUri",
        "ApplicationTemplateIdentifier",
        "Oauth2TokenExchangeUri",
        "Oauth2AuthorizationUri",
        "AuthenticationType",
        "Server",
        "PerformInboundEntitlementGrants",
        "HardDeletesEnabled",
        "SyncAgentCompatibilityKey",
        "SyncAgentADContainer",
        "ValidateDomain",
        "TestReferences",
        "ConnectionString",
    ],
};

/// Secret keys whose values GET answers as `"*"` (A.2.3: which keys are masked is not documented; the emulator
/// masks credentials and tokens and returns the cross-tenant synchronization keys in clear).
pub(crate) const MASKED_SECRETS: &[&str] = &[
    "Password",
    "SecretToken",
    "AppKey",
    "ClientSecret",
    "ConsumerSecret",
    "TokenKey",
    "Oauth2AccessToken",
    "Oauth2RefreshToken",
    "Oauth2ClientSecret",
    "Oauth2AuthorizationCode",
    "ConnectionString",
];

pub(crate) static SECRET_PAIR: ComplexType = ComplexType {
    name: "microsoft.graph.synchronizationSecretKeyStringValuePair",
    properties: &[required("key", Kind::Enum(&SYNCHRONIZATION_SECRET)), prop("value", Kind::String)],
};

/// The body of `PUT .../synchronization/secrets`.
pub(crate) static SECRETS_BODY: ComplexType = ComplexType {
    name: "Collection(microsoft.graph.synchronizationSecretKeyStringValuePair)",
    properties: &[required("value", Kind::Collection(&Kind::Complex(&SECRET_PAIR)))],
};

/// The parameters of `validateCredentials` (csdl:24441).
pub(crate) static VALIDATE_CREDENTIALS: ComplexType = ComplexType {
    name: "validateCredentials parameters",
    properties: &[
        prop("applicationIdentifier", Kind::String),
        prop("templateId", Kind::String),
        prop("useSavedCredentials", Kind::Bool),
        prop("credentials", Kind::Collection(&Kind::Complex(&SECRET_PAIR))),
    ],
};

/// The parameters of `instantiate` (csdl:23695).
pub(crate) static INSTANTIATE: ComplexType = ComplexType {
    name: "instantiate parameters",
    properties: &[prop("displayName", Kind::String), prop("serviceManagementReference", Kind::String)],
};

/// The body of `PATCH /applications/{id}` and `PATCH /servicePrincipals/{id}`: of their many writable properties the
/// emulator keeps only the display name (what renaming a configuration changes); any other name is refused as an
/// unknown property, like every strict body here.
pub(crate) static DISPLAY_NAME_PATCH: ComplexType =
    ComplexType { name: "microsoft.graph.directoryObject", properties: &[required("displayName", Kind::String)] };

/// The body of `POST .../synchronization/jobs`: a synchronizationJob, of which only `templateId` may be set.
pub(crate) static JOB_BODY: ComplexType =
    ComplexType { name: "microsoft.graph.synchronizationJob", properties: &[prop("templateId", Kind::String)] };

pub(crate) static RESET_SCOPE: EnumType = EnumType {
    name: "microsoft.graph.synchronizationJobRestartScope",
    members: &["None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"],
};

pub(crate) static RESTART_CRITERIA: ComplexType = ComplexType {
    name: "microsoft.graph.synchronizationJobRestartCriteria",
    properties: &[prop("resetScope", Kind::Flags(&RESET_SCOPE))],
};

/// The parameters of `restart`.
pub(crate) static RESTART: ComplexType =
    ComplexType { name: "restart parameters", properties: &[prop("criteria", Kind::Complex(&RESTART_CRITERIA))] };

pub(crate) static APP_ROLE_ASSIGNMENT: ComplexType = ComplexType {
    name: "microsoft.graph.appRoleAssignment",
    properties: &[
        prop("id", Kind::String),
        prop("deletedDateTime", Kind::String),
        required("appRoleId", Kind::String),
        prop("createdDateTime", Kind::String),
        prop("principalDisplayName", Kind::String),
        required("principalId", Kind::String),
        prop("principalType", Kind::String),
        prop("resourceDisplayName", Kind::String),
        required("resourceId", Kind::String),
    ],
};

// ----- the schema (A.5.2) -----

static KEY_VALUE: ComplexType = ComplexType {
    name: "microsoft.graph.stringKeyStringValuePair",
    properties: &[prop("key", Kind::String), prop("value", Kind::String)],
};

static CONTAINER_FILTER: ComplexType = ComplexType {
    name: "microsoft.graph.containerFilter",
    properties: &[prop("includedContainers", Kind::Collection(&Kind::String))],
};

static GROUP_FILTER: ComplexType = ComplexType {
    name: "microsoft.graph.groupFilter",
    properties: &[prop("includedGroups", Kind::Collection(&Kind::String))],
};

static FLOW_BEHAVIOR: EnumType =
    EnumType { name: "microsoft.graph.attributeFlowBehavior", members: &["FlowWhenChanged", "FlowAlways"] };

static FLOW_TYPE: EnumType = EnumType {
    name: "microsoft.graph.attributeFlowType",
    members: &["Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"],
};

static SOURCE_TYPE: EnumType =
    EnumType { name: "microsoft.graph.attributeMappingSourceType", members: &["Attribute", "Constant", "Function"] };

static SOURCE_PARAMETER: ComplexType = ComplexType {
    name: "microsoft.graph.stringKeyAttributeMappingSourceValuePair",
    properties: &[prop("key", Kind::String), prop("value", Kind::Complex(&SOURCE))],
};

static SOURCE: ComplexType = ComplexType {
    name: "microsoft.graph.attributeMappingSource",
    properties: &[
        prop("expression", Kind::String),
        prop("name", Kind::String),
        prop("parameters", Kind::Collection(&Kind::Complex(&SOURCE_PARAMETER))),
        required("type", Kind::Enum(&SOURCE_TYPE)),
    ],
};

static ATTRIBUTE_MAPPING: ComplexType = ComplexType {
    name: "microsoft.graph.attributeMapping",
    properties: &[
        prop("defaultValue", Kind::String),
        required("exportMissingReferences", Kind::Bool),
        required("flowBehavior", Kind::Enum(&FLOW_BEHAVIOR)),
        required("flowType", Kind::Enum(&FLOW_TYPE)),
        required("matchingPriority", Kind::Int),
        prop("source", Kind::Complex(&SOURCE)),
        prop("targetAttributeName", Kind::String),
    ],
};

static FILTER_OPERAND: ComplexType = ComplexType {
    name: "microsoft.graph.filterOperand",
    properties: &[prop("values", Kind::Collection(&Kind::String))],
};

static FILTER_CLAUSE: ComplexType = ComplexType {
    name: "microsoft.graph.filterClause",
    properties: &[
        prop("operatorName", Kind::String),
        prop("sourceOperandName", Kind::String),
        prop("targetOperand", Kind::Complex(&FILTER_OPERAND)),
    ],
};

static FILTER_GROUP: ComplexType = ComplexType {
    name: "microsoft.graph.filterGroup",
    properties: &[prop("clauses", Kind::Collection(&Kind::Complex(&FILTER_CLAUSE))), prop("name", Kind::String)],
};

static FILTER: ComplexType = ComplexType {
    name: "microsoft.graph.filter",
    properties: &[
        prop("categoryFilterGroups", Kind::Collection(&Kind::Complex(&FILTER_GROUP))),
        prop("groups", Kind::Collection(&Kind::Complex(&FILTER_GROUP))),
        prop("inputFilterGroups", Kind::Collection(&Kind::Complex(&FILTER_GROUP))),
    ],
};

static OBJECT_FLOW_TYPES: EnumType =
    EnumType { name: "microsoft.graph.objectFlowTypes", members: &["None", "Add", "Update", "Delete"] };

static OBJECT_MAPPING: ComplexType = ComplexType {
    name: "microsoft.graph.objectMapping",
    properties: &[
        prop("attributeMappings", Kind::Collection(&Kind::Complex(&ATTRIBUTE_MAPPING))),
        required("enabled", Kind::Bool),
        required("flowTypes", Kind::Flags(&OBJECT_FLOW_TYPES)),
        prop("metadata", Kind::Collection(&Kind::Complex(&KEY_VALUE))),
        prop("name", Kind::String),
        prop("scope", Kind::Complex(&FILTER)),
        prop("sourceObjectName", Kind::String),
        prop("targetObjectName", Kind::String),
    ],
};

static RULE: ComplexType = ComplexType {
    name: "microsoft.graph.synchronizationRule",
    properties: &[
        prop("containerFilter", Kind::Complex(&CONTAINER_FILTER)),
        required("editable", Kind::Bool),
        prop("groupFilter", Kind::Complex(&GROUP_FILTER)),
        prop("id", Kind::String),
        prop("metadata", Kind::Collection(&Kind::Complex(&KEY_VALUE))),
        prop("name", Kind::String),
        prop("objectMappings", Kind::Collection(&Kind::Complex(&OBJECT_MAPPING))),
        required("priority", Kind::Int),
        prop("sourceDirectoryName", Kind::String),
        prop("targetDirectoryName", Kind::String),
    ],
};

static MUTABILITY: EnumType =
    EnumType { name: "microsoft.graph.mutability", members: &["ReadWrite", "ReadOnly", "Immutable", "WriteOnly"] };

static ATTRIBUTE_TYPE: EnumType = EnumType {
    name: "microsoft.graph.attributeType",
    members: &["String", "Integer", "Reference", "Binary", "Boolean", "DateTime"],
};

static REFERENCED_OBJECT: ComplexType = ComplexType {
    name: "microsoft.graph.referencedObject",
    properties: &[prop("referencedObjectName", Kind::String), prop("referencedProperty", Kind::String)],
};

static ATTRIBUTE_DEFINITION: ComplexType = ComplexType {
    name: "microsoft.graph.attributeDefinition",
    properties: &[
        required("anchor", Kind::Bool),
        prop("apiExpressions", Kind::Collection(&Kind::Complex(&KEY_VALUE))),
        required("caseExact", Kind::Bool),
        prop("defaultValue", Kind::String),
        required("flowNullValues", Kind::Bool),
        prop("metadata", Kind::Collection(&Kind::Complex(&KEY_VALUE))),
        required("multivalued", Kind::Bool),
        required("mutability", Kind::Enum(&MUTABILITY)),
        prop("name", Kind::String),
        prop("referencedObjects", Kind::Collection(&Kind::Complex(&REFERENCED_OBJECT))),
        required("required", Kind::Bool),
        prop("type", Kind::Enum(&ATTRIBUTE_TYPE)),
    ],
};

static OBJECT_DEFINITION: ComplexType = ComplexType {
    name: "microsoft.graph.objectDefinition",
    properties: &[
        prop("attributes", Kind::Collection(&Kind::Complex(&ATTRIBUTE_DEFINITION))),
        prop("metadata", Kind::Collection(&Kind::Complex(&KEY_VALUE))),
        prop("name", Kind::String),
        prop("supportedApis", Kind::Collection(&Kind::String)),
    ],
};

static DISCOVERABILITIES: EnumType = EnumType {
    name: "microsoft.graph.directoryDefinitionDiscoverabilities",
    members: &["None", "AttributeNames", "AttributeDataTypes", "AttributeReadOnly", "ReferenceAttributes"],
};

static DIRECTORY_DEFINITION: ComplexType = ComplexType {
    name: "microsoft.graph.directoryDefinition",
    properties: &[
        prop("id", Kind::String),
        required("discoverabilities", Kind::Flags(&DISCOVERABILITIES)),
        prop("discoveryDateTime", Kind::String),
        prop("name", Kind::String),
        prop("objects", Kind::Collection(&Kind::Complex(&OBJECT_DEFINITION))),
        required("readOnly", Kind::Bool),
        prop("version", Kind::String),
    ],
};

/// The body of `PUT .../jobs/{id}/schema`.
pub(crate) static SCHEMA: ComplexType = ComplexType {
    name: "microsoft.graph.synchronizationSchema",
    properties: &[
        prop("id", Kind::String),
        prop("version", Kind::String),
        prop("synchronizationRules", Kind::Collection(&Kind::Complex(&RULE))),
        prop("directories", Kind::Collection(&Kind::Complex(&DIRECTORY_DEFINITION))),
    ],
};

// ----- fixtures -----

/// The scoping filter operators (A.5.2, the portal's list). The `operatorName` spellings inside schema JSON are not
/// documented (open question 6); the emulator uses the portal's names and refuses any other in a schema PUT.
pub(crate) fn filter_operators() -> Vec<Value> {
    let operator = |name: &str, arity: &str, compare: &str, types: &[&str]| json!({"name": name, "arity": arity, "multivaluedComparisonType": compare, "supportedAttributeTypes": types});
    vec![
        operator("EQUALS", "Binary", "All", &["String", "Integer", "Reference", "Boolean"]),
        operator("NOT EQUALS", "Binary", "All", &["String", "Integer", "Reference", "Boolean"]),
        operator("IS TRUE", "Unary", "All", &["Boolean"]),
        operator("IS FALSE", "Unary", "All", &["Boolean"]),
        operator("IS NULL", "Unary", "All", &["String", "Integer", "Reference", "Boolean", "DateTime"]),
        operator("IS NOT NULL", "Unary", "All", &["String", "Integer", "Reference", "Boolean", "DateTime"]),
        operator("REGEX MATCH", "Binary", "All", &["String"]),
        operator("NOT REGEX MATCH", "Binary", "All", &["String"]),
        operator("Greater_Than", "Binary", "All", &["Integer"]),
        operator("Greater_Than_OR_EQUALS", "Binary", "All", &["Integer"]),
        operator("Includes", "Binary", "Any", &["String"]),
        operator("ENDS_WITH", "Binary", "All", &["String"]),
        operator("&", "Binary", "All", &["Integer"]),
        operator("!&", "Binary", "All", &["Integer"]),
    ]
}

fn attribute_source(attribute: &str) -> Value {
    json!({"expression": format!("[{attribute}]"), "name": attribute, "parameters": [], "type": "Attribute"})
}

fn mapping(target: &str, source: Value, flow_type: &str, matching_priority: i64) -> Value {
    json!({
        "defaultValue": null,
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": flow_type,
        "matchingPriority": matching_priority,
        "source": source,
        "targetAttributeName": target,
    })
}

/// The matching mapping `AltSecIdFromNetId([netId]) → alternativeSecurityIds` (A.5.3).
pub(crate) fn matching_mapping() -> Value {
    let source = json!({
        "expression": "AltSecIdFromNetId([netId])",
        "name": "AltSecIdFromNetId",
        "parameters": [{"key": "netId", "value": attribute_source("netId")}],
        "type": "Function",
    });
    mapping(MATCHING_ATTRIBUTE, source, "Always", 1)
}

/// The template's user attribute mappings (A.5.3): the documented and screenshot-confirmed ones.
pub(crate) fn default_user_mappings() -> Vec<Value> {
    let mut mappings = vec![matching_mapping()];
    for attribute in [
        "IsSoftDeleted",
        "accountEnabled",
        "streetAddress",
        "city",
        "state",
        "postalCode",
        "country",
        "department",
        "employeeId",
        "displayName",
        "givenName",
        "mailNickname",
        "preferredLanguage",
        "userPrincipalName",
        "mail",
        "manager",
    ] {
        mappings.push(mapping(attribute, attribute_source(attribute), "Always", 0));
    }
    let constant = |value: &str| json!({"expression": format!("\"{value}\""), "name": value, "parameters": [], "type": "Constant"});
    mappings.push(mapping("showInAddressList", constant("true"), "Always", 0));
    mappings.push(mapping("userType", constant("Member"), "ObjectAddOnly", 0));
    mappings
}

fn attribute_definitions(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|name| {
            json!({
                "anchor": *name == "objectId", "apiExpressions": [], "caseExact": false, "defaultValue": null,
                "flowNullValues": false, "metadata": [], "multivalued": *name == "alternativeSecurityIds",
                "mutability": "ReadWrite", "name": name, "referencedObjects": [], "required": false,
                "type": if *name == "accountEnabled" || *name == "IsSoftDeleted" || *name == "showInAddressList" {
                    "Boolean"
                } else if *name == "manager" { "Reference" } else { "String" },
            })
        })
        .collect()
}

/// The default `Azure2Azure` schema of a new job (A.5.3). The full schema is not public (open question 3): this one
/// holds the documented rule and user mappings and, as directories, the attributes those mappings use.
pub(crate) fn default_schema(job_id: &str, rule_id: &str) -> Value {
    let mappings = default_user_mappings();
    let mut source_attributes: Vec<&str> = vec!["objectId", "netId"];
    let mut target_attributes: Vec<&str> = vec!["objectId"];
    for m in &mappings {
        if let Some(target) = m["targetAttributeName"].as_str() {
            target_attributes.push(target);
            if m["source"]["type"] == "Attribute" {
                source_attributes.push(target);
            }
        }
    }
    let target_attributes: Vec<String> = target_attributes.iter().map(|s| (*s).to_owned()).collect();
    let target_refs: Vec<&str> = target_attributes.iter().map(String::as_str).collect();
    json!({
        "id": job_id,
        "version": "v1.2",
        "synchronizationRules": [{
            "containerFilter": null,
            "editable": true,
            "groupFilter": null,
            "id": rule_id,
            "metadata": [
                {"key": "defaultSourceObjectMappings", "value": "[{\"Key\":\"User\",\"Value\":\"User\"}]"},
                {"key": "supportsProvisionOnDemand", "value": "true"},
            ],
            "name": "USER_INBOUND_USER",
            "objectMappings": [{
                "attributeMappings": mappings,
                "enabled": true,
                "flowTypes": "Add, Update, Delete",
                "metadata": [],
                "name": "Provision Azure Active Directory Users",
                "scope": null,
                "sourceObjectName": "User",
                "targetObjectName": "User",
            }],
            "priority": 1,
            "sourceDirectoryName": "Azure Active Directory",
            "targetDirectoryName": "Azure Active Directory (target tenant)",
        }],
        "directories": [
            {
                "id": "66e4a8cc-1b7b-435e-95f8-f06cea133828", "discoverabilities": "None",
                "discoveryDateTime": null, "name": "Azure Active Directory",
                "objects": [{"attributes": attribute_definitions(&source_attributes), "metadata": [], "name": "User", "supportedApis": []}],
                "readOnly": true, "version": "2.0",
            },
            {
                "id": "8ffa6169-f354-4751-9b77-9c00765be92d", "discoverabilities": "AttributeNames, AttributeDataTypes",
                "discoveryDateTime": null, "name": "Azure Active Directory (target tenant)",
                "objects": [{"attributes": attribute_definitions(&target_refs), "metadata": [], "name": "User", "supportedApis": []}],
                "readOnly": false, "version": "2.0",
            },
        ],
    })
}

/// The job's settings, inherited from the template (A.3).
pub(crate) fn default_job_settings() -> Value {
    json!([
        {"name": "AzureIngestionAttributeOptimization", "value": "False"},
        {"name": "LookaheadQueryEnabled", "value": "False"},
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Strictness, read_object};

    #[test]
    fn the_default_schema_reads_back_strictly() {
        let schema = default_schema("Azure2Azure.x.y", "rule");
        let strict = Strictness { exact_names: true, enum_members: true };
        let read = read_object(&schema, &SCHEMA, strict).unwrap();
        assert_eq!(Value::Object(read), schema);
    }

    #[test]
    fn operators_are_named_like_the_portal() {
        let names: Vec<String> = filter_operators().iter().map(|o| o["name"].as_str().unwrap().to_owned()).collect();
        for expected in ["EQUALS", "NOT EQUALS", "IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL", "REGEX MATCH"] {
            assert!(names.iter().any(|n| n == expected), "{expected}");
        }
    }
}
