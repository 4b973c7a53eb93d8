// Imported first by main.ts, so it is evaluated before the rest of the bundle: the time the
// extension's module began loading, for the `Activated in N ms` line.
export const loadStart = performance.now();
