import type { VtModule, VtRecord } from './modules';

export interface VtigerQueryUser {
	id: number;
	isAdmin?: boolean;
}

/** What the VTQL evaluator needs from the store. */
export interface VtigerStoreLike {
	users: Array<{ id: number; userName: string; firstName?: string; lastName?: string; email?: string; isAdmin?: boolean }>;
	groups: Array<{ id: number; name: string }>;
	module(name: string): VtModule | undefined;
	live(moduleName: string): VtRecord[];
}
