use crate::finding::ComponentRef;
use crate::model::{Component, KnowledgeKind, Loc, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::Span;

use super::support::agent_label;

declare_rule! {
    /// ## What it does
    /// Reports every document uploaded into an agent as knowledge, one finding per file:
    /// - exports: a bot component with `componenttype` 14 whose `botcomponent.xml` holds
    ///   `<filedata mimetype="…">file name</filedata>` (the bytes sit in its `filedata/`
    ///   folder); the finding points at `<filedata>`;
    /// - workspaces: a `knowledge/files/*.mcs.yml` stub (or any component of kind
    ///   `FileAttachmentComponentMetadata`); the finding points at its `kind`, else at its
    ///   `mcs.metadata.componentName`, else at its `# Name:` comment. Stubs carry no mime
    ///   type, so it is inferred from the file extension [I];
    /// - a `FileGroupKnowledgeSource` (a group of uploaded files, known only from the
    ///   official schema [S]) is reported only when none of its agent's files are in the
    ///   solution, so that no file is counted twice.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:03 (data classification). An uploaded file is a copy taken out
    /// of its system of record: it does not follow later edits, deletions, sensitivity
    /// labels or retention, and every user of the agent can get answers from it, whatever
    /// their permissions on the original. The copy also travels with every export of the
    /// solution.
    ///
    /// ## Example
    /// ```xml
    /// <botcomponent schemaname="cnt_helpdesk.file.BenefitsGuide.pdf_x1Y">
    ///   <componenttype>14</componenttype>
    ///   <filedata mimetype="application/pdf">Benefits%20Guide.pdf</filedata>
    /// </botcomponent>
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the agent's **Knowledge** page, remove the uploaded file
    /// and add the SharePoint library or Dataverse table that holds the original instead,
    /// so answers respect each user's permissions and the document's labels. The bot
    /// component (with its `filedata/` folder) then leaves the solution.
    pub KnowledgeUploadedDocuments {
        id: "KNW004",
        name: "knowledge-uploaded-documents",
        summary: "Agent ships an uploaded document as knowledge",
        pillar: Security,
        waf: "SE:03",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Reference it in SharePoint/Dataverse.",
    }
}

/// A mime type for a file name's extension; `None` when unknown.
fn mime_from_name(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.trim().to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "ppt" => "application/vnd.ms-powerpoint",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "htm" | "html" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "rtf" => "application/rtf",
        "odt" => "application/vnd.oasis.opendocument.text",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => return None,
    })
}

/// The `# Name: …` comment of a workspace stub: its value and the line's span.
fn name_comment(text: &str, base: usize) -> Option<(String, Span)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let trimmed = content.trim_start();
        if let Some(rest) = trimmed.strip_prefix('#')
            && let Some(name) = rest.trim_start().strip_prefix("Name:")
        {
            let start = base + offset + (content.len() - trimmed.len());
            return Some((
                name.trim().to_string(),
                Span::new(start, base + offset + content.len()),
            ));
        }
        offset += line.len();
    }
    None
}

struct Upload {
    name: String,
    mime: String,
    loc: Loc,
    label: &'static str,
}

