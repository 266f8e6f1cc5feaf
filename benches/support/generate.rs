//! Generates realistic solution exports of any size by varying the structures
//! real exports have (agent, topics with generative answers and flow calls,
//! agent flows with scopes and HTTP calls, custom connectors, connection
//! references, environment variables). Deterministic for a given size.

use std::io::Write;

pub struct Size {
    pub flows: usize,
    pub topics: usize,
    pub connectors: usize,
}

/// A GUID-shaped id derived from a counter (stable across runs).
fn guid(kind: u32, n: usize) -> String {
    let x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(kind);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (x >> 32) as u32,
        (x >> 16) as u16,
        (x & 0xfff) as u16,
        ((x >> 12) & 0xfff) as u16,
        x & 0xffff_ffff_ffff
    )
}

fn flow_json(i: usize, connector: Option<usize>) -> String {
    let custom = connector.map_or(String::new(), |c| {
        format!(
            r#","shared_gen-connector-{c}": {{"runtimeSource": "invoker", "connection": {{"connectionReferenceLogicalName": "gen_connector{c}_ref"}}, "api": {{"name": "shared_gen-connector-{c}", "logicalName": "gen_5Fconnector{c}"}}}}"#
        )
    });
    let custom_action = connector.map_or(String::new(), |c| {
        format!(
            r#","Call_connector": {{"runAfter": {{"Scope_Try": ["Succeeded"]}}, "type": "OpenApiConnection", "inputs": {{"host": {{"connectionName": "shared_gen-connector-{c}", "operationId": "GetItems", "apiId": ""}}, "parameters": {{"query": "@triggerBody()?['text']"}}}}}}"#
        )
    });
    format!(
        r#"{{
  "properties": {{
    "connectionReferences": {{
      "shared_office365": {{"runtimeSource": "embedded", "connection": {{"connectionReferenceLogicalName": "gen_sharedoffice365_ref"}}, "api": {{"name": "shared_office365"}}}},
      "shared_commondataserviceforapps": {{"runtimeSource": "invoker", "connection": {{"connectionReferenceLogicalName": "gen_shareddataverse_ref"}}, "api": {{"name": "shared_commondataserviceforapps"}}}}{custom}
    }},
    "definition": {{
      "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
      "contentVersion": "1.0.0.0",
      "parameters": {{
        "$connections": {{"defaultValue": {{}}, "type": "Object"}},
        "$authentication": {{"defaultValue": {{}}, "type": "SecureObject"}},
        "Service URL (gen_ServiceUrl{i})": {{"defaultValue": "https://contoso.example/api/{i}", "type": "String", "metadata": {{"schemaName": "gen_ServiceUrl{i}"}}}}
      }},
      "triggers": {{"manual": {{"type": "Request", "kind": "Skills", "inputs": {{"schema": {{"type": "object", "properties": {{"text": {{"type": "string", "title": "text"}}}}, "required": ["text"]}}}}}}}},
      "actions": {{
        "Initialize_result": {{"runAfter": {{}}, "type": "InitializeVariable", "inputs": {{"variables": [{{"name": "result", "type": "string", "value": ""}}]}}}},
        "Scope_Try": {{
          "runAfter": {{"Initialize_result": ["Succeeded"]}},
          "type": "Scope",
          "actions": {{
            "List_rows": {{"runAfter": {{}}, "type": "OpenApiConnection", "inputs": {{"host": {{"connectionName": "shared_commondataserviceforapps", "operationId": "ListRecords", "apiId": "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps"}}, "parameters": {{"entityName": "accounts", "$filter": "name eq '@{{triggerBody()?['text']}}'", "$top": 10}}, "authentication": "@parameters('$authentication')"}}}},
            "Apply_to_each": {{"runAfter": {{"List_rows": ["Succeeded"]}}, "type": "Foreach", "foreach": "@outputs('List_rows')?['body/value']", "actions": {{
              "Condition": {{"runAfter": {{}}, "type": "If", "expression": {{"and": [{{"equals": ["@items('Apply_to_each')?['statecode']", 0]}}]}}, "actions": {{
                "Append": {{"runAfter": {{}}, "type": "AppendToStringVariable", "inputs": {{"name": "result", "value": "@items('Apply_to_each')?['name']"}}}}
              }}, "else": {{"actions": {{
                "Compose_skipped": {{"runAfter": {{}}, "type": "Compose", "inputs": "@items('Apply_to_each')?['accountid']"}}
              }}}}}}
            }}}},
            "Call_service": {{"runAfter": {{"Apply_to_each": ["Succeeded"]}}, "type": "Http", "inputs": {{"method": "POST", "uri": "@parameters('Service URL (gen_ServiceUrl{i})')", "headers": {{"Content-Type": "application/json"}}, "body": {{"text": "@variables('result')"}}, "retryPolicy": {{"type": "none"}}}}}}
          }}
        }},
        "Scope_Catch": {{"runAfter": {{"Scope_Try": ["Failed", "TimedOut"]}}, "type": "Scope", "actions": {{
          "Send_an_email": {{"runAfter": {{}}, "type": "OpenApiConnection", "inputs": {{"host": {{"connectionName": "shared_office365", "operationId": "SendEmailV2", "apiId": "/providers/Microsoft.PowerApps/apis/shared_office365"}}, "parameters": {{"emailMessage/To": "ops@contoso.example", "emailMessage/Subject": "Flow {i} failed", "emailMessage/Body": "<p>@{{result('Scope_Try')}}</p>"}}, "authentication": "@parameters('$authentication')"}}}}
        }}}},
        "Respond": {{"runAfter": {{"Scope_Try": ["Succeeded"]}}, "type": "Response", "kind": "Skills", "inputs": {{"statusCode": 200, "body": {{"result": "@variables('result')"}}, "schema": {{"type": "object", "properties": {{"result": {{"type": "string"}}}}}}}}}}{custom_action}
      }},
      "outputs": {{}}
    }},
    "templateName": ""
  }},
  "schemaVersion": "1.0.0.0"
}}
"#
    )
}

