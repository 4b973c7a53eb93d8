// monaco-editor 0.5x's compatibility createWebWorker (moduleId/label/createData, the worker from
// MonacoEnvironment.getWorker), which the package ships without types.
declare module 'monaco-editor/internal/common/workers.js' {
  export function createWebWorker(opts: { moduleId?: string; label?: string; createData?: unknown; host?: Record<string, (...args: unknown[]) => unknown>; keepIdleModels?: boolean }): unknown;
}
