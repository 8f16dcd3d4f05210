import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmPersonModule } from '../../../../lib/crm';
import { PERSON_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

export const properties: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		description: 'Address to look for in the e-mail fields (case-insensitive)',
	},
	{
		displayName: 'Earliest Created Only',
		name: 'earliestOnly',
		type: 'boolean',
		default: true,
		description: 'Whether to return only the earliest created record when several have this address (the rule the e-mail import uses)',
	},
];

export const description = updateDisplayOptions({ show: { resource: [...PERSON_RESOURCES], operation: ['findByEmail'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const email = String(this.getNodeParameter('email', itemIndex)).trim();
	const earliestOnly = this.getNodeParameter('earliestOnly', itemIndex, true) as boolean;
	const found = await crm.findByEmail(email, [RESOURCE_MODULE[resource] as CrmPersonModule]);
	const records = earliestOnly ? found.slice(0, 1) : found;
	return records.map((record) => ({ json: record as unknown as IDataObject, pairedItem: { item: itemIndex } }));
}