/// What an uploaded-file component holds and where to point.
fn upload(solution: &Solution<'_>, component: &Component<'_>) -> Option<Upload> {
    if let Some(filedata) = &component.filedata {
        let name = if filedata.name.trim().is_empty() {
            component.label().to_string()
        } else {
            filedata.name.trim().to_string()
        };
        let mime = filedata
            .mimetype
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .or_else(|| mime_from_name(&name).map(str::to_string))
            .unwrap_or_else(|| "unknown type".to_string());
        return Some(Upload {
            name,
            mime,
            loc: filedata.loc.clone(),
            label: "uploaded file",
        });
    }
    if let Some(xml_file) = component.xml_file {
        // componenttype 14 without <filedata>: point at the component type.
        let doc = solution.ws.xml(xml_file)?;
        let root = doc.root()?;
        let id = doc.child(root, "componenttype").unwrap_or(root);
        let el = doc.el(id);
        let span = if id == root {
            el.start_tag
        } else {
            el.value_span()
        };
        let name = component.label().to_string();
        return Some(Upload {
            mime: mime_from_name(&name).unwrap_or("unknown type").to_string(),
            name,
            loc: Loc::new(xml_file, span, doc.logical_path(id)),
            label: "uploaded file",
        });
    }
    // A workspace stub.
    let file = component.data_file?;
    let text = solution.file(file).text().ok()?;
    let bom = solution.file(file).bom_len();
    let body = text.get(bom..).unwrap_or("");
    let data = component.data;
    let meta_name = data
        .and_then(|d| d.path(&["mcs.metadata", "componentName"]))
        .filter(|n| n.as_text().is_some_and(|t| !t.is_empty()));
    let comment = name_comment(body, bom);
    let name = meta_name
        .and_then(YamlNode::as_text)
        .map(str::to_string)
        .or_else(|| comment.as_ref().map(|(n, _)| n.clone()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| component.label().to_string());
    let loc = if let Some(kind) = data.and_then(|d| d.get("kind")) {
        Loc::new(file, kind.span, "/kind")
    } else if let Some(node) = meta_name {
        Loc::new(file, node.span, "/mcs.metadata/componentName")
    } else if let Some((_, span)) = comment {
        Loc::new(file, span, "")
    } else {
        let mut offset = bom;
        let mut span = Span::empty_at(bom);
        for line in body.split_inclusive('\n') {
            let content = line.trim_end_matches(['\r', '\n']);
            if !content.trim().is_empty() {
                span = Span::new(offset, offset + content.len());
                break;
            }
            offset += line.len();
        }
        Loc::new(file, span, "")
    };
    Some(Upload {
        mime: mime_from_name(&name).unwrap_or("unknown type").to_string(),
        name,
        loc,
        label: "uploaded file (type inferred from its name)",
    })
}

fn message(bot: &str, name: &str, mime: &str) -> String {
    format!(
        "Agent '{bot}' ships document '{name}' ({mime}): a copy outside its system of record, no per-user access control."
    )
}

impl Rule for KnowledgeUploadedDocuments {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let mut bots_with_files: Vec<String> = Vec::new();
        for component in &solution.components {
            if component.is_translation
                || component.knowledge() != Some(KnowledgeKind::UploadedFile)
            {
                continue;
            }
            let Some(upload) = upload(solution, component) else {
                continue;
            };
            let bot = agent_label(solution, component);
            if let Some(parent) = &component.parent_bot {
                bots_with_files.push(parent.to_ascii_lowercase());
            }
            cx.report(
                ComponentRef::new("botcomponent", component.identity.clone()),
                &upload.loc,
                message(&bot, &upload.name, &upload.mime),
            )
            .label(upload.label);
        }
        for component in &solution.components {
            if component.is_translation
                || component.knowledge() == Some(KnowledgeKind::UploadedFile)
                || component
                    .parent_bot
                    .as_ref()
                    .is_some_and(|p| bots_with_files.contains(&p.to_ascii_lowercase()))
            {
                continue;
            }
            if component.data.is_none() {
                continue;
            }
            for (node, path) in component.find_kinds(&["FileGroupKnowledgeSource"]) {
                let Some(kind) = node.get("kind") else {
                    continue;
                };
                let Some(loc) = component.data_loc(kind, &format!("{path}/kind")) else {
                    continue;
                };
                cx.report(
                    ComponentRef::new("botcomponent", component.identity.clone()),
                    &loc,
                    message(
                        &agent_label(solution, component),
                        component.label(),
                        "file group",
                    ),
                )
                .label("group of uploaded files");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    #[test]
    fn workspace_stubs() {
        let found = run(
            &KnowledgeUploadedDocuments,
            Layout::McsWorkspace,
            &[
                (
                    "settings.mcs.yml",
                    "displayName: Helpdesk\nschemaName: cnt_ws\n",
                ),
                (
                    "knowledge/files/Guide.mcs.yml",
                    "# Name: Product Guide.pdf\n# This knowledge source searches information contained in Product Guide.pdf\n",
                ),
                (
                    "knowledge/files/Ledger.xlsx_abc.mcs.yml",
                    "mcs.metadata:\n  componentName: Ledger.xlsx\n  description: x\n",
                ),
                (
                    "knowledge/files/Notes.mcs.yml",
                    "kind: FileAttachmentComponentMetadata\n",
                ),
                ("knowledge/files/Empty.mcs.yml", ""),
            ],
        );
        let got: Vec<(String, String, String)> = found
            .iter()
            .map(|f| {
                (
                    f.message.clone(),
                    f.primary.logical_path.clone(),
                    format!("{}..{}", f.primary.span.start, f.primary.span.end),
                )
            })
            .collect();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1].0,
            "Agent 'Helpdesk' ships document 'Product Guide.pdf' (application/pdf): a copy outside its system of record, no per-user access control."
        );
        assert_eq!(got[1].2, "0..25");
        assert_eq!(got[2].1, "/mcs.metadata/componentName");
        assert!(got[2].0.contains(
            "'Ledger.xlsx' (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"
        ));
        assert_eq!(got[3].1, "/kind");
        assert!(got[3].0.contains("'Notes' (unknown type)"));
        assert!(got[0].0.contains("'Empty' (unknown type)"));
    }

    #[test]
    fn file_group_only_without_files() {
        let settings = ("settings.mcs.yml", "schemaName: cnt_ws\n");
        let group = (
            "knowledge/Group.mcs.yml",
            "kind: KnowledgeSourceConfiguration\nsource:\n  kind: FileGroupKnowledgeSource\n  instructions: Policies\n",
        );
        let alone = run(
            &KnowledgeUploadedDocuments,
            Layout::McsWorkspace,
            &[settings, group],
        );
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].primary.logical_path, "/source/kind");
        let with_file = run(
            &KnowledgeUploadedDocuments,
            Layout::McsWorkspace,
            &[
                settings,
                group,
                ("knowledge/files/A.mcs.yml", "# Name: A.pdf\n"),
            ],
        );
        assert_eq!(with_file.len(), 1);
        assert!(with_file[0].message.contains("'A.pdf'"));
    }
}
