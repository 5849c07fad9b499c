//! Cross-tenant synchronization in the source tenant (graph-sync-and-mto.md Part A, the A.9 checklist): template
//! instantiate, applications and service principals, replication lag, templates, jobs and their actions, secrets,
//! the cross-tenant connection test, the job schema, and `appRoleAssignedTo`.

mod common;

use std::time::Duration;

use common::{Harness, PARTNERS};
use entra_graph_emulator::{AppRegistration, Faults, ROLE_POLICY_READ_ALL};
use reqwest::Method;
use serde_json::{Value, json};

const TEMPLATE: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
const ADELE: &str = "a5e40000-0001-4000-8000-000000000001";
const SALES: &str = "96a00000-0001-4000-8000-000000000001";
const ADELE_IN_SECOND: &str = "a5e40000-0002-4000-8000-000000000001";

/// A configuration instantiated in the first tenant.
struct Configuration {
    application: Value,
    sp: String,
    role: String,
}

async fn instantiate(h: &Harness, name: &str) -> Configuration {
    let reply =
        h.post(&format!("/v1.0/applicationTemplates/{TEMPLATE}/instantiate"), &json!({"displayName": name})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    Configuration {
        application: reply.json["application"].clone(),
        sp: reply.json["servicePrincipal"]["id"].as_str().unwrap().to_owned(),
        role: reply.json["servicePrincipal"]["appRoles"][0]["id"].as_str().unwrap().to_owned(),
    }
}

async fn create_job(h: &Harness, sp: &str) -> String {
    let reply = h
        .post(&format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs"), &json!({"templateId": "Azure2Azure"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

fn jobs(sp: &str) -> String {
    format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs")
}

#[tokio::test]
async fn instantiate_creates_the_application_and_service_principal_of_a_configuration() {
    let h = Harness::default().await;
    let reply = h
        .post(&format!("/v1.0/applicationTemplates/{TEMPLATE}/instantiate"), &json!({"displayName": "Fabrikam"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert!(
        reply.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#microsoft.graph.applicationServicePrincipal")
    );
    let (application, sp) = (&reply.json["application"], &reply.json["servicePrincipal"]);
    assert_eq!(application["applicationTemplateId"], TEMPLATE);
    assert_eq!(sp["applicationTemplateId"], TEMPLATE);
    assert_eq!(application["displayName"], "Fabrikam");
    assert_eq!(application["signInAudience"], "AzureADMyOrg");
    assert!(application["web"]["homePageUrl"].as_str().unwrap().contains("metadata=aad2aadsync"));
    assert!(sp["homepage"].as_str().unwrap().contains("metadata=aad2aadsync"));
    assert_eq!(sp["appRoleAssignmentRequired"], true);
    assert_eq!(sp["appId"], application["appId"]);
    assert_eq!(sp["appOwnerOrganizationId"], h.emulator.tenant_id());
    assert_eq!(sp["tags"], json!(["WindowsAzureActiveDirectoryIntegratedApp"]));
    assert_eq!(application["appRoles"].as_array().unwrap().len(), 1);
    assert_eq!(sp["appRoles"], application["appRoles"], "the same msiam_access role on both");
    assert_eq!(sp["appRoles"][0]["displayName"], "msiam_access");
    assert_eq!(sp["appRoles"][0]["value"], Value::Null);
    assert_eq!(sp["appRoles"][0]["allowedMemberTypes"], json!(["User"]));
    assert_eq!(application["description"], Value::Null, "explicit nulls");

    // Two configurations get different role ids.
    let other = instantiate(&h, "Second").await;
    assert_ne!(other.role, sp["appRoles"][0]["id"].as_str().unwrap());

    let unknown = h
        .post(
            "/v1.0/applicationTemplates/00000000-0000-0000-0000-000000000001/instantiate",
            &json!({"displayName": "x"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "Request_ResourceNotFound");
    let nameless = h.post(&format!("/v1.0/applicationTemplates/{TEMPLATE}/instantiate"), &json!({})).await;
    assert_eq!(nameless.status, 400);
    let typo =
        h.post(&format!("/v1.0/applicationTemplates/{TEMPLATE}/instantiate"), &json!({"displayname": "x"})).await;
    assert_eq!(typo.error_message(), "Invalid property 'displayname'.");
}

#[tokio::test]
async fn applications_and_service_principals_can_be_read_and_deleted() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let app_object_id = config.application["id"].as_str().unwrap();
    let app = h.get(&format!("/v1.0/applications/{app_object_id}")).await;
    assert_eq!(app.status, 200);
    assert_eq!(app.json["appId"], config.application["appId"]);
    assert!(app.json["@odata.context"].as_str().unwrap().ends_with("#applications/$entity"));
    let sp = h.get(&format!("/v1.0/servicePrincipals/{}", config.sp)).await;
    assert_eq!(sp.json["displayName"], "Fabrikam");
    assert_eq!(h.get("/v1.0/servicePrincipals").await.json["value"].as_array().unwrap().len(), 1);
    let job = create_job(&h, &config.sp).await;

    // Deleting the service principal leaves the application; deleting the application takes its SP with it.
    let second = instantiate(&h, "Second").await;
    assert_eq!(h.delete(&format!("/v1.0/servicePrincipals/{}", second.sp)).await.status, 204);
    assert_eq!(h.get(&format!("/v1.0/servicePrincipals/{}", second.sp)).await.status, 404);
    assert_eq!(h.get(&format!("/v1.0/applications/{}", second.application["id"].as_str().unwrap())).await.status, 200);

    assert_eq!(h.delete(&format!("/v1.0/applications/{app_object_id}")).await.status, 204);
    assert_eq!(h.get(&format!("/v1.0/applications/{app_object_id}")).await.status, 404);
    assert_eq!(h.get(&format!("/v1.0/servicePrincipals/{}", config.sp)).await.status, 404);
    assert_eq!(h.get(&format!("{}/{job}", jobs(&config.sp))).await.status, 404);
    assert!(h.emulator.first_tenant().synchronization_job(&config.sp, &job).is_none());
    assert_eq!(h.delete(&format!("/v1.0/applications/{app_object_id}")).await.status, 404);

    // Another tenant does not see them.
    let token = h.tenant_token(1).await;
    let foreign = h
        .as_tenant(
            &token,
            Method::GET,
            &format!("/v1.0/applications/{}", second.application["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test]
async fn applications_and_service_principals_are_renamed_by_patch() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let app_path = format!("/v1.0/applications/{}", config.application["id"].as_str().unwrap());
    let sp_path = format!("/v1.0/servicePrincipals/{}", config.sp);

    // Each object has its own display name: renaming one leaves the other as it is.
    let renamed = h.patch(&app_path, &json!({"displayName": "Fabrikam EU"})).await;
    assert_eq!(renamed.status, 204, "{}", renamed.text);
    assert_eq!(h.get(&app_path).await.json["displayName"], "Fabrikam EU");
    assert_eq!(h.get(&sp_path).await.json["displayName"], "Fabrikam");
    assert_eq!(h.patch(&sp_path, &json!({"displayName": "Fabrikam EU"})).await.status, 204);
    assert_eq!(h.get(&sp_path).await.json["displayName"], "Fabrikam EU");

    // Strict bodies: unknown properties, a wrong type and a blank name are refused and change nothing.
    for body in [json!({"displayname": "x"}), json!({"displayName": 3}), json!({"displayName": " "}), json!({})] {
        for path in [&app_path, &sp_path] {
            let refused = h.patch(path, &body).await;
            assert_eq!(refused.status, 400, "{body} on {path}: {}", refused.text);
            assert!(refused.json["error"]["code"].is_string(), "{}", refused.text);
        }
    }
    assert_eq!(h.get(&app_path).await.json["displayName"], "Fabrikam EU");
    assert_eq!(h.get(&sp_path).await.json["displayName"], "Fabrikam EU");

    // Unknown ids are 404s.
    let nobody = "00000000-0000-4000-8000-0000000000ff";
    assert_eq!(h.patch(&format!("/v1.0/applications/{nobody}"), &json!({"displayName": "x"})).await.status, 404);
    assert_eq!(h.patch(&format!("/v1.0/servicePrincipals/{nobody}"), &json!({"displayName": "x"})).await.status, 404);
}

#[tokio::test]
async fn the_template_schema_is_the_default_a_job_starts_from_and_stays_so() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let job = create_job(&h, &config.sp).await;
    let template_path = format!("/v1.0/servicePrincipals/{}/synchronization/templates/Azure2Azure/schema", config.sp);
    let job_schema_path = format!("{}/{job}/schema", jobs(&config.sp));
    let user_mappings =
        |schema: &Value| schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].clone();

    let template = h.get(&template_path).await;
    assert_eq!(template.status, 200, "{}", template.text);
    assert_eq!(template.json["id"], "Azure2Azure");
    assert!(
        template.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/synchronization/templates('Azure2Azure')/schema/$entity")
    );
    let mut job_schema = h.get(&job_schema_path).await.json;
    assert!(user_mappings(&template.json).as_array().is_some_and(|m| !m.is_empty()));
    assert_eq!(user_mappings(&template.json), user_mappings(&job_schema));

    // Changing the job's schema leaves the template's default as it was.
    let default = user_mappings(&template.json);
    job_schema.as_object_mut().unwrap().remove("@odata.context");
    let mappings =
        job_schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array_mut().unwrap();
    mappings.retain(|m| m["targetAttributeName"] != "city");
    assert_eq!(h.put(&job_schema_path, &job_schema).await.status, 204);
    assert_ne!(user_mappings(&h.get(&job_schema_path).await.json), default);
    assert_eq!(user_mappings(&h.get(&template_path).await.json), default);

    // Only the Azure2Azure template exists, and only on a configuration's service principal.
    let other = h.get(&format!("/v1.0/servicePrincipals/{}/synchronization/templates/Other/schema", config.sp)).await;
    assert_eq!(other.status, 404, "{}", other.text);
    let nobody = "00000000-0000-4000-8000-0000000000ff";
    assert_eq!(
        h.get(&format!("/v1.0/servicePrincipals/{nobody}/synchronization/templates/Azure2Azure/schema")).await.status,
        404
    );
    assert_eq!(h.put(&template_path, &job_schema).await.status, 405);
}

#[tokio::test]
async fn a_new_service_principal_is_invisible_while_it_replicates() {
    let h = Harness::default().await;
    h.emulator.set_faults(Faults { service_principal_lag_ms: 400, ..Faults::none() });
    let config = instantiate(&h, "Lagging").await;
    let sp_path = format!("/v1.0/servicePrincipals/{}", config.sp);
    assert_eq!(h.get(&sp_path).await.status, 404);
    assert_eq!(h.get(&format!("{sp_path}/synchronization/templates")).await.status, 404);
    assert_eq!(h.post(&jobs(&config.sp), &json!({"templateId": "Azure2Azure"})).await.status, 404);
    assert_eq!(h.get("/v1.0/servicePrincipals").await.json["value"], json!([]));
    // The application itself is readable at once.
    assert_eq!(h.get(&format!("/v1.0/applications/{}", config.application["id"].as_str().unwrap())).await.status, 200);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(h.get(&sp_path).await.status, 200);
    create_job(&h, &config.sp).await;
}

#[tokio::test]
async fn jobs_are_created_from_the_azure2azure_template_and_follow_their_actions() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let templates = h.get(&format!("/v1.0/servicePrincipals/{}/synchronization/templates", config.sp)).await;
    assert_eq!(templates.json["value"][0]["id"], "Azure2Azure");

    let created = h.post(&jobs(&config.sp), &json!({"templateId": "Azure2Azure"})).await;
    assert_eq!(created.status, 201);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let parts: Vec<&str> = id.split('.').collect();
    assert_eq!(parts[0], "Azure2Azure");
    assert_eq!(parts[1], h.emulator.tenant_id().replace('-', ""));
    assert_eq!(parts[2].len(), 36);
    assert_eq!(created.json["templateId"], "Azure2Azure");
    assert_eq!(created.json["schedule"], json!({"expiration": null, "interval": "PT40M", "state": "Disabled"}));
    assert_eq!(created.json["status"]["code"], "Paused");
    assert_eq!(created.json["status"]["quarantine"], Value::Null);
    assert_eq!(created.json["status"]["steadyStateFirstAchievedTime"], "0001-01-01T00:00:00Z");
    assert_eq!(
        created.json["synchronizationJobSettings"][0],
        json!({"name": "AzureIngestionAttributeOptimization", "value": "False"})
    );

    let unknown = h.post(&jobs(&config.sp), &json!({"templateId": "aws"})).await;
    assert_eq!(unknown.status, 400);
    let typo = h.post(&jobs(&config.sp), &json!({"templateID": "Azure2Azure"})).await;
    assert_eq!(typo.error_message(), "Invalid property 'templateID'.");

    let job = format!("{}/{id}", jobs(&config.sp));
    assert_eq!(h.get(&jobs(&config.sp)).await.json["value"][0]["id"], id.as_str());
    assert_eq!(h.post(&format!("{job}/start"), &json!({})).await.status, 204);
    let started = h.get(&job).await;
    assert_eq!(started.json["schedule"]["state"], "Active");
    assert_eq!(started.json["status"]["code"], "NotRun");
    assert_eq!(started.json["status"]["lastExecution"]["state"], "Failed");

    assert_eq!(h.post(&format!("{job}/pause"), &json!({})).await.status, 204);
    let paused = h.get(&job).await;
    assert_eq!(paused.json["schedule"]["state"], "Paused");
    assert_eq!(paused.json["status"]["code"], "Paused");

    // A quarantine (set out of band, as the service does) is cleared by start and by restart with QuarantineState.
    let tenant = h.emulator.first_tenant();
    h.post(&format!("{job}/start"), &json!({})).await;
    tenant
        .quarantine_synchronization_job(&config.sp, &id, "EncounteredQuarantineException", "policy check failed")
        .unwrap();
    let quarantined = h.get(&job).await;
    assert_eq!(quarantined.json["status"]["code"], "Quarantine");
    assert_eq!(quarantined.json["status"]["quarantine"]["reason"], "EncounteredQuarantineException");
    assert_eq!(quarantined.json["status"]["quarantine"]["error"]["message"], "policy check failed");
    assert_eq!(quarantined.json["schedule"]["state"], "Active");
    let restart = json!({"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}});
    assert_eq!(h.post(&format!("{job}/restart"), &restart).await.status, 204);
    let restarted = h.get(&job).await;
    assert_eq!(restarted.json["status"]["code"], "NotRun");
    assert_eq!(restarted.json["status"]["quarantine"], Value::Null);
    let bad_scope = h.post(&format!("{job}/restart"), &json!({"criteria": {"resetScope": "Everything"}})).await;
    assert_eq!(bad_scope.status, 400);
    tenant.quarantine_synchronization_job(&config.sp, &id, "TooManyDeletes", "too many deletes").unwrap();
    h.post(&format!("{job}/start"), &json!({})).await;
    assert_eq!(h.get(&job).await.json["status"]["quarantine"], Value::Null);

    // Out-of-band pause and delete.
    tenant.pause_synchronization_job(&config.sp, &id).unwrap();
    assert_eq!(h.get(&job).await.json["schedule"]["state"], "Paused");
    tenant.delete_synchronization_job(&config.sp, &id).unwrap();
    assert_eq!(h.get(&job).await.status, 404);

    let second = create_job(&h, &config.sp).await;
    let second_path = format!("{}/{second}", jobs(&config.sp));
    assert_eq!(h.delete(&second_path).await.status, 204);
    assert_eq!(h.get(&second_path).await.status, 404);
    assert_eq!(h.delete(&second_path).await.status, 404);
    assert_eq!(h.post(&format!("{second_path}/start"), &json!({})).await.status, 404);
    assert_eq!(h.get(&jobs(&config.sp)).await.json["value"], json!([]));
}

#[tokio::test]
async fn secrets_merge_by_key_and_mask_credentials() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let secrets = format!("/v1.0/servicePrincipals/{}/synchronization/secrets", config.sp);
    let target = h.emulator.tenant(1).unwrap().tenant_id().to_owned();
    let first = json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": target},
        {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false}"},
        {"key": "SyncAll", "value": "false"},
    ]});
    assert_eq!(h.put(&secrets, &first).await.status, 204);
    let second = json!({"value": [{"key": "SyncAll", "value": "true"}, {"key": "Password", "value": "hunter2"}]});
    assert_eq!(h.put(&secrets, &second).await.status, 204);
    let read = h.get(&secrets).await;
    assert_eq!(read.status, 200);
    let value = read.json["value"].as_array().unwrap();
    let get = |key: &str| value.iter().find(|p| p["key"] == key).map(|p| p["value"].clone());
    assert_eq!(get("CompanyId"), Some(json!(target)));
    assert_eq!(get("AuthenticationType"), Some(json!("SyncPolicy")));
    assert_eq!(get("SyncAll"), Some(json!("true")), "merged, not replaced");
    assert_eq!(get("Password"), Some(json!("*")), "credentials are masked");
    assert_eq!(value.len(), 5);
    // An empty value removes the key.
    h.put(&secrets, &json!({"value": [{"key": "Password", "value": ""}]})).await;
    assert_eq!(h.get(&secrets).await.json["value"].as_array().unwrap().len(), 4);
    let bogus = h.put(&secrets, &json!({"value": [{"key": "Bogus", "value": "x"}]})).await;
    assert_eq!(bogus.status, 400);
    assert_eq!(bogus.error_message(), "Requested value 'Bogus' was not found.");
}

#[tokio::test]
async fn the_connection_test_refuses_until_both_tenants_allow_synchronization() {
    let h = Harness::default().await;
    let config = instantiate(&h, "To tenant 2").await;
    let source = h.emulator.tenant_id().to_owned();
    let target = h.emulator.tenant(1).unwrap().tenant_id().to_owned();
    let target_token = h.tenant_token(1).await;
    let validate = format!("{}/validateCredentials", jobs(&config.sp));
    let body = json!({
        "useSavedCredentials": false,
        "templateId": "Azure2Azure",
        "credentials": [{"key": "CompanyId", "value": target}, {"key": "AuthenticationType", "value": "SyncPolicy"}],
    });

    // Nothing configured: both sides are named.
    let refused = h.post(&validate, &body).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.error_code(), "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure");
    assert!(refused.error_message().contains("The source tenant has not enabled automatic user consent"));
    assert!(refused.error_message().contains("The target tenant has not enabled inbound synchronization"));
    assert!(refused.error_message().contains("outboundAllowed"));

    // Source: partner with outbound automatic consent. Only the target is missing now.
    h.create_partner(&target).await;
    let outbound = json!({"automaticUserConsentSettings": {"outboundAllowed": true}});
    assert_eq!(h.patch(&format!("{PARTNERS}/{target}"), &outbound).await.status, 204);
    let refused = h.post(&validate, &body).await;
    assert!(!refused.error_message().contains("source tenant has not"), "{}", refused.text);
    assert!(refused.error_message().contains(&format!("a partner configuration for {source}")));

    // Target: partner with inbound consent, but no identity sync policy yet.
    let created = h.as_tenant(&target_token, Method::POST, PARTNERS, Some(&json!({"tenantId": source}))).await;
    assert_eq!(created.status, 201);
    let inbound = json!({"automaticUserConsentSettings": {"inboundAllowed": true}});
    let path = format!("{PARTNERS}/{source}");
    assert_eq!(h.as_tenant(&target_token, Method::PATCH, &path, Some(&inbound)).await.status, 204);
    let refused = h.post(&validate, &body).await;
    assert_eq!(refused.status, 400);
    assert!(refused.error_message().contains("isSyncAllowed"), "{}", refused.text);
    assert!(!refused.error_message().contains("inboundAllowed"), "{}", refused.text);

    // A policy that does not allow sync is not enough either.
    let sync = json!({"displayName": "Source", "userSyncInbound": {"isSyncAllowed": false}});
    let sync_path = format!("{path}/identitySynchronization");
    assert_eq!(h.as_tenant(&target_token, Method::PUT, &sync_path, Some(&sync)).await.status, 204);
    assert_eq!(h.post(&validate, &body).await.status, 400);
    let allow = json!({"userSyncInbound": {"isSyncAllowed": true}});
    assert_eq!(h.as_tenant(&target_token, Method::PATCH, &sync_path, Some(&allow)).await.status, 204);
    let accepted = h.post(&validate, &body).await;
    assert_eq!(accepted.status, 204, "{}", accepted.text);

    // Saved credentials and the job-bound variant reach the same answer.
    let saved = json!({"useSavedCredentials": true, "templateId": "Azure2Azure"});
    assert_eq!(h.post(&validate, &saved).await.status, 400, "no secrets saved yet");
    let secrets = format!("/v1.0/servicePrincipals/{}/synchronization/secrets", config.sp);
    h.put(&secrets, &json!({"value": body["credentials"]})).await;
    assert_eq!(h.post(&validate, &saved).await.status, 204);
    let job = create_job(&h, &config.sp).await;
    let bound = format!("{}/{job}/validateCredentials", jobs(&config.sp));
    assert_eq!(h.post(&bound, &json!({"useSavedCredentials": true})).await.status, 204);

    // The target withdrawing consent makes the test fail again.
    h.emulator
        .tenant(1)
        .unwrap()
        .patch_identity_sync(&source, json!({"userSyncInbound": {"isSyncAllowed": false}}))
        .unwrap();
    assert_eq!(h.post(&bound, &json!({"useSavedCredentials": true})).await.status, 400);
}

#[tokio::test]
async fn the_connection_test_names_tenants_it_cannot_reach_and_missing_credentials() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Elsewhere").await;
    let validate = format!("{}/validateCredentials", jobs(&config.sp));
    let with = |company: &str| json!({"templateId": "Azure2Azure", "credentials": [{"key": "CompanyId", "value": company}, {"key": "AuthenticationType", "value": "SyncPolicy"}]});
    let unknown = h.post(&validate, &with("00000000-1111-4222-8333-444444444444")).await;
    assert_eq!(unknown.error_code(), "ExternalTenantNotFound");
    // Contoso is in the lookup directory but not emulated: its policy allows nothing.
    let contoso = h.post(&validate, &with("6babcaad-604b-40ac-a9d7-9fd97c0b779f")).await;
    assert_eq!(contoso.error_code(), "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure");
    assert!(contoso.error_message().contains("not emulated"));
    let no_company = h.post(&validate, &json!({"templateId": "Azure2Azure", "credentials": []})).await;
    assert_eq!(no_company.status, 400);
    assert!(no_company.error_message().contains("CompanyId"));
    let wrong_template = h.post(&validate, &json!({"templateId": "aws", "credentials": []})).await;
    assert_eq!(wrong_template.status, 400);
}

#[tokio::test]
async fn the_schema_is_replaced_whole_and_its_matching_rule_cannot_change() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let job = create_job(&h, &config.sp).await;
    let schema_path = format!("{}/{job}/schema", jobs(&config.sp));
    let schema = h.get(&schema_path).await;
    assert_eq!(schema.status, 200);
    assert_eq!(schema.json["id"], job.as_str());
    assert_eq!(schema.json["version"], "v1.2");
    let rule = &schema.json["synchronizationRules"][0];
    assert_eq!(rule["name"], "USER_INBOUND_USER");
    assert_eq!(rule["targetDirectoryName"], "Azure Active Directory (target tenant)");
    let mappings = rule["objectMappings"][0]["attributeMappings"].as_array().unwrap();
    let find = |mappings: &[Value], target: &str| mappings.iter().find(|m| m["targetAttributeName"] == target).cloned();
    let matching = find(mappings, "alternativeSecurityIds").unwrap();
    assert_eq!(matching["source"]["expression"], "AltSecIdFromNetId([netId])");
    assert_eq!(matching["matchingPriority"], 1);
    assert_eq!(find(mappings, "userType").unwrap()["source"]["name"], "Member");
    assert_eq!(find(mappings, "showInAddressList").unwrap()["source"]["type"], "Constant");

    // GET, modify, PUT the whole schema back.
    let mut changed = schema.json.clone();
    changed.as_object_mut().unwrap().remove("@odata.context");
    changed.as_object_mut().unwrap().remove("directories");
    let user_mappings =
        changed["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array_mut().unwrap();
    for mapping in user_mappings.iter_mut() {
        if mapping["targetAttributeName"] == "userType" {
            mapping["flowType"] = json!("Always");
            mapping["source"] =
                json!({"expression": "\"Guest\"", "name": "Guest", "parameters": [], "type": "Constant"});
        }
    }
    user_mappings.retain(|m| m["targetAttributeName"] != "department");
    let scope = json!({"groups": [{"name": "Marketing", "clauses": [
        {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Marketing"]}},
        {"operatorName": "IS TRUE", "sourceOperandName": "accountEnabled", "targetOperand": {"values": []}},
    ]}], "categoryFilterGroups": [], "inputFilterGroups": []});
    changed["synchronizationRules"][0]["objectMappings"][0]["scope"] = scope.clone();
    let put = h.put(&schema_path, &changed).await;
    assert_eq!(put.status, 204, "{}", put.text);
    let read = h.get(&schema_path).await;
    let mappings =
        read.json["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array().unwrap().clone();
    assert_eq!(find(&mappings, "userType").unwrap()["source"]["name"], "Guest");
    assert!(find(&mappings, "department").is_none(), "PUT replaces the whole schema");
    assert_eq!(read.json["synchronizationRules"][0]["objectMappings"][0]["scope"], scope);
    assert_eq!(read.json["directories"], schema.json["directories"], "omitted directories are kept");

    // The matching rule: changed, removed, or another matching attribute → schemaInvalid; nothing is stored.
    let mut matching_changed = changed.clone();
    for mapping in
        matching_changed["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array_mut().unwrap()
    {
        if mapping["targetAttributeName"] == "alternativeSecurityIds" {
            mapping["source"] = json!({"expression": "[mail]", "name": "mail", "parameters": [], "type": "Attribute"});
        }
    }
    let refused = h.put(&schema_path, &matching_changed).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error_code(), "schemaInvalid");
    let mut removed = changed.clone();
    removed["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["targetAttributeName"] != "alternativeSecurityIds");
    assert_eq!(h.put(&schema_path, &removed).await.error_code(), "schemaInvalid");
    let mut extra = changed.clone();
    extra["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["matchingPriority"] = json!(2);
    assert_eq!(h.put(&schema_path, &extra).await.error_code(), "schemaInvalid");
    let mut bad_operator = changed.clone();
    bad_operator["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["clauses"][0]["operatorName"] =
        json!("LIKE");
    let refused = h.put(&schema_path, &bad_operator).await;
    assert_eq!(refused.error_code(), "schemaInvalid");
    assert!(refused.error_message().contains("'LIKE'"));
    let mut typo = changed.clone();
    typo["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["targetAttribute"] = json!("x");
    assert_eq!(h.put(&schema_path, &typo).await.error_message(), "Invalid property 'targetAttribute'.");
    let mut wrong_type = changed.clone();
    wrong_type["synchronizationRules"][0]["priority"] = json!("1");
    assert_eq!(h.put(&schema_path, &wrong_type).await.status, 400);
    let still = h.get(&schema_path).await;
    assert_eq!(
        find(
            still.json["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"].as_array().unwrap(),
            "userType"
        )
        .unwrap()["source"]["name"],
        "Guest"
    );

    // PATCH is not supported by the service: its plain 404.
    let patch = h.patch(&schema_path, &json!({})).await;
    assert_eq!(patch.status, 404);
    assert!(
        patch.json["Message"].as_str().unwrap().starts_with("No HTTP resource was found that matches the request URI")
    );

    let operators = h.get(&format!("{schema_path}/filterOperators")).await;
    assert_eq!(operators.status, 200);
    let names: Vec<&str> =
        operators.json["value"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    for expected in
        ["EQUALS", "NOT EQUALS", "IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL", "REGEX MATCH", "NOT REGEX MATCH"]
    {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert_eq!(
        operators.json["value"][0],
        json!({"name": "EQUALS", "arity": "Binary", "multivaluedComparisonType": "All", "supportedAttributeTypes": ["String", "Integer", "Reference", "Boolean"]})
    );

    // An out-of-band edit (the portal's schema editor) shows on the next GET.
    let tenant = h.emulator.first_tenant();
    let mut edited = tenant.synchronization_schema(&config.sp, &job).unwrap();
    edited["synchronizationRules"][0]["objectMappings"][0]["scope"] = Value::Null;
    tenant.set_synchronization_schema(&config.sp, &job, edited).unwrap();
    assert_eq!(h.get(&schema_path).await.json["synchronizationRules"][0]["objectMappings"][0]["scope"], Value::Null);
}

#[tokio::test]
async fn app_role_assignments_validate_the_principal_and_the_role() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let assigned_to = format!("/v1.0/servicePrincipals/{}/appRoleAssignedTo", config.sp);
    let body =
        |principal: &str, role: &str| json!({"principalId": principal, "resourceId": config.sp, "appRoleId": role});

    let user = h.post(&assigned_to, &body(ADELE, &config.role)).await;
    assert_eq!(user.status, 201, "{}", user.text);
    assert_eq!(user.json["principalType"], "User");
    assert_eq!(user.json["principalDisplayName"], "Adele Vance");
    assert_eq!(user.json["resourceDisplayName"], "Fabrikam");
    assert_eq!(user.json["deletedDateTime"], Value::Null);
    assert_eq!(user.json["id"].as_str().unwrap().len(), 43);
    let group = h.post(&assigned_to, &body(SALES, &config.role)).await;
    assert_eq!(group.status, 201);
    assert_eq!(group.json["principalType"], "Group");

    let unknown = h.post(&assigned_to, &body("a5e40000-0001-4000-8000-0000000000ff", &config.role)).await;
    assert_eq!(unknown.status, 404);
    let foreign = h.post(&assigned_to, &body(ADELE_IN_SECOND, &config.role)).await;
    assert_eq!(foreign.status, 404, "a user of another tenant is not a principal here");
    let bad_role = h.post(&assigned_to, &body(ADELE, "00000000-0000-0000-0000-000000000000")).await;
    assert_eq!(bad_role.status, 400);
    assert!(bad_role.error_message().starts_with("Permission being assigned was not found on application"));
    let other_resource = h.post(&assigned_to, &json!({"principalId": ADELE, "resourceId": "00000000-0000-0000-0000-000000000001", "appRoleId": config.role})).await;
    assert_eq!(other_resource.status, 400);
    let duplicate = h.post(&assigned_to, &body(ADELE, &config.role)).await;
    assert_eq!(duplicate.status, 400);
    let typo =
        h.post(&assigned_to, &json!({"principalID": ADELE, "resourceId": config.sp, "appRoleId": config.role})).await;
    assert_eq!(typo.error_message(), "Invalid property 'principalID'.");

    let list = h.get(&assigned_to).await;
    assert_eq!(list.json["value"].as_array().unwrap().len(), 2);
    let id = user.json["id"].as_str().unwrap();
    assert_eq!(h.get(&format!("{assigned_to}/{id}")).await.json["principalId"], ADELE);
    assert_eq!(h.delete(&format!("{assigned_to}/{id}")).await.status, 204);
    assert_eq!(h.delete(&format!("{assigned_to}/{id}")).await.status, 404);
    assert_eq!(h.get(&assigned_to).await.json["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn app_role_assignments_are_listed_in_pages_of_the_page_size_unless_top_asks_for_more() {
    let h = Harness::default().await;
    h.emulator.set_page_size(2);
    let config = instantiate(&h, "Fabrikam").await;
    let assigned_to = format!("/v1.0/servicePrincipals/{}/appRoleAssignedTo", config.sp);
    for principal in [ADELE, "a5e40000-0001-4000-8000-000000000002", SALES] {
        let body = json!({"principalId": principal, "resourceId": config.sp, "appRoleId": config.role});
        assert_eq!(h.post(&assigned_to, &body).await.status, 201);
    }

    let first = h.get(&assigned_to).await;
    assert_eq!(first.json["value"].as_array().unwrap().len(), 2, "{}", first.text);
    let next = first.json["@odata.nextLink"].as_str().expect("a next link").to_owned();
    let response = h.http.get(&next).bearer_auth(&h.token).send().await.unwrap();
    let second = common::reply(response).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.json["value"][0]["principalId"], SALES);
    assert!(second.json.get("@odata.nextLink").is_none(), "{}", second.text);

    let all = h.get(&format!("{assigned_to}?$top=999")).await;
    assert_eq!(all.json["value"].as_array().unwrap().len(), 3, "{}", all.text);
    assert!(all.json.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn the_new_endpoints_check_permissions() {
    let h = Harness::default().await;
    h.emulator.add_app(AppRegistration::with_secret("policy-reader", "secret", &[ROLE_POLICY_READ_ALL])).unwrap();
    let reply = h
        .token_request(&[
            ("client_id", "policy-reader"),
            ("client_secret", "secret"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await;
    let token = reply.json["access_token"].as_str().unwrap().to_owned();
    let path = format!("/v1.0/applicationTemplates/{TEMPLATE}/instantiate");
    let refused = h.as_tenant(&token, Method::POST, &path, Some(&json!({"displayName": "x"}))).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code(), "Authorization_RequestDenied");
    assert_eq!(h.as_tenant(&token, Method::GET, "/v1.0/users", None).await.status, 403);
    assert_eq!(h.as_tenant(&token, Method::GET, "/v1.0/servicePrincipals", None).await.status, 403);
}

#[tokio::test]
async fn the_admin_surface_pauses_quarantines_edits_and_deletes_jobs() {
    let h = Harness::default().await;
    let config = instantiate(&h, "Fabrikam").await;
    let job = create_job(&h, &config.sp).await;
    let admin = |path: &str| {
        format!("{}/_emulator/servicePrincipals/{}/synchronization/jobs/{job}{path}", h.emulator.endpoint(), config.sp)
    };
    let quarantined =
        h.http.post(admin("/quarantine")).json(&json!({"reason": "TooManyDeletes"})).send().await.unwrap();
    assert_eq!(quarantined.status(), 200);
    let graph_job = format!("{}/{job}", jobs(&config.sp));
    assert_eq!(h.get(&graph_job).await.json["status"]["quarantine"]["reason"], "TooManyDeletes");
    assert_eq!(h.http.post(admin("/pause")).send().await.unwrap().status(), 200);
    assert_eq!(h.get(&graph_job).await.json["schedule"]["state"], "Paused");
    let schema = json!({"id": job, "version": "edited", "synchronizationRules": [], "directories": []});
    assert_eq!(h.http.put(admin("/schema")).json(&schema).send().await.unwrap().status(), 200);
    assert_eq!(h.get(&format!("{graph_job}/schema")).await.json["version"], "edited");
    let objects =
        common::reply(h.http.get(format!("{}/_emulator/objects", h.emulator.endpoint())).send().await.unwrap()).await;
    assert_eq!(objects.json["synchronization"][&config.sp]["jobs"][&job]["schema"]["version"], "edited");
    assert_eq!(h.http.delete(admin("")).send().await.unwrap().status(), 200);
    assert_eq!(h.get(&graph_job).await.status, 404);
    assert_eq!(h.http.delete(admin("")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn listings_support_select_filter_and_paging() {
    let h = Harness::default().await;
    for name in ["One", "Two", "Three"] {
        instantiate(&h, name).await;
    }
    let filtered = h
        .get(&format!("/v1.0/servicePrincipals?$filter=applicationTemplateId eq '{TEMPLATE}'&$select=id,appRoles,displayName&$top=2&$count=true"))
        .await;
    assert_eq!(filtered.status, 200, "{}", filtered.text);
    assert_eq!(filtered.json["@odata.count"], 3);
    let page = filtered.json["value"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    let keys: Vec<&String> = page[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["appRoles", "displayName", "id"]);
    let next = filtered.json["@odata.nextLink"].as_str().unwrap();
    let rest = h.get(next.strip_prefix(h.emulator.endpoint()).unwrap()).await;
    assert_eq!(rest.json["value"].as_array().unwrap().len(), 1);
    assert!(rest.json.get("@odata.nextLink").is_none());

    let by_name = h.get("/v1.0/servicePrincipals?$filter=displayName eq 'Two'").await;
    assert_eq!(by_name.json["value"].as_array().unwrap().len(), 1);
    let none = h.get("/v1.0/servicePrincipals?$filter=applicationTemplateId eq 'other'").await;
    assert_eq!(none.json["value"], json!([]));
    assert_eq!(h.get("/v1.0/servicePrincipals?$filter=tags eq 'x'").await.error_code(), "Request_UnsupportedQuery");
    assert_eq!(h.get("/v1.0/servicePrincipals?$select=bogus").await.status, 400);
    assert_eq!(h.get("/v1.0/servicePrincipals?$expand=owners").await.status, 400);
    let user = h.get(&format!("/v1.0/users/{ADELE}?$select=displayName")).await;
    assert_eq!(user.json["displayName"], "Adele Vance");
    assert!(user.json.get("mail").is_none());
}

#[tokio::test]
async fn cycles_users_and_groups_can_be_added_out_of_band_and_reset_forgets_everything() {
    let h = Harness::default().await;
    let tenant = h.emulator.first_tenant();
    let nancy = "a5e40000-0001-4000-8000-0000000000aa";
    tenant.add_user(nancy, "Nancy Davolio").unwrap();
    tenant.add_group("96a00000-0001-4000-8000-0000000000aa", "Marketing").unwrap();
    assert!(tenant.add_user("nope", "X").is_err());
    assert_eq!(h.get(&format!("/v1.0/users/{nancy}")).await.json["mail"], "nancy.davolio@emulator.onmicrosoft.com");
    let config = instantiate(&h, "Fabrikam").await;
    let assigned = h
        .post(
            &format!("/v1.0/servicePrincipals/{}/appRoleAssignedTo", config.sp),
            &json!({"principalId": nancy, "resourceId": config.sp, "appRoleId": config.role}),
        )
        .await;
    assert_eq!(assigned.status, 201);

    let job = create_job(&h, &config.sp).await;
    assert!(
        tenant.complete_synchronization_cycle(&config.sp, &job).is_err(),
        "a job that is not started runs no cycle"
    );
    h.post(&format!("{}/{job}/start", jobs(&config.sp)), &json!({})).await;
    tenant.complete_synchronization_cycle(&config.sp, &job).unwrap();
    let read = h.get(&format!("{}/{job}", jobs(&config.sp))).await;
    assert_eq!(read.json["status"]["code"], "Active");
    assert_eq!(read.json["status"]["lastSuccessfulExecution"]["state"], "Succeeded");
    assert_eq!(read.json["status"]["lastExecution"]["countEntitled"], 1);
    assert_ne!(read.json["status"]["steadyStateFirstAchievedTime"], "0001-01-01T00:00:00Z");
    let admin =
        format!("{}/_emulator/servicePrincipals/{}/synchronization/jobs/{job}/cycle", h.emulator.endpoint(), config.sp);
    assert_eq!(h.http.post(admin).send().await.unwrap().status(), 200);
    let group = json!({"id": "96a00000-0001-4000-8000-0000000000bb", "display_name": "Finance"});
    let added = h.http.post(format!("{}/_emulator/groups", h.emulator.endpoint())).json(&group).send().await.unwrap();
    assert_eq!(added.status(), 201);
    assert_eq!(h.get("/v1.0/groups/96a00000-0001-4000-8000-0000000000bb").await.json["displayName"], "Finance");

    h.emulator.reset();
    assert_eq!(h.get("/v1.0/servicePrincipals").await.json["value"], json!([]));
    assert_eq!(h.get(&format!("/v1.0/users/{nancy}")).await.status, 404);
    assert_eq!(h.get("/v1.0/users").await.json["value"].as_array().unwrap().len(), 3);
}
