/** vtiger's directory role (CrmDirectory): users, groups, event types and permissions. */
import type { CrmDirectory, CrmGroup, CrmModule, CrmPermission, CrmUser } from '../types';
import type { VtigerContext } from './context';

export class VtigerDirectory implements CrmDirectory {
	constructor(private readonly ctx: VtigerContext) {}

	async listUsers(): Promise<CrmUser[]> {
		const rows = await this.ctx.queryAll('SELECT * FROM Users');
		return rows.map((u) => ({
			id: String(u.id),
			userName: String(u.user_name),
			...(u.email1 ? { email: u.email1 } : {}),
			...(u.first_name ? { firstName: u.first_name } : {}),
			...(u.last_name ? { lastName: u.last_name } : {}),
			active: (u.status ?? 'Active') === 'Active',
			groupIds: [],
		}));
	}

	async listGroups(): Promise<CrmGroup[]> {
		const rows = await this.ctx.queryAll('SELECT * FROM Groups');
		return rows.map((g) => ({ id: String(g.id), name: String(g.groupname) }));
	}

	async listEventTypes(): Promise<string[]> {
		const describe = await this.ctx.describe('Events');
		return describe.fields.find((f) => f.name === 'activitytype')?.type.picklistValues?.map((p) => p.value) ?? [];
	}

	/**
	 * vtiger does not expose other users' profiles through the webservice: for the logged-in
	 * user the module's describe flags decide; other users need only exist and be active.
	 */
	async checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		if (userId === (await this.ctx.client.userId())) {
			const describe = await this.ctx.describe(this.ctx.vtModule(module));
			return permission === 'read' ? describe.retrieveable : describe.createable && describe.updateable;
		}
		return (await this.listUsers()).some((u) => u.id === userId && u.active);
	}
}
