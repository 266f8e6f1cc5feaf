use crate::finding::ComponentRef;
use crate::model::{Component, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent whose **Escalate** system topic (trigger `OnEscalate`) is still the
    /// template: its only actions are `SendActivity` messages saying escalation "is not
    /// currently configured", and nothing in the agent hands the conversation over
    /// (`InvokeSkillAction`, `TransferConversation`, `TransferConversationV2`,
    /// `TransferToAgent` or `TransferToPhoneNumber`; the last three are known only from the
    /// schema [S]). A disabled Escalate topic (`<statecode>1</statecode>`) is not reported:
    /// disabling it is the template's own advice for agents that do not escalate.
    ///
    /// ## Why is this bad?
    /// Experience Optimization pillar, XO:10 (conversation design). Users who ask for a
    /// person, often because the agent failed them or the matter is sensitive, get a
    /// placeholder telling them escalation is not configured and no other route. That is a
    /// dead end at the worst moment of the conversation.
    ///
    /// ## Example
    /// ```yaml
    /// kind: AdaptiveDialog
    /// beginDialog:
    ///   kind: OnEscalate
    ///   id: main
    ///   actions:
    ///     - kind: SendActivity
    ///       id: sendMessage_s39DCt
    ///       activity: Escalating to a representative is not currently configured for this agent, …
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Topics → System → Escalate** and either configure a
    /// hand-off (**Settings → Customer engagement hub**, e.g. Dynamics 365 Omnichannel, or a
    /// **Transfer conversation** node / a skill), or replace the message with real contact
    /// routes (phone, mailbox, service portal). If the agent must never escalate, turn the
    /// topic off. In the export the topic is the `botcomponents/<bot>.topic.Escalate/data`
    /// with `beginDialog.kind: OnEscalate`.
    pub NoHumanEscalation {
        id: "RAI004",
        name: "no-human-escalation",
        summary: "Escalate topic is the unmodified template and nothing hands over to a person",
        pillar: ExperienceOptimization,
        waf: "XO:10",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Configure hand-off, or give real contact routes.",
    }
}

/// The placeholder sentence of the Escalate template (all template versions).
const TEMPLATE_MARKER: &str = "is not currently configured";

/// Node kinds that hand the conversation to a person or another bot.
const HANDOFF_KINDS: [&str; 5] = [
    "InvokeSkillAction",
    "TransferConversation",
    "TransferConversationV2",
    "TransferToAgent",
    "TransferToPhoneNumber",
];

/// The text node of a `SendActivity` holding the template marker, with its path
/// below the activity (`activity` as text, or `activity.text[i]`).
fn template_text(activity: &YamlNode) -> Option<(&YamlNode, String)> {
    let has_marker = |n: &YamlNode| {
        n.as_text()
            .is_some_and(|t| t.to_ascii_lowercase().contains(TEMPLATE_MARKER))
    };
    if activity.as_str().is_some() {
        return has_marker(activity).then(|| (activity, String::new()));
    }
    let text = activity.get("text")?;
    if text.as_str().is_some() {
        return has_marker(text).then(|| (text, "/text".to_string()));
    }
    text.items()
        .iter()
        .enumerate()
        .find(|(_, item)| has_marker(item))
        .map(|(i, item)| (item, format!("/text/{i}")))
}

impl Rule for NoHumanEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for topic in &solution.components {
            let Some(data) = topic.data else { continue };
            let Some(begin) = data.get("beginDialog") else {
                continue;
            };
            if begin.kind_name() != Some("OnEscalate") || topic.disabled {
                continue;
            }
            let actions = begin
                .get("actions")
                .map(YamlNode::items)
                .unwrap_or_default();
            if actions.is_empty() {
                continue;
            }
            let mut first = None;
            let mut template = true;
            for (i, action) in actions.iter().enumerate() {
                let found = (action.kind_name() == Some("SendActivity"))
                    .then(|| action.get("activity").and_then(template_text))
                    .flatten();
                match found {
                    Some((node, suffix)) => {
                        if first.is_none() {
                            let segment = match action.id() {
                                Some(id) => format!("[id={id}]"),
                                None => i.to_string(),
                            };
                            first = Some((
                                node,
                                format!("/beginDialog/actions/{segment}/activity{suffix}"),
                            ));
                        }
                    }
                    None => {
                        template = false;
                        break;
                    }
                }
            }
            let (Some((node, path)), true) = (first, template) else {
                continue;
            };
            let same_agent = |c: &&Component<'_>| match (&topic.parent_bot, &c.parent_bot) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (None, None) => true,
                _ => false,
            };
            let hands_off = solution
                .components
                .iter()
                .filter(same_agent)
                .any(|c| c.has_kind(&HANDOFF_KINDS));
            if hands_off {
                continue;
            }
            let Some(loc) = topic.data_loc(node, &path) else {
                continue;
            };
            let bot = solution
                .agent_of(topic)
                .map(|a| a.label().to_string())
                .or_else(|| topic.parent_bot.clone())
                .or_else(|| topic.parent_collection.clone())
                .unwrap_or_else(|| topic.label().to_string());
            cx.report(
                ComponentRef::new("botcomponent", topic.identity.clone()),
                &loc,
                format!(
                    "Escalate topic of '{bot}' is the unmodified template: users asking for a human dead-end."
                ),
            )
            .label("template placeholder, no hand-off configured");
        }
    }
}
