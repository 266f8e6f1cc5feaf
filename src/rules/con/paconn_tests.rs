//! The CON rules (and SEC001 on connectors) over paconn folders, built in
//! memory. The fixture test zips every `fail/` fixture, and a zip needs a
//! `solution.xml`, so the paconn layout's failing cases are proven here.

use crate::finding::{Confidence, Finding};
use crate::model::{Solution, Workspace};
use crate::rules::{Rule, RuleContext};
use crate::source::Layout;

use super::{
    connector_api_key_in_query::ConnectorApiKeyInQuery, connector_basic_auth::ConnectorBasicAuth,
    connector_custom_code::ConnectorCustomCode, connector_insecure_scheme::ConnectorInsecureScheme,
    connector_no_auth::ConnectorNoAuth, connector_nonprod_host::ConnectorNonprodHost,
    connector_oauth_implicit_flow::ConnectorOauthImplicitFlow,
};

fn paconn(files: &[(&str, &str)]) -> Workspace {
    Workspace::in_memory("connectors/Contoso Widgets", Layout::Connector, files)
}

fn run(rule: &dyn Rule, ws: &Workspace) -> Vec<Finding> {
    let solution = Solution::build(ws);
    let mut findings = Vec::new();
    let mut cx = RuleContext::new(rule.meta(), 0, &mut findings);
    rule.check(&solution, &mut cx);
    findings
}

fn swagger(host: &str, schemes: &str, security: &str) -> String {
    format!(
        r#"{{
  "swagger": "2.0",
  "info": {{ "title": "Contoso Widgets", "version": "1.0" }},
  "host": "{host}",
  "basePath": "/",
  "schemes": {schemes},
  "paths": {{ "/widgets": {{ "get": {{ "operationId": "ListWidgets", "responses": {{ "200": {{ "description": "OK" }} }} }} }} }}{security}
}}"#
    )
}

fn properties(body: &str) -> String {
    format!(r##"{{ "properties": {{ {body} "iconBrandColor": "#ffffff" }} }}"##)
}

fn snippet<'w>(ws: &'w Workspace, f: &Finding) -> &'w str {
    let crate::finding::FileRef::Id(id) = f.primary.file else {
        return "";
    };
    std::str::from_utf8(&ws.files[id].bytes[f.primary.span.range()]).unwrap_or("")
}

#[test]
fn no_auth_in_paconn_folders() {
    let ws = paconn(&[
        (
            "apiDefinition.swagger.json",
            &swagger(
                "api.widgets.contoso.com",
                r#"["https"]"#,
                r#", "securityDefinitions": {}"#,
            ),
        ),
        (
            "apiProperties.json",
            &properties(r#""connectionParameters": {},"#),
        ),
    ]);
    let found = run(&ConnectorNoAuth, &ws);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].primary.logical_path, "/securityDefinitions");
    assert_eq!(snippet(&ws, &found[0]), "\"securityDefinitions\"");
    assert_eq!(found[0].component.identity, "connector:Contoso Widgets");
    assert_eq!(
        found[0].message,
        "Connector 'Contoso Widgets' (api.widgets.contoso.com) has no authentication; anyone reaching it calls it anonymously."
    );
    assert_eq!(
        found[0].related[0].location.logical_path,
        "/properties/connectionParameters"
    );

    // `connectionParameterSets` beside `connectionParameters` count.
    let ws = paconn(&[
        (
            "apiDefinition.swagger.json",
            &swagger("api.widgets.contoso.com", r#"["https"]"#, ""),
        ),
        (
            "apiProperties.json",
            &properties(
                r#""connectionParameters": null, "connectionParameterSets": { "values": [
                    { "name": "oauth", "parameters": { "token": { "type": "oauthSetting" } } } ] },"#,
            ),
        ),
    ]);
    assert!(run(&ConnectorNoAuth, &ws).is_empty());
}

#[test]
fn scheme_host_and_security_definitions_in_paconn_folders() {
    let ws = paconn(&[
        (
            "apiDefinition.swagger.json",
            &swagger(
                "test.com",
                r#"["http"]"#,
                r#", "securityDefinitions": {
    "api_key": { "type": "apiKey", "in": "query", "name": "key" },
    "basic_auth": { "type": "basic" },
    "oauth2_auth": { "type": "oauth2", "flow": "implicit", "authorizationUrl": "https://login.contoso.com/authorize", "scopes": {} } }"#,
            ),
        ),
        (
            "apiProperties.json",
            &properties(r#""connectionParameters": {},"#),
        ),
    ]);
    let scheme = run(&ConnectorInsecureScheme, &ws);
    assert_eq!(scheme.len(), 1);
    assert_eq!(snippet(&ws, &scheme[0]), "\"http\"");
    assert_eq!(scheme[0].primary.logical_path, "/schemes/0");

    let host = run(&ConnectorNonprodHost, &ws);
    assert_eq!(host.len(), 1);
    assert_eq!(
        host[0].message,
        "Connector 'Contoso Widgets' targets placeholder host test.com."
    );
    assert_eq!(host[0].confidence, Confidence::High);

    let query = run(&ConnectorApiKeyInQuery, &ws);
    assert_eq!(query.len(), 1);
    assert_eq!(
        query[0].primary.logical_path,
        "/securityDefinitions/api_key/in"
    );
    assert_eq!(snippet(&ws, &query[0]), "\"query\"");

    let basic = run(&ConnectorBasicAuth, &ws);
    assert_eq!(basic.len(), 1);
    assert_eq!(
        basic[0].primary.logical_path,
        "/securityDefinitions/basic_auth/type"
    );

    let implicit = run(&ConnectorOauthImplicitFlow, &ws);
    assert_eq!(implicit.len(), 1);
    assert_eq!(
        implicit[0].primary.logical_path,
        "/securityDefinitions/oauth2_auth/flow"
    );
    assert_eq!(snippet(&ws, &implicit[0]), "\"implicit\"");

    // Securing the definition is enough for CON001.
    assert!(run(&ConnectorNoAuth, &ws).is_empty());
}

