// The kind-specific columns of a telemetry_event row, all unset. Every row
// builder (the demo seed, the intake's normalizer) starts from this and fills
// in what its event kind carries. No "server-only": the seed scripts use it.

/** A fresh object each call: `postProcessing` is an array the caller may fill. */
export function emptyKindFields() {
  return {
    errorKind: null,
    errorContext: null,
    latencyMs: null,
    modelCertainty: null,
    suggestionCount: null,
    suggestionCharLength: null,
    postProcessing: [] as string[],
    redactionFilter: null,
    accepted: null,
    persistenceCheckSec: null,
    persistenceRatio: null,
    measurements: null,
    content: null,
  };
}
