/** The embedded CRM's directory role (CrmDirectory): users, groups, event types and permissions, with their administration. */
import type { CrmDirectory, CrmGroup, CrmModule, CrmPermission, CrmUser } from '../types';
import type { EmbeddedStore } from './store';

export class EmbeddedDirectory implements CrmDirectory {
	constructor(private readonly store: EmbeddedStore) {}

	async listUsers(): Promise<CrmUser[]> {
		const users = this.store.stmt('SELECT id, user_name, email, first_name, last_name, active FROM users ORDER BY user_name').all() as unknown as Array<{
			id: string;
			user_name: string;
			email: string | null;
			first_name: string | null;
			last_name: string | null;
			active: number;
		}>;
		const memberships = this.store.stmt('SELECT group_id, user_id FROM group_members ORDER BY group_id').all() as unknown as Array<{
			group_id: string;
			user_id: string;
		}>;
		return users.map((u) => ({
			id: u.id,
			userName: u.user_name,
			...(u.email ? { email: u.email } : {}),
			...(u.first_name ? { firstName: u.first_name } : {}),
			...(u.last_name ? { lastName: u.last_name } : {}),
			active: u.active === 1,
			groupIds: memberships.filter((m) => m.user_id === u.id).map((m) => m.group_id),
		}));
	}

	async listGroups(): Promise<CrmGroup[]> {
		return this.store.stmt('SELECT id, name FROM groups ORDER BY name').all() as unknown as CrmGroup[];
	}

	async listEventTypes(): Promise<string[]> {
		return (this.store.stmt('SELECT name FROM event_types ORDER BY position, name').all() as unknown as Array<{ name: string }>).map((r) => r.name);
	}

	async checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		return this.store.permissionOf(userId, module, permission);
	}

	/** Creates or replaces a user (administration, seed). */
	saveUser(user: Omit<CrmUser, 'groupIds'> & { groupIds?: string[] }): void {
		this.store.transaction(() => {
			this.store
				.stmt(
					`INSERT INTO users (id, user_name, email, first_name, last_name, active) VALUES (?, ?, ?, ?, ?, ?)
				 ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, email = excluded.email,
				 first_name = excluded.first_name, last_name = excluded.last_name, active = excluded.active`,
				)
				.run(user.id, user.userName, user.email ?? null, user.firstName ?? null, user.lastName ?? null, user.active ? 1 : 0);
			if (user.groupIds) {
				this.store.stmt('DELETE FROM group_members WHERE user_id = ?').run(user.id);
				for (const groupId of user.groupIds) {
					this.store.stmt('INSERT INTO group_members (group_id, user_id) VALUES (?, ?)').run(groupId, user.id);
				}
			}
		});
	}

	saveGroup(group: CrmGroup): void {
		this.store.stmt('INSERT INTO groups (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name').run(group.id, group.name);
	}

	/** O5: restrict (or, with 'write', un-restrict) one user on one module. */
	setPermission(userId: string, module: CrmModule, level: 'none' | CrmPermission): void {
		this.store.assertModule(module);
		this.store
			.stmt('INSERT INTO user_permissions (user_id, module, level) VALUES (?, ?, ?) ON CONFLICT (user_id, module) DO UPDATE SET level = excluded.level')
			.run(userId, module, level);
	}

	setEventTypes(names: readonly string[]): void {
		this.store.transaction(() => {
			this.store.stmt('DELETE FROM event_types').run();
			names.forEach((name, i) => this.store.stmt('INSERT INTO event_types (name, position) VALUES (?, ?)').run(name, i + 1));
		});
	}
}