fn topic_yaml(i: usize, flow: Option<String>) -> String {
    let call = flow.map_or(String::new(), |id| {
        format!(
            "\r\n    - kind: InvokeFlowAction\r\n      id: invokeFlowAction_{i}\r\n      input:\r\n        binding:\r\n          text: =System.Activity.Text\r\n      output:\r\n        binding:\r\n          result: Topic.Result\r\n      flowId: {id}\r\n"
        )
    });
    format!(
        "kind: AdaptiveDialog\r\nmodelDescription: Answers questions about area {i} of the Contoso helpdesk – größe, café.\r\nbeginDialog:\r\n  kind: OnRecognizedIntent\r\n  id: main\r\n  intent:\r\n    displayName: Area {i}\r\n    triggerQueries:\r\n      - Tell me about area {i}\r\n      - How do I use area {i}?\r\n      - Area {i} help\r\n  actions:\r\n    - kind: Question\r\n      id: question_{i}\r\n      variable: init:Topic.Detail\r\n      prompt: What would you like to know about area {i}, {{System.User.DisplayName}}?\r\n      entity: StringPrebuiltEntity\r\n\r\n    - kind: SearchAndSummarizeContent\r\n      id: search-content-{i}\r\n      userInput: =Topic.Detail\r\n      moderationLevel: High\r\n      variable: Topic.Answer\r\n      publicDataSource:\r\n        kind: PublicSiteSearchDataSource\r\n        sites:\r\n          - \"https://learn.microsoft.com/area{i}/\"\r\n\r\n      sharePointSearchDataSource: {{}}\r\n{call}\r\n    - kind: ConditionGroup\r\n      id: conditionGroup_{i}\r\n      conditions:\r\n        - id: conditionItem_{i}\r\n          condition: =!IsBlank(Topic.Answer)\r\n          actions:\r\n            - kind: SendActivity\r\n              id: sendActivity_{i}\r\n              activity: \"{{Topic.Answer}}\"\r\n\r\n      elseActions:\r\n        - kind: SendActivity\r\n          id: sendActivity_none_{i}\r\n          activity: |-\r\n            Sorry, I could not find anything about area {i}.\r\n            Try asking in a different way.\r\n"
    )
}

