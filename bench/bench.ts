/**
 * A benchmark that `bench/run.ts` can run. `run()` returns the bench's metrics as plain JSON-able
 * data; it may throw, in which case the runner records `{ error: message }` for it and moves on.
 *
 * Rendering convention used by `bench/run.ts` (no extra interface needed):
 * - top-level scalar fields (number / string / boolean / null) are printed as a key/value table;
 * - top-level arrays of flat objects (e.g. `steps`) are printed as one table each, one row per item;
 * - nested objects are printed as `parent.child` keys.
 * Progress output belongs on stderr so stdout stays the readable report.
 */
export interface Bench {
  name: string;
  run(): Promise<Record<string, unknown>>;
}
