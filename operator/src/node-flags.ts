// The V8 flags the operator runs with (the image's ENTRYPOINT; the scale
// benchmark starts the operator with them too). The operator is I/O-bound
// and its live heap is small, but bursts of watch events and REST answers
// let V8's default young generation (up to 3 x 16-32 MB) and heap growth
// (up to 4x per step) add over 100 MB of resident garbage at 2,200 objects.
// A 2 MB semi-space and V8's size-over-speed heuristics keep the peak under
// 150 MiB there with no loss of reconciles/s (docs/operator.md, Load).
export const OPERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--optimize-for-size'];
