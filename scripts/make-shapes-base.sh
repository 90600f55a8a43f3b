#!/usr/bin/env bash
# Reproduces the binding base model (models/shapes-base-v2, issue 19's candidate successor of models/shapes-base) from
# scratch, in two pretraining stages with one seed:
#   1. the language stage: the text encoder alone, trained on the caption-structure labels (about a minute);
#   2. the image stage: a U-Net with the position code, trained from scratch on that encoder, frozen, with position and
#      colour-attribution prompts drawn twice as often as the other tags (docs/RESULTS.md, issue 19).
# Both stages checkpoint and this script always resumes, so rerunning it after a kill continues where it stopped
# (bit-identically for the same seed and thread count).
#
# Usage: bash scripts/make-shapes-base.sh [SEED] [OUT] [EXPORT]
#   SEED    the seed of both stages (default 0; models/shapes-base-v2 is seed 1, the better of seeds 0 and 1)
#   OUT     the run folder (default runs/shapes-base-s$SEED; the stages go to OUT/language and OUT/image)
#   EXPORT  where to copy the final EMA model (default: nowhere; e.g. models/shapes-base-v2)
# It takes about 100 minutes on one core of this 2-core VM (two seeds side by side).
# Environment: THREADS (default 1, what models/shapes-base-v2 was trained with), FLOWTUNE (the CLI; default the Release build).
set -euo pipefail
seed="${1:-0}"
out="${2:-runs/shapes-base-s$seed}"
export_to="${3:-}"
threads="${THREADS:-1}"
flowtune="${FLOWTUNE:-src/FlowTune.Cli/bin/Release/net10.0/flowtune}"

"$flowtune" pretrain --world shapes --out "$out/language" --preset unet-small --text-only --caption-labels 1 \
  --steps 1500 --lr 1e-3 --seed "$seed" --threads "$threads" --eval-every 0 --resume
"$flowtune" pretrain --world shapes --out "$out/image" --preset unet-small-pos --text-encoder-from "$out/language/final" \
  --freeze-text --tag-weights position=2,color_attr=2 --steps 4500 --eval-every 500 --seed "$seed" --threads "$threads" --resume \
  ${export_to:+--export "$export_to"}
