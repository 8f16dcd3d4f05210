export * from './types';
export * from './state';
export * from './ident';
export * from './rules';
export * from './content';
export { plan } from './plan';
export { commit, type CommitOptions, type CommitReport, type CommitResult } from './commit';
export { MemorySide, type MemoryRunHooks, type MemoryRunResult } from './memory-side';
export { runMemorySync } from './memory-run';
