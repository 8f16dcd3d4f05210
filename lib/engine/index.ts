export * from './types';
export * from './state';
export * from './ident';
export * from './rules';
export * from './content';
export { plan } from './plan';
export { echoIdsToConfirm } from './echo';
export { adoptCommittedState, needsNewerState } from './state-handover';
export { commit, type CommitOptions, type CommitReport, type CommitResult } from './commit';
export { mergeFields } from './merge';
export { backoffRuns, MAX_RETRIES, MAX_WAIT_RUNS } from './retry';
export * from './workflow-items';
export { failedOutcome, type WriteFailureCode } from './outcome';
export {
	applyCrmScope,
	commaList,
	planOptionsFromSettings,
	DEFAULT_ALLOW_EMPTY_UP_TO,
	DEFAULT_REQUIRED_CRM_FIELDS,
	type CrmScope,
	type PlanSettings,
} from './plan-settings';
export { syncNotifications, type SyncNotification } from './notifications';
