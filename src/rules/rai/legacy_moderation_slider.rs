use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports the legacy generative-fallback moderation slider of older agents (template
    /// `default-2.0.0`): `configuration.json` `settings.FallbackAISettingModerationSlider`
    /// while `settings.FallbackAISettingEnabled` is `true`. The slider is not reported when
    /// the legacy fallback is off.
    ///
    /// The slider's scale is unverified [I]: the only value ever seen in a real export is
    /// `1`, with the fallback disabled. So this rule is opt-in (pedantic) and low
    /// confidence; it reports the value for review rather than judging it.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). The legacy generative fallback answers
    /// unrecognised questions with generated text filtered by this slider, outside the
    /// agent-level content moderation (`aISettings.contentModeration`) that current
    /// agents use, so a review of the agent's moderation easily misses it.
    ///
    /// ## Example
    /// ```json
    /// "settings": {
    ///   "FallbackAISettingEnabled": true,
    ///   "FallbackAISettingModerationSlider": 1
    /// }
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, switch the agent to the current generative AI settings
    /// (**Settings → Generative AI**) and set **Content moderation** there (High, or
    /// Highest for public agents); turn off the legacy "boost conversations" fallback. In
    /// the export, `aISettings.contentModeration` then holds the level and
    /// `settings.FallbackAISettingEnabled` is `false`.
    pub LegacyModerationSlider {
        id: "RAI002",
        name: "legacy-moderation-slider",
        summary: "Legacy generative-fallback moderation slider is in use",
        pillar: Security,
        waf: "SE:01",
        severity: Low,
        confidence: Low,
        default_on: false,
        help: "Migrate to aISettings.contentModeration.",
    }
}

impl Rule for LegacyModerationSlider {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let Some(enabled) = agent.setting_bool(&["settings", "FallbackAISettingEnabled"])
            else {
                continue;
            };
            if !enabled.value {
                continue;
            }
            let Some((node, loc)) =
                agent.setting(&["settings", "FallbackAISettingModerationSlider"])
            else {
                continue;
            };
            let Some(value) = node.as_text() else {
                continue;
            };
            cx.report(
                ComponentRef::new("agent", agent.identity()),
                &loc,
                format!("Legacy fallback moderation slider = {value} (scale unverified)."),
            )
            .label(format!("slider {value}"))
            .canonical_path("/settings/FallbackAISettingModerationSlider")
            .related(&enabled.loc, "legacy generative fallback is on");
        }
    }
}