#[test]
fn script_csx_and_policies_in_paconn_folders() {
    let ws = paconn(&[
        (
            "apiDefinition.swagger.json",
            &swagger(
                "localhost:4433",
                r#"["https"]"#,
                r#", "securityDefinitions": {}"#,
            ),
        ),
        (
            "apiProperties.json",
            &properties(
                r#""connectionParameters": { "api_key": { "type": "securestring" } },
                "scriptOperations": ["ListWidgets"],
                "policyTemplateInstances": [
                  { "templateId": "setqueryparameter", "title": "Key", "parameters": {
                      "x-ms-apimTemplateParameter.name": "apikey",
                      "x-ms-apimTemplateParameter.value": "@connectionParameters('api_key')" } },
                  { "templateId": "dynamichosturl", "title": "Dev host", "parameters": {
                      "x-ms-apimTemplateParameter.urlTemplate": "http://widgets.staging.contoso.com" } } ],"#,
            ),
        ),
        (
            "script.csx",
            "\u{feff}public class Script : ScriptBase { }\n",
        ),
    ]);
    let code = run(&ConnectorCustomCode, &ws);
    assert_eq!(code.len(), 1);
    assert_eq!(
        code[0].message,
        "Connector 'Contoso Widgets' runs custom C# on ListWidgets."
    );
    assert_eq!(code[0].primary.span.start, 0);
    assert_eq!(snippet(&ws, &code[0]), "\u{feff}");

    let query = run(&ConnectorApiKeyInQuery, &ws);
    assert_eq!(query.len(), 1);
    assert_eq!(
        query[0].primary.logical_path,
        "/properties/policyTemplateInstances/0/parameters/x-ms-apimTemplateParameter.value"
    );

    let scheme = run(&ConnectorInsecureScheme, &ws);
    assert_eq!(scheme.len(), 1);
    assert_eq!(
        scheme[0].primary.logical_path,
        "/properties/policyTemplateInstances/1/parameters/x-ms-apimTemplateParameter.urlTemplate"
    );

    let hosts: Vec<(String, Confidence)> = run(&ConnectorNonprodHost, &ws)
        .into_iter()
        .map(|f| (f.message, f.confidence))
        .collect();
    assert_eq!(
        hosts,
        [
            (
                "Connector 'Contoso Widgets' targets local host localhost.".to_string(),
                Confidence::High
            ),
            (
                "Connector 'Contoso Widgets' targets non-prod host widgets.staging.contoso.com."
                    .to_string(),
                Confidence::Low
            ),
        ]
    );
    // The securestring connection parameter is authentication.
    assert!(run(&ConnectorNoAuth, &ws).is_empty());
}

#[test]
fn secrets_in_paconn_policies_and_connection_parameter_sets() {
    let key = "sk-FAKEfakeFAKEfakeFAKE0123456789";
    let ws = paconn(&[
        (
            "apiDefinition.swagger.json",
            &swagger("api.widgets.contoso.com", r#"["https"]"#, ""),
        ),
        (
            "apiProperties.json",
            &properties(&format!(
                r#""connectionParameters": {{}},
                "connectionParameterSets": {{ "values": [ {{ "name": "oauth", "parameters": {{
                    "token": {{ "type": "oauthSetting", "oAuthSettings": {{ "clientId": "widgets", "clientSecret": "Fake.Widgets.Secret.2024" }} }} }} }} ] }},
                "policyTemplateInstances": [
                  {{ "templateId": "setheader", "title": "Auth", "parameters": {{
                      "x-ms-apimTemplateParameter.name": "Authorization",
                      "x-ms-apimTemplateParameter.value": "Bearer {key}" }} }},
                  {{ "templateId": "setheader", "title": "Placeholder", "parameters": {{
                      "x-ms-apimTemplateParameter.name": "Bb-Api-Subscription-Key",
                      "x-ms-apimTemplateParameter.value": "PLACEHOLDER_API_KEY" }} }} ],"#
            )),
        ),
    ]);
    let found = run(
        &crate::rules::sec::hardcoded_secret::HardcodedSecret::default(),
        &ws,
    );
    let paths: Vec<&str> = found
        .iter()
        .map(|f| f.primary.logical_path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/properties/policyTemplateInstances/0/parameters/x-ms-apimTemplateParameter.value",
            "/properties/connectionParameterSets/values/0/parameters/token/oAuthSettings/clientSecret",
        ]
    );
    assert_eq!(snippet(&ws, &found[0]), key);
    assert_eq!(snippet(&ws, &found[1]), "Fake.Widgets.Secret.2024");
    for f in &found {
        assert!(f.sensitive);
        assert!(!f.message.contains(snippet(&ws, f)));
    }
}
