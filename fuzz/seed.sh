#!/usr/bin/env bash
# Builds the seed corpora for every fuzz target from fixtures/ (nothing is
# committed: the seeds are derived from the fixtures each time).
set -euo pipefail
cd "$(dirname "$0")"
root=..
rm -rf corpus && mkdir -p corpus/{zip_pipeline,parse_xml,parse_json,parse_yaml,model_files,workspace_files}
n=0
for dir in "$root"/fixtures/rules/*/* "$root"/fixtures/demo/*; do
  [ -d "$dir" ] || continue
  n=$((n + 1))
  (cd "$dir" && python3 - "$OLDPWD/corpus/zip_pipeline/seed-$n.zip" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in sorted(os.walk(".")):
        for f in sorted(files):
            p = os.path.join(base, f)[2:]
            z.write(p, p)
PY
  )
done
find "$root/fixtures" -name '*.xml' -size -64k | while read -r f; do cp "$f" "corpus/parse_xml/$(echo "$f" | md5sum | cut -c1-16)"; done
find "$root/fixtures" -name '*.json' -size -64k | while read -r f; do cp "$f" "corpus/parse_json/$(echo "$f" | md5sum | cut -c1-16)"; done
find "$root/fixtures" \( -name 'data' -o -name '*.yml' \) -size -64k | while read -r f; do cp "$f" "corpus/parse_yaml/$(echo "$f" | md5sum | cut -c1-16)"; done
# model_files: NUL-joined files in pplint::fuzzing::MODEL_PATHS order.
python3 - "$root" <<'PY'
import glob, os, sys
root = sys.argv[1]
order = ["solution.xml", "customizations.xml", "bot.xml", "configuration.json", "botcomponent.xml", "data",
         "workflows", "_openapidefinition.json", "_connectionparameters.json", "_policytemplateinstances.json",
         "environmentvariabledefinition.xml", "environmentvariablevalues.json"]
for i, d in enumerate(sorted(glob.glob(os.path.join(root, "fixtures/rules/*/fail")))):
    files = [p for p in glob.glob(os.path.join(d, "**"), recursive=True) if os.path.isfile(p)]
    chunks = []
    for key in order:
        match = [p for p in files if (key == "workflows" and "/Workflows/" in p) or os.path.basename(p) == key or (key.startswith("_") and p.endswith(key))]
        chunks.append(open(match[0], "rb").read() if match else b"")
    open(f"corpus/model_files/seed-{i}", "wb").write(b"\0".join(chunks))
PY
python3 - <<'PY'
parts = [b"schemaName: cnt_bot\nauthenticationMode: None\naccessControlPolicy: Any\nconfiguration:\n  settings:\n    GenerativeActionsEnabled: true\n  aISettings:\n    contentModeration: Low\n    useModelKnowledge: true\n",
         b"kind: GptComponentMetadata\ninstructions:\ngptCapabilities:\n  webBrowsing: true\n",
         b"kind: AdaptiveDialog\nbeginDialog:\n  kind: OnRecognizedIntent\n  id: main\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: s\n      moderationLevel: Low\n",
         b"kind: TaskDialog\naction:\n  kind: InvokeConnectorTaskAction\n  connectionReference: cnt_ref\n  connectionProperties:\n    mode: Maker\n",
         b"kind: KnowledgeSourceConfiguration\nsource:\n  kind: PublicSiteSearchSource\n  site: https://contoso.example/\n",
         b"connectionReferences:\n  - connectionReferenceLogicalName: cnt_ref\n    connectorId: /providers/Microsoft.PowerApps/apis/shared_office365\n"]
open("corpus/workspace_files/seed-0", "wb").write(b"\0".join(parts))
PY
echo "seeded: $(find corpus -type f | wc -l) inputs"
