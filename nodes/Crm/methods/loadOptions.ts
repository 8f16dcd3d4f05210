import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { getCrmBackend } from '../transport/backend';

function userLabel(u: { userName: string; firstName?: string; lastName?: string }): string {
	const name = [u.firstName, u.lastName].filter(Boolean).join(' ');
	return name ? `${name} (${u.userName})` : u.userName;
}

export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const crm = await getCrmBackend(this);
	return (await crm.listUsers()).filter((u) => u.active).map((u) => ({ name: userLabel(u), value: u.id }));
}

export async function getGroups(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const crm = await getCrmBackend(this);
	return (await crm.listGroups()).map((g) => ({ name: g.name, value: g.id }));
}

/** Users and groups; values are "user:<id>" / "group:<id>". */
export async function getAssignees(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const crm = await getCrmBackend(this);
	const users = (await crm.listUsers()).filter((u) => u.active).map((u) => ({ name: `User: ${userLabel(u)}`, value: `user:${u.id}` }));
	const groups = (await crm.listGroups()).map((g) => ({ name: `Group: ${g.name}`, value: `group:${g.id}` }));
	return [...users, ...groups];
}

export async function getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const crm = await getCrmBackend(this);
	return (await crm.listEventTypes()).map((t) => ({ name: t, value: t }));
}