/// Writes a solution export zip of `size` to `out`.
pub fn write_solution(size: &Size, out: impl Write + std::io::Seek) -> zip::result::ZipResult<()> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default();
    let put = |zip: &mut zip::ZipWriter<_>, name: &str, text: &str| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
        Ok(())
    };
    put(
        &mut zip,
        "solution.xml",
        "<ImportExportXml version=\"9.2.24014.198\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\" generatedBy=\"CrmLive\">\n  <SolutionManifest>\n    <UniqueName>GeneratedHelpdesk</UniqueName>\n    <Version>1.0.0.0</Version>\n    <Managed>0</Managed>\n    <Publisher>\n      <UniqueName>contoso</UniqueName>\n      <CustomizationPrefix>gen</CustomizationPrefix>\n    </Publisher>\n    <RootComponents />\n    <MissingDependencies />\n  </SolutionManifest>\n</ImportExportXml>\n",
    )?;
    let mut workflows = String::new();
    for f in 0..size.flows {
        let id = guid(1, f);
        workflows.push_str(&format!(
            "    <Workflow WorkflowId=\"{{{id}}}\" Name=\"Generated flow {f}\">\r\n      <JsonFileName>/Workflows/Generatedflow{f}-{}.json</JsonFileName>\r\n      <Type>1</Type>\r\n      <Category>5</Category>\r\n      <StateCode>1</StateCode>\r\n      <StatusCode>2</StatusCode>\r\n    </Workflow>\r\n",
            id.to_uppercase()
        ));
    }
    let mut connectors = String::new();
    let mut connrefs = String::from(
        "    <connectionreference connectionreferencelogicalname=\"gen_sharedoffice365_ref\">\r\n      <connectorid>/providers/Microsoft.PowerApps/apis/shared_office365</connectorid>\r\n    </connectionreference>\r\n    <connectionreference connectionreferencelogicalname=\"gen_shareddataverse_ref\">\r\n      <connectorid>/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps</connectorid>\r\n    </connectionreference>\r\n",
    );
    for c in 0..size.connectors {
        let id = guid(2, c);
        connectors.push_str(&format!(
            "    <Connector>\r\n      <connectorid>{id}</connectorid>\r\n      <displayname>Generated connector {c}</displayname>\r\n      <name>gen_5Fconnector{c}</name>\r\n      <connectortype>1</connectortype>\r\n      <openapidefinition>/Connector/gen_5Fconnector{c}_openapidefinition.json</openapidefinition>\r\n    </Connector>\r\n"
        ));
        connrefs.push_str(&format!(
            "    <connectionreference connectionreferencelogicalname=\"gen_connector{c}_ref\">\r\n      <connectorid>/providers/Microsoft.PowerApps/apis/shared_gen-connector-{c}</connectorid>\r\n      <customconnectorid>\r\n        <connectorid>{id}</connectorid>\r\n      </customconnectorid>\r\n    </connectionreference>\r\n"
        ));
    }
    put(
        &mut zip,
        "customizations.xml",
        &format!(
            "\u{feff}<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n  <Entities />\r\n  <Workflows>\r\n{workflows}  </Workflows>\r\n  <Connectors>\r\n{connectors}  </Connectors>\r\n  <connectionreferences>\r\n{connrefs}  </connectionreferences>\r\n</ImportExportXml>\r\n"
        ),
    )?;
    put(
        &mut zip,
        "bots/gen_helpdesk/bot.xml",
        "<bot schemaname=\"gen_helpdesk\">\n  <authenticationmode>2</authenticationmode>\n  <authenticationtrigger>1</authenticationtrigger>\n  <language>1033</language>\n  <name>Generated Helpdesk</name>\n  <template>default-2.1.0</template>\n</bot>\n",
    )?;
    put(
        &mut zip,
        "bots/gen_helpdesk/configuration.json",
        "{\"$kind\":\"BotConfiguration\",\"settings\":{\"GenerativeActionsEnabled\":true},\"aISettings\":{\"$kind\":\"AISettings\",\"useModelKnowledge\":false,\"isFileAnalysisEnabled\":true,\"contentModeration\":\"High\"},\"recognizer\":{\"$kind\":\"GenerativeAIRecognizer\"}}",
    )?;
    for t in 0..size.topics {
        let schema = format!("gen_helpdesk.topic.Area{t}");
        put(
            &mut zip,
            &format!("botcomponents/{schema}/botcomponent.xml"),
            &format!(
                "<botcomponent schemaname=\"{schema}\">\r\n  <componenttype>9</componenttype>\r\n  <name>Area {t}</name>\r\n  <parentbotid>\r\n    <schemaname>gen_helpdesk</schemaname>\r\n  </parentbotid>\r\n  <statecode>0</statecode>\r\n  <statuscode>1</statuscode>\r\n</botcomponent>\r\n"
            ),
        )?;
        let flow = (size.flows > 0).then(|| guid(1, t % size.flows));
        put(
            &mut zip,
            &format!("botcomponents/{schema}/data"),
            &topic_yaml(t, flow),
        )?;
    }
    for f in 0..size.flows {
        let connector = (size.connectors > 0).then_some(f % size.connectors.max(1));
        put(
            &mut zip,
            &format!(
                "Workflows/Generatedflow{f}-{}.json",
                guid(1, f).to_uppercase()
            ),
            &flow_json(f, connector),
        )?;
        put(
            &mut zip,
            &format!(
                "environmentvariabledefinitions/gen_ServiceUrl{f}/environmentvariabledefinition.xml"
            ),
            &format!(
                "<environmentvariabledefinition schemaname=\"gen_ServiceUrl{f}\">\n  <displayname default=\"Service URL {f}\" />\n  <type>100000000</type>\n</environmentvariabledefinition>\n"
            ),
        )?;
    }
    for c in 0..size.connectors {
        let host = if c % 5 == 4 {
            "gen-dev.devtunnels.ms"
        } else {
            "api.contoso.example"
        };
        put(
            &mut zip,
            &format!("Connector/gen_5Fconnector{c}_openapidefinition.json"),
            &format!(
                r#"{{"swagger":"2.0","info":{{"title":"Generated connector {c}","version":"1.0"}},"host":"{host}","basePath":"/v1","schemes":["https"],"paths":{{"/items":{{"get":{{"operationId":"GetItems","parameters":[{{"name":"query","in":"query","type":"string"}}],"responses":{{"200":{{"description":"OK"}}}}}}}}}},"securityDefinitions":{{"api_key":{{"type":"apiKey","in":"header","name":"x-api-key"}}}},"security":[{{"api_key":[]}}]}}"#
            ),
        )?;
        put(
            &mut zip,
            &format!("Connector/gen_5Fconnector{c}_connectionparameters.json"),
            r#"{"api_key":{"type":"securestring","uiDefinition":{"displayName":"API Key","constraints":{"required":"true"}}}}"#,
        )?;
    }
    zip.finish()?;
    Ok(())
}
