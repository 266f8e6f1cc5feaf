use crate::finding::{ComponentRef, Severity};
use crate::model::{Agent, Solution};
use crate::rules::helpers::ModerationLevel;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags content moderation set below the floor (default **High**):
    /// - the agent level, `configuration.json` `aISettings.contentModeration`
    ///   (workspace: `configuration.aISettings.contentModeration` in `settings.mcs.yml`);
    /// - a generative-answers node, `SearchAndSummarizeContent.moderationLevel`, below the
    ///   floor or below its agent's level.
    ///
    /// Levels, lowest first: `Minimum` (UI "Lowest") < `Low` < `Medium` < `High` <
    /// `Maximum` (UI "Highest"). An absent value is `High`, the default of both
    /// properties in Copilot Studio's object model (`BotSchema.json`, E30), so it gives no
    /// finding. `Medium` is reported as medium severity, anything lower as high.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). Content moderation filters harmful,
    /// hateful, sexual and violent content and prompt attacks in generated answers.
    /// Lowering it lets more such content reach users in the agent's name.
    ///
    /// ## Example
    /// ```json
    /// "aISettings": { "$kind": "AISettings", "contentModeration": "Low" }
    /// ```
    /// ```yaml
    /// - kind: SearchAndSummarizeContent
    ///   id: search-content
    ///   moderationLevel: Low
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Settings → Generative AI → Content moderation** (or the
    /// generative answers node's properties) and restore **High**; use **Highest** for
    /// public or regulated agents. To soften the experience, customise the message sent
    /// when a response is filtered (`ContentModerationSettings.moderatedCustomResponse`)
    /// instead of lowering the level. Justify any exception in a suppression.
    ///
    /// ## Options
    /// - `floor` (default `High`): the lowest acceptable level.
    pub ContentModerationLowered {
        id: "RAI001",
        name: "content-moderation-lowered",
        summary: "Content moderation of an agent or generative-answers node is lowered",
        pillar: Security,
        waf: "SE:01",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Restore High (Maximum for public or regulated agents). Customise ContentModerationSettings.moderatedCustomResponse instead of lowering. Justify exceptions in a suppression.",
        options: Options,
    }
}

/// Options of RAI001.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub floor: ModerationLevel,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            floor: ModerationLevel::High,
        }
    }
}

fn severity_for(level: ModerationLevel) -> Severity {
    if level == ModerationLevel::Medium {
        Severity::Medium
    } else {
        Severity::High
    }
}

impl ContentModerationLowered {
    fn agent_level(agent: &Agent<'_>) -> Option<(ModerationLevel, crate::model::Loc)> {
        let setting = agent.setting_text(&["aISettings", "contentModeration"])?;
        Some((ModerationLevel::parse(&setting.value)?, setting.loc))
    }
}

impl Rule for ContentModerationLowered {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let floor = self.options.floor;
        for agent in &solution.agents {
            let Some((level, loc)) = Self::agent_level(agent) else {
                continue;
            };
            if level < floor {
                cx.report(
                    ComponentRef::new("agent", agent.identity()),
                    &loc,
                    format!(
                        "Content moderation of '{}' is lowered to {} (default High).",
                        agent.label(),
                        level.name()
                    ),
                )
                .severity(severity_for(level))
                .label(format!("{} is below {}", level.name(), floor.name()))
                .canonical_path("/aISettings/contentModeration");
            }
        }
        for component in &solution.components {
            if component.data.is_none() {
                continue;
            }
            let agent = solution.agent_of(component);
            let agent_level = agent.and_then(Self::agent_level);
            for (node, path) in component.find_kinds(&["SearchAndSummarizeContent"]) {
                let Some(value) = node.get("moderationLevel") else {
                    continue;
                };
                let Some(level) = value.as_text().and_then(ModerationLevel::parse) else {
                    continue;
                };
                let effective_agent = agent_level
                    .as_ref()
                    .map_or(ModerationLevel::High, |(l, _)| *l);
                let below = if level < floor {
                    format!("below floor {}", floor.name())
                } else if level < effective_agent {
                    format!("below agent level {}", effective_agent.name())
                } else {
                    continue;
                };
                let Some(loc) = component.data_loc(value, &format!("{path}/moderationLevel"))
                else {
                    continue;
                };
                let node_id = node.id().unwrap_or("(no id)");
                let finding = cx
                    .report(
                        ComponentRef::new("botcomponent", component.identity.clone()),
                        &loc,
                        format!(
                            "Node {node_id} in '{}' uses moderationLevel {}, {below}.",
                            component.label(),
                            level.name()
                        ),
                    )
                    .severity(severity_for(level))
                    .label(format!("moderationLevel {}", level.name()));
                if let Some((agent_level, agent_loc)) = &agent_level {
                    finding.related(
                        agent_loc,
                        format!("agent content moderation is {}", agent_level.name()),
                    );
                }
            }
        }
    }
}
